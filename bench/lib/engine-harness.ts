import {
  buildGuards,
  DEFAULT_ALLOCATOR,
  DEFAULT_COSTS,
  RiskChain,
  type EvaluationResult,
  type HistoryResult,
  type Instrument,
  type SeriesStore,
} from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { Engine } from '../../host/engine/engine.js';
import type { CyclePhases } from '../../host/engine/engine-deps.js';
import type { RunSummary } from '../../host/engine/summary.js';
import type { Executor, ExecutorStats } from '../../host/executor/executor.js';
import type { TaskEntry } from '../../host/executor/runner.js';
import type { SqliteJournal } from '../../host/journal/sqlite-journal.js';
import { HostMetrics } from '../../host/metrics.js';
import type { LoadedPlugin } from '../../host/plugins/loader.js';

export const CAPITAL = 1_000_000;

/** The risk chain of the benchmark: the default guards of config/schema.ts. */
export const BENCH_GUARDS = [
  { name: 'kill-switch' },
  { name: 'max-order-size', maxNotional: 250_000 },
  { name: 'position-limit', maxPositionNotional: 400_000 },
];

/**
 * An executor that times what it forwards: fan-out time per cycle and history time. The engine drains pool worker
 * timings when the executor has `workerTimings`; the wrapper exposes the inner pool's array so that still works.
 */
export class TimedExecutor implements Executor {
  readonly kind: 'pool' | 'inline';
  readonly fanoutMs: number[] = [];
  historyMs = 0;

  constructor(private readonly inner: Executor) {
    this.kind = inner.kind;
    if ('workerTimings' in inner) {
      Object.defineProperty(this, 'workerTimings', { get: () => (inner as { workerTimings: number[] }).workerTimings, enumerable: true });
    }
  }

  async evaluateCycle(now: number, entries: readonly TaskEntry[]): Promise<EvaluationResult[]> {
    const t0 = performance.now();
    const results = await this.inner.evaluateCycle(now, entries);
    this.fanoutMs.push(performance.now() - t0);
    return results;
  }

  async evaluateHistory(times: Float64Array, entries: readonly TaskEntry[]): Promise<HistoryResult[]> {
    const t0 = performance.now();
    const results = await this.inner.evaluateHistory(times, entries);
    this.historyMs += performance.now() - t0;
    return results;
  }

  stats(): ExecutorStats {
    return this.inner.stats();
  }

  /** The inner executor is closed by whoever created it. */
  async close(): Promise<void> {}
}

export interface EngineRunOptions {
  readonly runId: string;
  readonly mode: 'backtest' | 'paper';
  readonly from: number;
  readonly to: number;
  readonly store: SeriesStore;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly plugins: readonly LoadedPlugin[];
  readonly executor: Executor;
  readonly journal: SqliteJournal;
  /** run.gcBetweenCycles (paper mode): the host's default is true. */
  readonly gcBetweenCycles?: boolean;
}

export interface EngineRun {
  readonly summary: RunSummary;
  readonly executor: TimedExecutor;
  readonly metrics: HostMetrics;
  /** engine.run() wall time, ms. */
  readonly wallMs: number;
  /** Each cycle's latency by phase, ms (the engine's cycle observer). */
  readonly phases: readonly CyclePhases[];
}

/** Wire and run the real Engine the way host/run-host.ts does (paper broker, risk chain, metrics, journal). */
export async function runEngine(options: EngineRunOptions): Promise<EngineRun> {
  const { journal } = options;
  const metrics = new HostMetrics();
  const broker = new PaperBroker({ initialCash: CAPITAL, instruments: new Map(options.instruments) });
  await broker.connect();
  const executor = new TimedExecutor(options.executor);
  const phases: CyclePhases[] = [];
  journal.startRun({ runId: options.runId, profile: 'bench', mode: options.mode, startedAt: Date.now(), config: { bench: true, executor: executor.kind } });
  const engine = new Engine({
    settings: {
      runId: options.runId,
      mode: options.mode,
      from: options.from,
      to: options.to,
      capital: CAPITAL,
      allocator: { ...DEFAULT_ALLOCATOR, capital: CAPITAL },
      costs: DEFAULT_COSTS,
      minTradeNotional: 500,
      faultPolicy: 'flatten',
      stateSnapshotEvery: 1,
      progressEvery: 0,
      replayDelayMs: 0,
      gcBetweenCycles: options.gcBetweenCycles ?? true,
      allowSubmit: true,
      initialTier: 'ACTIVE',
    },
    store: options.store,
    instruments: options.instruments,
    plugins: options.plugins,
    executor,
    broker,
    journal,
    metrics,
    risk: new RiskChain(buildGuards(BENCH_GUARDS)),
    log: () => {},
    afterCycle: (c) => phases.push(c.phasesMs),
  });
  const t0 = performance.now();
  const summary = await engine.run();
  const wallMs = performance.now() - t0;
  journal.endRun(options.runId, 'completed', summary);
  await broker.disconnect();
  return { summary, executor, metrics, wallMs, phases };
}

/**
 * The p-th percentile as the Prometheus histogram can tell it: the upper bound of the bucket holding it, in ms, over
 * the cycle-latency histograms of one or more runs (their bucket counts added).
 */
export async function histogramPercentileMs(runs: readonly HostMetrics[], p: number): Promise<number> {
  const counts = new Map<string, number>();
  let count = 0;
  for (const metrics of runs) {
    const data = await metrics.cycleLatency.get();
    for (const v of data.values) {
      if (v.metricName?.endsWith('_bucket')) counts.set(String(v.labels.le), (counts.get(String(v.labels.le)) ?? 0) + v.value);
      else if (v.metricName?.endsWith('_count')) count += v.value;
    }
  }
  const wanted = (p / 100) * count;
  // Buckets are cumulative and come in increasing order of their bound.
  for (const [le, cumulative] of counts) {
    if (cumulative >= wanted) return le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le) * 1000;
  }
  return Number.NaN;
}
