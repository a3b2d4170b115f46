import os from 'node:os';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { newRunId, type Instrument, type SeriesStore } from '../core/index.js';
import { buildMarketClock } from '../host/engine/market-clock.js';
import type { Executor } from '../host/executor/executor.js';
import { InlineExecutor } from '../host/executor/inline.js';
import { PoolExecutor } from '../host/executor/pool.js';
import { SqliteJournal } from '../host/journal/sqlite-journal.js';
import { loadPlugins, type LoadedPlugin } from '../host/plugins/loader.js';
import { BENCH_SYMBOLS } from './plugins/bench-strategy.js';
import { generatePluginModules, log, mean, percentile, settle, type PluginMix, type QuietGate } from './lib/common.js';
import { histogramPercentileMs, runEngine, type EngineRun } from './lib/engine-harness.js';

export type JournalKind = 'file' | 'file-normal' | 'memory';

/** Cycles of one unmeasured engine run per executor before any measured row. */
const PROCESS_WARMUP_CYCLES = 300;

export interface LatencyFigures {
  readonly executor: 'inline' | 'pool';
  /** file: synchronous=FULL, as the host runs; file-normal: synchronous=NORMAL (no fsync per commit); memory: ':memory:'. */
  readonly journal: JournalKind;
  /** Whether the engine collected the young generation between cycles (run.gcBetweenCycles, the host's default). */
  readonly gcBetweenCycles: boolean;
  readonly cycles: number;
  /** Engine cycle latency, end to end (event in -> intents durable in the journal and sent) from the journal, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** The same p99 as the /metrics histogram reports it: upper bound of its bucket, ms. */
  readonly histogramP99: number;
  /** Plugin fan-out alone (executor.evaluateCycle), ms. */
  readonly fanoutP50: number;
  readonly fanoutP99: number;
  readonly intentsPerCycle: number;
  /** Event in to intents decided (fan-out, fills, signals, netting, risk chain): the decision, before the journal and broker; the target is judged on it, ms. */
  readonly decided: { readonly p50: number; readonly p99: number };
  /** p50 and p99 of each phase of the latency (host/engine/engine-deps.ts CyclePhases), ms. */
  readonly phases: Readonly<Record<string, { readonly p50: number; readonly p99: number }>>;
  /**
   * Garbage collections during the measured run: V8's own (which land inside cycles when cycles run back to back)
   * and the engine's between cycles (run.gcBetweenCycles, off the decision path), with their total pause, ms.
   */
  readonly gc: { readonly own: number; readonly ownMs: number; readonly between: number; readonly betweenMs: number };
  readonly orders: number;
  readonly faults: number;
  readonly faultMessages: readonly string[];
}

export interface LatencyOptions {
  readonly store: SeriesStore;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly dir: string;
  readonly mix: PluginMix;
  /** Measured cycles per row and round. */
  readonly cycles: number;
  readonly warmupCycles: number;
  /** Rounds: each row is measured once per round, the rows in a rotating order, so a burst of load hits them alike. */
  readonly rounds: number;
  /** Waits for a quiet machine before each round. */
  readonly gate?: QuietGate;
}

export interface LatencySection {
  readonly mix: PluginMix;
  readonly plugins: number;
  readonly threads: number;
  readonly results: readonly LatencyFigures[];
}

/**
 * Section 2: the real Engine in paper mode (one fan-out per cycle) with light bench plugins, on each executor and
 * with the journal in a temp file (durable, as the host runs) and in memory (to show what durability costs).
 */
export async function measureLatency(options: LatencyOptions): Promise<LatencySection> {
  const { store, instruments, mix } = options;
  const threads = Math.max(1, os.availableParallelism());
  const generated = generatePluginModules(options.dir, mix);
  const plugins = await loadPlugins({ dirs: [], paths: generated.map((g) => g.modulePath), settings: {}, defaultMode: 'live' });
  log(`paper latency: ${plugins.length} plugins loaded with loadPlugins()`);

  const clock = buildMarketClock(store, [...BENCH_SYMBOLS], Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  const n = clock.times.length;
  const measured = { from: clock.times[n - options.cycles] as number, to: clock.times[n - 1] as number };
  const warm = { from: clock.times[n - options.cycles - options.warmupCycles] as number, to: clock.times[n - options.cycles - 1] as number };
  const processWarm = { from: clock.times[n - options.cycles - options.warmupCycles - PROCESS_WARMUP_CYCLES] as number, to: clock.times[n - options.cycles - options.warmupCycles - 1] as number };

  const specs = plugins.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }));
  const executors: Record<'inline' | 'pool', Executor> = {
    inline: new InlineExecutor(store, specs),
    pool: new PoolExecutor(store, specs, { threads }),
  };
  const results: LatencyFigures[] = [];
  try {
    // Warm the executors (workers import tsx and the plugin modules on their first task).
    for (const executor of Object.values(executors)) {
      for (let i = 0; i < 5; i++) await executor.evaluateCycle(warm.from, plugins.map((p) => ({ id: p.id, state: p.definition.init(p.params as never) })));
    }
    // Then the whole engine path once per executor over a longer window (JIT tiers, caches): a host that trades has
    // run many cycles, and without this the first measured row runs partly on unoptimised code.
    for (const kind of ['inline', 'pool'] as const) {
      const journal = new SqliteJournal(':memory:');
      try {
        await runEngine({ runId: newRunId(Date.now(), `${kind}-process-warm`), mode: 'paper', ...processWarm, store, instruments, plugins, executor: executors[kind], journal });
      } finally {
        journal.close();
      }
    }
    // Each journal on each executor, as the host runs (young-generation collections between cycles), and once more
    // inline on the durable journal without them, to show what they move out of the cycles.
    const variants: Variant[] = (['file', 'file-normal', 'memory'] as const).flatMap((journalKind) => [
      { kind: 'inline' as const, journalKind, gcBetweenCycles: true },
      ...(journalKind === 'file' ? [{ kind: 'inline' as const, journalKind, gcBetweenCycles: false }] : []),
      { kind: 'pool' as const, journalKind, gcBetweenCycles: true },
    ]);
    const rows = variants.map((variant) => ({
      variant,
      journal:
        variant.journalKind === 'memory'
          ? new SqliteJournal(':memory:')
          : new SqliteJournal(path.join(options.dir, `journal-paper-${variant.kind}-${variant.journalKind}-${variant.gcBetweenCycles ? 'gc' : 'nogc'}.sqlite`), { synchronous: variant.journalKind === 'file' ? 'full' : 'normal' }),
      runs: [] as MeasuredRun[],
    }));
    try {
      // A short warm-up run of each row's engine wiring on its own journal first (JIT, SQLite statement caches, the WAL).
      for (const row of rows) await runEngine({ runId: newRunId(Date.now(), `${saltOf(row.variant)}-warm`), mode: 'paper', ...warm, store, instruments, plugins, executor: executors[row.variant.kind], journal: row.journal, gcBetweenCycles: row.variant.gcBetweenCycles });
      for (let round = 0; round < options.rounds; round++) {
        await options.gate?.wait(`section 2 round ${round + 1}`);
        for (let k = 0; k < rows.length; k++) {
          const row = rows[(k + round) % rows.length]!;
          await settle();
          row.runs.push(await measureRun(row.variant, executors[row.variant.kind], row.journal, store, instruments, plugins, measured));
        }
      }
      for (const row of rows) {
        const r = await figuresOf(row.variant, row.runs);
        results.push(r);
        log(`paper latency ${row.variant.kind}/${row.variant.journalKind} journal${row.variant.gcBetweenCycles ? '' : ', no gc between cycles'}: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms over ${r.cycles} cycles (fan-out p99 ${r.fanoutP99.toFixed(3)} ms; V8 GCs ${r.gc.own}, between cycles ${r.gc.between})`);
      }
    } finally {
      for (const row of rows) row.journal.close();
    }
  } finally {
    await executors.pool.close();
    await executors.inline.close();
  }
  return { mix, plugins: plugins.length, threads, results };
}

interface Variant {
  readonly kind: 'inline' | 'pool';
  readonly journalKind: JournalKind;
  readonly gcBetweenCycles: boolean;
}

/** What one measured engine run of a row gave. */
interface MeasuredRun {
  readonly run: EngineRun;
  readonly latencies: readonly number[];
  readonly intents: readonly number[];
  readonly gc: LatencyFigures['gc'];
  readonly faults: readonly string[];
}

function saltOf(v: Variant): string {
  return `${v.kind}-${v.journalKind}${v.gcBetweenCycles ? '' : '-nogc'}`;
}

async function measureRun(
  variant: Variant,
  executor: Executor,
  journal: SqliteJournal,
  store: SeriesStore,
  instruments: ReadonlyMap<string, Instrument>,
  plugins: readonly LoadedPlugin[],
  measured: { from: number; to: number },
): Promise<MeasuredRun> {
  const runId = newRunId(Date.now(), saltOf(variant));
  const gcs = watchGc();
  const run = await runEngine({ runId, mode: 'paper', ...measured, store, instruments, plugins, executor, journal, gcBetweenCycles: variant.gcBetweenCycles });
  const gc = await gcs.stop();
  const cycles = journal.cycles(runId);
  return { run, latencies: cycles.map((c) => c.latencyMs), intents: cycles.map((c) => c.intents), gc, faults: journal.faults(runId).map((f) => `${f.strategyId}: ${f.message}`) };
}

/** A row's figures over all its rounds' cycles. */
async function figuresOf(variant: Variant, runs: readonly MeasuredRun[]): Promise<LatencyFigures> {
  const latencies = runs.flatMap((r) => r.latencies);
  const phases = runs.flatMap((r) => r.run.phases);
  const fanout = runs.flatMap((r) => r.run.executor.fanoutMs);
  // Event in to the risk chain's last decision: the phases before the durable commit and the submission.
  const decidedMs = phases.map((p) => p.evaluate + p.market + p.signals + p.decide);
  const faults = runs.flatMap((r) => r.faults);
  const sum = (pick: (g: LatencyFigures['gc']) => number): number => runs.reduce((total, r) => total + pick(r.gc), 0);
  return {
    executor: variant.kind,
    journal: variant.journalKind,
    gcBetweenCycles: variant.gcBetweenCycles,
    cycles: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    mean: mean(latencies),
    histogramP99: await histogramPercentileMs(runs.map((r) => r.run.metrics), 99),
    fanoutP50: percentile(fanout, 50),
    fanoutP99: percentile(fanout, 99),
    intentsPerCycle: mean(runs.flatMap((r) => r.intents)),
    decided: { p50: percentile(decidedMs, 50), p99: percentile(decidedMs, 99) },
    phases: Object.fromEntries(
      Object.keys(phases[0] ?? {}).map((phase) => {
        const values = phases.map((p) => p[phase as keyof typeof p]);
        return [phase, { p50: percentile(values, 50), p99: percentile(values, 99) }];
      }),
    ),
    gc: { own: sum((g) => g.own), ownMs: sum((g) => g.ownMs), between: sum((g) => g.between), betweenMs: sum((g) => g.betweenMs) },
    orders: runs.reduce((total, r) => total + r.run.summary.orders, 0),
    faults: faults.length,
    faultMessages: faults.slice(0, 5),
  };
}

/**
 * Counts garbage collections from now until stop(): V8's own, and forced ones (the engine's between cycles). Node
 * creates gc entries in a later event-loop turn, so stop() first lets one pass.
 */
function watchGc(): { stop(): Promise<LatencyFigures['gc']> } {
  const entries: { duration: number; forced: boolean }[] = [];
  const take = (list: readonly { duration: number; detail?: unknown }[]): void => {
    for (const e of list) entries.push({ duration: e.duration, forced: ((e.detail as { flags?: number } | undefined)?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED ? true : false });
  };
  const observer = new PerformanceObserver((list) => take(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 50));
      take(observer.takeRecords());
      observer.disconnect();
      const own = entries.filter((e) => !e.forced);
      const forced = entries.filter((e) => e.forced);
      const total = (list: typeof entries): number => list.reduce((sum, e) => sum + e.duration, 0);
      return { own: own.length, ownMs: total(own), between: forced.length, betweenMs: total(forced) };
    },
  };
}
