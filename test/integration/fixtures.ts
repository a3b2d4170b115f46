import {
  parseDate,
  prepareStrategy,
  seriesOf,
  SeriesStore,
  type AnyStrategy,
  type Instrument,
  type SeriesData,
  type Signal,
} from '../../core/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';
import { loadPlugins, type LoadedPlugin } from '../../host/plugins/loader.js';
import type { Executor } from '../../host/executor/executor.js';

/** The three foundation plugins (tsmom, gold-silver-ratio, mean-reversion) with default params, live unless overridden. */
export async function realPlugins(settings: Record<string, { mode?: 'disabled' | 'shadow' | 'canary' | 'live' }> = {}): Promise<LoadedPlugin[]> {
  const paths = ['tsmom', 'gold-silver-ratio', 'mean-reversion'].map((id) => `plugins/${id}/index.ts`);
  return loadPlugins({ dirs: [], paths, settings, defaultMode: 'live' });
}

/** A synthetic store holding every series the plugins need, from `start` to `end`. */
export async function syntheticStore(
  plugins: readonly LoadedPlugin[],
  start = '2014-01-01',
  end = '2019-12-31',
  seed = 42,
  transform: (data: readonly SeriesData[]) => readonly SeriesData[] = (d) => d,
): Promise<{ store: SeriesStore; instruments: Map<string, Instrument> }> {
  const adapter = new SyntheticDataAdapter({ seed, start, end });
  const ids = [...new Set(plugins.flatMap((p) => seriesOf(p.prepared.needs)))];
  const data = await adapter.history({ ids, from: parseDate(start), to: parseDate(end) + 86_400_000 });
  return { store: SeriesStore.build(transform(data)), instruments: new Map((await adapter.instruments()).map((i) => [i.symbol, i])) };
}

/** A plugin defined in a test, loaded as the loader would (inline executors only: it has no module path). */
export function inlinePlugin(definition: AnyStrategy, mode: 'shadow' | 'canary' | 'live' = 'live'): LoadedPlugin {
  return { id: definition.id, modulePath: `inline:${definition.id}`, definition, mode, params: {}, prepared: prepareStrategy(definition, {}) };
}

/** Bar by bar through an executor, carrying each plugin's state from one cycle to the next; its signals per plugin. */
export async function barByBar(executor: Executor, plugins: readonly LoadedPlugin[], times: ArrayLike<number>): Promise<Map<string, Signal[][]>> {
  const states = new Map(plugins.map((p) => [p.id, p.definition.init(p.params as never)]));
  const out = new Map(plugins.map((p) => [p.id, [] as Signal[][]]));
  for (let i = 0; i < times.length; i++) {
    const results = await executor.evaluateCycle(times[i] as number, plugins.map((p) => ({ id: p.id, state: states.get(p.id) })));
    for (const r of results) {
      if (!r.ok) throw new Error(`${r.strategyId} faulted: ${r.fault.message}`);
      states.set(r.strategyId, r.state);
      out.get(r.strategyId)!.push([...r.signals]);
    }
  }
  return out;
}

/** Decision times: the availability times of GLD bars within [from, to]. */
export function decisionTimes(store: SeriesStore, from: string, to: string, symbol = 'GLD'): Float64Array {
  const full = store.full(`bar:${symbol}`);
  const lo = parseDate(from);
  const hi = parseDate(to) + 86_400_000;
  return Float64Array.from([...full.available].filter((t) => t >= lo && t < hi));
}

import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { buildGuards, RiskChain, DEFAULT_ALLOCATOR, type BrokerAdapter, type GuardConfig, type RoutingTable } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { Engine, type CycleObserver, type EngineSettings } from '../../host/engine/engine.js';
import type { KillSwitchController } from '../../host/kill-switch/controller.js';
import { InlineExecutor } from '../../host/executor/inline.js';
import { SqliteJournal } from '../../host/journal/sqlite-journal.js';
import { HostMetrics } from '../../host/metrics.js';

export const DEFAULT_GUARDS: GuardConfig[] = [
  { name: 'kill-switch' },
  { name: 'max-order-size', maxNotional: 250_000 },
  { name: 'position-limit', maxPositionNotional: 400_000 },
];

/** A temp directory removed by the OS eventually; each test gets its own. */
export function tempDir(prefix = 'sh-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface EngineRig {
  readonly engine: Engine;
  readonly journal: SqliteJournal;
  readonly broker: BrokerAdapter;
  readonly metrics: HostMetrics;
  readonly journalFile: string;
  readonly runId: string;
}

/** An engine over real plugins and synthetic data, inline executor, paper broker, SQLite journal in a temp dir. */
export async function engineRig(options: {
  plugins: LoadedPlugin[];
  from?: string;
  to?: string;
  settings?: Partial<EngineSettings>;
  broker?: (instruments: Map<string, Instrument>) => BrokerAdapter;
  guards?: GuardConfig[];
  killSwitch?: KillSwitchController;
  afterCycle?: CycleObserver;
  transformData?: (data: readonly SeriesData[]) => readonly SeriesData[];
  /** More brokers by id (the main one included) and the routing between them. */
  brokers?: (instruments: Map<string, Instrument>, main: BrokerAdapter) => Map<string, BrokerAdapter>;
  routing?: RoutingTable;
  brokersDown?: string[];
  submitTimeoutMs?: number;
  log?: (line: string) => void;
  beforeCycle?: (cycle: number) => Promise<void>;
}): Promise<EngineRig> {
  const from = options.from ?? '2018-01-01';
  const to = options.to ?? '2018-06-30';
  const { store, instruments } = await syntheticStore(options.plugins, '2015-01-01', to, 42, options.transformData);
  const journalFile = path.join(tempDir(), 'journal.sqlite');
  const journal = new SqliteJournal(journalFile);
  const broker = options.broker ? options.broker(instruments) : new PaperBroker({ initialCash: 1_000_000, instruments });
  const metrics = new HostMetrics({ processMetrics: false });
  const runId = `test-${Math.random().toString(36).slice(2, 8)}`;
  journal.startRun({ runId, profile: 'test', mode: 'backtest', startedAt: 0, config: {} });
  const enabled = options.plugins.filter((p) => p.mode !== 'disabled');
  const engine = new Engine({
    settings: {
      runId,
      mode: 'backtest',
      from: parseDate(from),
      to: parseDate(to) + 86_400_000 - 1,
      capital: 1_000_000,
      allocator: DEFAULT_ALLOCATOR,
      costs: { commissionPerShare: 0.005, minimumCommission: 1, halfSpreadBps: 2, slippageBps: 1 },
      minTradeNotional: 500,
      faultPolicy: 'flatten',
      stateSnapshotEvery: 1,
      progressEvery: 0,
      replayDelayMs: 0,
      allowSubmit: true,
      initialTier: 'ACTIVE',
      ...options.settings,
    },
    store,
    instruments,
    plugins: options.plugins,
    executor: new InlineExecutor(store, enabled.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }))),
    broker,
    journal,
    metrics,
    risk: new RiskChain(buildGuards(options.guards ?? DEFAULT_GUARDS)),
    log: options.log ?? (() => {}),
    ...(options.killSwitch ? { killSwitch: options.killSwitch } : {}),
    ...(options.brokers ? { brokers: options.brokers(instruments, broker) } : {}),
    ...(options.routing ? { routing: options.routing } : {}),
    ...(options.brokersDown ? { brokersDown: options.brokersDown } : {}),
    ...(options.submitTimeoutMs ? { submitTimeoutMs: options.submitTimeoutMs } : {}),
    ...(options.beforeCycle ? { beforeCycle: options.beforeCycle } : {}),
    ...(options.afterCycle ? { afterCycle: options.afterCycle } : {}),
  });
  return { engine, journal, broker, metrics, journalFile, runId };
}
