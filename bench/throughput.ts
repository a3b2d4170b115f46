import os from 'node:os';
import type { SeriesStore } from '../core/index.js';
import type { Executor } from '../host/executor/executor.js';
import { InlineExecutor } from '../host/executor/inline.js';
import { PoolExecutor } from '../host/executor/pool.js';
import type { TaskEntry } from '../host/executor/runner.js';
import { generatePluginModules, loadSpecs, log, mean, mixSize, percentile, settle, type BenchSpec, type PluginMix } from './lib/common.js';

/** Per-cycle fan-out throughput of one executor. */
export interface CycleFigures {
  readonly cycles: number;
  readonly evaluations: number;
  readonly seconds: number;
  readonly evaluationsPerSecond: number;
  readonly cycleMsP50: number;
  readonly cycleMsP99: number;
  readonly faults: number;
}

/** Whole-history (backtest) throughput of one executor. */
export interface HistoryFigures {
  readonly times: number;
  readonly evaluations: number;
  readonly seconds: number;
  readonly evaluationsPerSecond: number;
  readonly faults: number;
}

export interface ScenarioFigures {
  readonly mix: PluginMix;
  readonly plugins: number;
  readonly threads: number;
  /** Mean time of one evaluation as measured where it ran (inline executor), microseconds. */
  readonly meanEvaluationUs: number;
  /** Construct the pool and complete its first cycle (workers start, import tsx and the plugin modules). */
  readonly poolColdStartMs: number;
  readonly cycle: { readonly inline: CycleFigures; readonly pool: CycleFigures };
  readonly history: { readonly inline: HistoryFigures; readonly pool: HistoryFigures };
}

export interface ThroughputOptions {
  readonly store: SeriesStore;
  /** Decision times with full windows. */
  readonly times: Float64Array;
  readonly dir: string;
  readonly mix: PluginMix;
  /** Timed cycles per executor, split into `rounds` rounds alternating inline and pool. */
  readonly cycles: number;
  readonly rounds: number;
  readonly warmupCycles: number;
  /** Times of the history (backtest) measurement: the last `historyTimes` decision times. */
  readonly historyTimes: number;
}

/** Plugins' states carried from cycle to cycle, as the engine does. */
class States {
  private readonly states = new Map<string, unknown>();
  constructor(private readonly specs: readonly BenchSpec[]) {
    for (const s of specs) this.states.set(s.id, s.definition.init(s.params as never));
  }
  entries(): TaskEntry[] {
    return this.specs.map((s) => ({ id: s.id, state: this.states.get(s.id) }));
  }
  update(results: readonly { ok: boolean; strategyId: string; state?: unknown }[]): number {
    let faults = 0;
    for (const r of results) {
      if (r.ok) this.states.set(r.strategyId, r.state);
      else faults += 1;
    }
    return faults;
  }
}

interface CycleSample {
  evaluations: number;
  seconds: number;
  cycleMs: number[];
  faults: number;
  durationsMs: number[];
}

async function timeCycles(executor: Executor, states: States, times: ArrayLike<number>, sample: CycleSample): Promise<void> {
  for (let i = 0; i < times.length; i++) {
    const t0 = performance.now();
    const results = await executor.evaluateCycle(times[i] as number, states.entries());
    const ms = performance.now() - t0;
    sample.seconds += ms / 1000;
    sample.cycleMs.push(ms);
    sample.evaluations += results.length;
    sample.faults += states.update(results as never);
    for (const r of results) sample.durationsMs.push(r.durationMs);
  }
}

async function warmCycles(executor: Executor, states: States, times: ArrayLike<number>): Promise<void> {
  for (let i = 0; i < times.length; i++) states.update((await executor.evaluateCycle(times[i] as number, states.entries())) as never);
}

function cycleFigures(s: CycleSample): CycleFigures {
  return {
    cycles: s.cycleMs.length,
    evaluations: s.evaluations,
    seconds: s.seconds,
    evaluationsPerSecond: s.evaluations / s.seconds,
    cycleMsP50: percentile(s.cycleMs, 50),
    cycleMsP99: percentile(s.cycleMs, 99),
    faults: s.faults,
  };
}

async function timeHistory(executor: Executor, specs: readonly BenchSpec[], times: Float64Array): Promise<HistoryFigures> {
  const entries = specs.map((s) => ({ id: s.id, state: s.definition.init(s.params as never) }));
  const t0 = performance.now();
  const results = await executor.evaluateHistory(times, entries);
  const seconds = (performance.now() - t0) / 1000;
  const evaluations = results.reduce((n, r) => n + r.evaluations, 0);
  return { times: times.length, evaluations, seconds, evaluationsPerSecond: evaluations / seconds, faults: results.filter((r) => r.fault).length };
}

/**
 * Section 1: the same plugin set on the inline executor and on the pool (threads = cores), per cycle and over a
 * whole history. Cycle rounds alternate inline and pool so background noise hits both alike.
 */
export async function measureScenario(options: ThroughputOptions): Promise<ScenarioFigures> {
  const { store, times, mix } = options;
  const threads = Math.max(1, os.availableParallelism());
  const generated = generatePluginModules(options.dir, mix);
  const specs = await loadSpecs(generated);
  log(`${mix.name}: ${specs.length} plugins (${mix.heavy.count} x ${mix.heavy.work}, ${mix.medium.count} x ${mix.medium.work}, ${mix.light.count} x ${mix.light.work} passes)`);

  const inline = new InlineExecutor(store, specs);
  const coldStart = performance.now();
  const pool = new PoolExecutor(store, specs.map((s) => ({ id: s.id, modulePath: s.modulePath, params: s.params })), { threads });
  const inlineStates = new States(specs);
  const poolStates = new States(specs);
  try {
    await pool.evaluateCycle(times[0] as number, poolStates.entries());
    const poolColdStartMs = performance.now() - coldStart;
    log(`${mix.name}: pool cold start (construct + first cycle) ${poolColdStartMs.toFixed(0)} ms`);

    const total = options.cycles;
    const perRound = Math.ceil(total / options.rounds);
    const timed = times.subarray(times.length - perRound * options.rounds);
    const warm = times.subarray(0, options.warmupCycles);
    await warmCycles(inline, inlineStates, warm);
    await warmCycles(pool, poolStates, warm);

    const inlineSample: CycleSample = { evaluations: 0, seconds: 0, cycleMs: [], faults: 0, durationsMs: [] };
    const poolSample: CycleSample = { evaluations: 0, seconds: 0, cycleMs: [], faults: 0, durationsMs: [] };
    for (let round = 0; round < options.rounds; round++) {
      const slice = timed.subarray(round * perRound, (round + 1) * perRound);
      const order: [Executor, States, CycleSample][] = [
        [inline, inlineStates, inlineSample],
        [pool, poolStates, poolSample],
      ];
      if (round % 2 === 1) order.reverse();
      for (const [executor, states, sample] of order) {
        await settle();
        await timeCycles(executor, states, slice, sample);
      }
      log(`${mix.name}: cycle round ${round + 1}/${options.rounds}: inline ${(inlineSample.evaluations / inlineSample.seconds).toFixed(0)} ev/s, pool ${(poolSample.evaluations / poolSample.seconds).toFixed(0)} ev/s so far`);
    }

    const historyTimes = times.subarray(Math.max(0, times.length - options.historyTimes));
    // Warm both executors' history path on a short history first.
    await inline.evaluateHistory(historyTimes.subarray(0, 10), specs.map((s) => ({ id: s.id, state: s.definition.init(s.params as never) })));
    await pool.evaluateHistory(historyTimes.subarray(0, 10), specs.map((s) => ({ id: s.id, state: s.definition.init(s.params as never) })));
    await settle();
    const historyInline = await timeHistory(inline, specs, historyTimes);
    log(`${mix.name}: history inline ${historyInline.evaluations} evaluations in ${historyInline.seconds.toFixed(2)} s`);
    await settle();
    const historyPool = await timeHistory(pool, specs, historyTimes);
    log(`${mix.name}: history pool ${historyPool.evaluations} evaluations in ${historyPool.seconds.toFixed(2)} s`);

    return {
      mix,
      plugins: mixSize(mix),
      threads,
      meanEvaluationUs: mean(inlineSample.durationsMs) * 1000,
      poolColdStartMs,
      cycle: { inline: cycleFigures(inlineSample), pool: cycleFigures(poolSample) },
      history: { inline: historyInline, pool: historyPool },
    };
  } finally {
    await pool.close();
    await inline.close();
  }
}
