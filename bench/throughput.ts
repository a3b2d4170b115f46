import os from 'node:os';
import type { EvaluationResult, SeriesStore } from '../core/index.js';
import type { Executor } from '../host/executor/executor.js';
import { InlineExecutor } from '../host/executor/inline.js';
import { PoolExecutor } from '../host/executor/pool.js';
import type { TaskEntry } from '../host/executor/runner.js';
import { generatePluginModules, loadSpecs, log, mean, mixSize, percentile, settle, type BenchSpec, type PluginMix, type QuietGate } from './lib/common.js';

/** Per-cycle fan-out throughput of one executor. */
export interface CycleFigures {
  readonly cycles: number;
  readonly evaluations: number;
  readonly seconds: number;
  readonly evaluationsPerSecond: number;
  readonly cycleMsP50: number;
  readonly cycleMsP99: number;
  /** CPU time of the whole process (all threads) over wall time while measuring: cores actually used. */
  readonly coresUsed: number;
  readonly faults: number;
  readonly faultMessages: readonly string[];
}

/** Whole-history (backtest) throughput of one executor. */
export interface HistoryFigures {
  readonly times: number;
  readonly evaluations: number;
  readonly seconds: number;
  readonly evaluationsPerSecond: number;
  readonly coresUsed: number;
  readonly faults: number;
  readonly faultMessages: readonly string[];
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
  /** Pool / inline throughput ratio of each round (rounds alternate which executor goes first). */
  readonly roundRatios: readonly number[];
  /** Cores the pool used in each round (process CPU time / wall time). */
  readonly roundPoolCores: readonly number[];
  /** The machine's parallel speedup measured by the quiet gate just before each round (probeParallelSpeedup). */
  readonly roundCeilings: readonly number[];
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
  /** Waits for a quiet machine before each round and each history measurement. */
  readonly gate: QuietGate;
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
  update(results: readonly EvaluationResult[], messages?: Set<string>): number {
    let faults = 0;
    for (const r of results) {
      if (r.ok) this.states.set(r.strategyId, r.state);
      else {
        faults += 1;
        messages?.add(`${r.strategyId}: ${r.fault.message}`);
      }
    }
    return faults;
  }
}

interface CycleSample {
  evaluations: number;
  seconds: number;
  cpuSeconds: number;
  cycleMs: number[];
  faults: number;
  faultMessages: Set<string>;
  durationsMs: number[];
}

const newSample = (): CycleSample => ({ evaluations: 0, seconds: 0, cpuSeconds: 0, cycleMs: [], faults: 0, faultMessages: new Set(), durationsMs: [] });

/** CPU seconds used by this process so far, every thread included (worker threads are threads of this process). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function timeCycles(executor: Executor, states: States, times: ArrayLike<number>, sample: CycleSample): Promise<void> {
  const cpu0 = cpuSeconds();
  for (let i = 0; i < times.length; i++) {
    const t0 = performance.now();
    const results = await executor.evaluateCycle(times[i] as number, states.entries());
    const ms = performance.now() - t0;
    sample.seconds += ms / 1000;
    sample.cycleMs.push(ms);
    sample.evaluations += results.length;
    sample.faults += states.update(results, sample.faultMessages);
    for (const r of results) sample.durationsMs.push(r.durationMs);
  }
  sample.cpuSeconds += cpuSeconds() - cpu0;
}

async function warmCycles(executor: Executor, states: States, times: ArrayLike<number>): Promise<void> {
  for (let i = 0; i < times.length; i++) states.update(await executor.evaluateCycle(times[i] as number, states.entries()));
}

function cycleFigures(s: CycleSample): CycleFigures {
  return {
    cycles: s.cycleMs.length,
    evaluations: s.evaluations,
    seconds: s.seconds,
    evaluationsPerSecond: s.evaluations / s.seconds,
    cycleMsP50: percentile(s.cycleMs, 50),
    cycleMsP99: percentile(s.cycleMs, 99),
    coresUsed: s.cpuSeconds / s.seconds,
    faults: s.faults,
    faultMessages: [...s.faultMessages].slice(0, 5),
  };
}

async function timeHistory(executor: Executor, specs: readonly BenchSpec[], times: Float64Array): Promise<HistoryFigures> {
  const entries = specs.map((s) => ({ id: s.id, state: s.definition.init(s.params as never) }));
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const results = await executor.evaluateHistory(times, entries);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  const evaluations = results.reduce((n, r) => n + r.evaluations, 0);
  const faulted = results.filter((r) => r.fault);
  return {
    times: times.length,
    evaluations,
    seconds,
    evaluationsPerSecond: evaluations / seconds,
    coresUsed: cpu / seconds,
    faults: faulted.length,
    faultMessages: faulted.slice(0, 5).map((r) => `${r.strategyId}: ${r.fault?.message ?? ''}`),
  };
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

    const inlineSample = newSample();
    const poolSample = newSample();
    const roundRatios: number[] = [];
    const roundPoolCores: number[] = [];
    const roundCeilings: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const before = { inline: inlineSample.seconds, pool: poolSample.seconds, poolCpu: poolSample.cpuSeconds };
      const slice = timed.subarray(round * perRound, (round + 1) * perRound);
      const order: [Executor, States, CycleSample][] = [
        [inline, inlineStates, inlineSample],
        [pool, poolStates, poolSample],
      ];
      if (round % 2 === 1) order.reverse();
      await options.gate.wait(`${mix.name} round ${round + 1}`);
      roundCeilings.push(options.gate.lastSpeedup);
      for (const [executor, states, sample] of order) {
        await settle();
        await timeCycles(executor, states, slice, sample);
      }
      // Same number of evaluations on both sides within a round: the throughput ratio is the inverse time ratio.
      roundRatios.push((inlineSample.seconds - before.inline) / (poolSample.seconds - before.pool));
      roundPoolCores.push((poolSample.cpuSeconds - before.poolCpu) / (poolSample.seconds - before.pool));
      log(`${mix.name}: cycle round ${round + 1}/${options.rounds}: pool/inline ${roundRatios[round]!.toFixed(2)}x, pool used ${roundPoolCores[round]!.toFixed(2)} cores (so far inline ${(inlineSample.evaluations / inlineSample.seconds).toFixed(0)} ev/s, pool ${(poolSample.evaluations / poolSample.seconds).toFixed(0)} ev/s)`);
    }

    const historyTimes = times.subarray(Math.max(0, times.length - options.historyTimes));
    // Warm both executors' history path on a short history first.
    await inline.evaluateHistory(historyTimes.subarray(0, 10), specs.map((s) => ({ id: s.id, state: s.definition.init(s.params as never) })));
    await pool.evaluateHistory(historyTimes.subarray(0, 10), specs.map((s) => ({ id: s.id, state: s.definition.init(s.params as never) })));
    await options.gate.wait(`${mix.name} history inline`);
    await settle();
    const historyInline = await timeHistory(inline, specs, historyTimes);
    log(`${mix.name}: history inline ${historyInline.evaluations} evaluations in ${historyInline.seconds.toFixed(2)} s`);
    await options.gate.wait(`${mix.name} history pool`);
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
      roundRatios,
      roundPoolCores,
      roundCeilings,
      history: { inline: historyInline, pool: historyPool },
    };
  } finally {
    await pool.close();
    await inline.close();
  }
}
