import os from 'node:os';
import path from 'node:path';
import { MS_PER_DAY, newRunId, parseDate } from '../core/index.js';
import { SyntheticDataAdapter } from '../adapters/data/synthetic/index.js';
import { loadData } from '../host/data/load-data.js';
import type { Executor } from '../host/executor/executor.js';
import { InlineExecutor } from '../host/executor/inline.js';
import { PoolExecutor } from '../host/executor/pool.js';
import { SqliteJournal } from '../host/journal/sqlite-journal.js';
import { loadPlugins } from '../host/plugins/loader.js';
import { log, settle } from './lib/common.js';
import { runEngine } from './lib/engine-harness.js';

/** The real plugins of section 3 (plugins/<id>/index.ts), default params. */
export const BACKTEST_PLUGINS = ['tsmom', 'gold-silver-ratio', 'mean-reversion'] as const;

export interface BacktestFigures {
  readonly executor: 'inline' | 'pool';
  readonly cycles: number;
  readonly seconds: number;
  readonly cyclesPerSecond: number;
  /** Plugin-bar evaluations over the whole engine run time. */
  readonly evaluationsPerSecond: number;
  /** Time of the history phase (every plugin over every decision time, one task per plugin), seconds. */
  readonly historySeconds: number;
  readonly historyEvaluationsPerSecond: number;
  readonly orders: number;
  readonly fills: number;
  readonly faults: number;
  readonly faultMessages: readonly string[];
}

export interface BacktestSection {
  readonly plugins: readonly string[];
  readonly window: { readonly start: string; readonly end: string; readonly warmupDays: number };
  readonly threads: number;
  readonly results: readonly BacktestFigures[];
}

export interface BacktestOptions {
  readonly dir: string;
  readonly start: string;
  readonly end: string;
  readonly warmupDays: number;
}

/**
 * Section 3: the three real plugins (tsmom, gold-silver-ratio, mean-reversion) through the whole engine in backtest
 * mode over the synthetic window, inline and on the pool, with a durable SQLite journal in a temp file.
 */
export async function measureBacktest(options: BacktestOptions): Promise<BacktestSection> {
  const threads = Math.max(1, os.availableParallelism());
  // The three original plugins by path: other plugins added under plugins/ later would change what is measured.
  const plugins = await loadPlugins({ dirs: [], paths: BACKTEST_PLUGINS.map((id) => `plugins/${id}/index.ts`), settings: {}, defaultMode: 'live' });
  const adapter = new SyntheticDataAdapter({ start: dataStart(options.start, options.warmupDays), end: options.end });
  const { store, instruments } = await loadData(adapter, plugins, { start: options.start, end: options.end, warmupDays: options.warmupDays });
  log(`backtest: plugins ${plugins.map((p) => p.id).join(', ')}; window ${options.start}..${options.end}`);
  const specs = plugins.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }));
  const from = parseDate(options.start);
  const to = parseDate(options.end) + MS_PER_DAY - 1;
  const results: BacktestFigures[] = [];
  for (const kind of ['inline', 'pool'] as const) {
    const executor: Executor = kind === 'inline' ? new InlineExecutor(store, specs) : new PoolExecutor(store, specs, { threads });
    const journal = new SqliteJournal(path.join(options.dir, `journal-backtest-${kind}.sqlite`));
    try {
      // Warm-up: a short backtest (first quarter) on the same wiring, so workers have imported the plugins.
      await runEngine({ runId: newRunId(Date.now(), `bt-${kind}-warm`), mode: 'backtest', from, to: from + 90 * MS_PER_DAY, store, instruments, plugins, executor, journal });
      await settle();
      const runId = newRunId(Date.now(), `bt-${kind}`);
      const run = await runEngine({ runId, mode: 'backtest', from, to, store, instruments, plugins, executor, journal });
      const cycles = run.summary.cycles;
      const evaluations = cycles * plugins.length;
      const seconds = run.wallMs / 1000;
      const historySeconds = run.executor.historyMs / 1000;
      results.push({
        executor: kind,
        cycles,
        seconds,
        cyclesPerSecond: cycles / seconds,
        evaluationsPerSecond: evaluations / seconds,
        historySeconds,
        historyEvaluationsPerSecond: evaluations / historySeconds,
        orders: run.summary.orders,
        fills: run.summary.fills,
        faults: journal.faults(runId).length,
        faultMessages: journal.faults(runId).slice(0, 5).map((f) => `${f.strategyId}: ${f.message}`),
      });
      log(`backtest ${kind}: ${cycles} cycles in ${seconds.toFixed(2)} s (history phase ${historySeconds.toFixed(2)} s)`);
    } finally {
      journal.close();
      await executor.close();
    }
  }
  return { plugins: plugins.map((p) => p.id), window: { start: options.start, end: options.end, warmupDays: options.warmupDays }, threads, results };
}

/** First day of synthetic data: the warm-up before the run start (YYYY-MM-DD). */
function dataStart(start: string, warmupDays: number): string {
  return new Date(parseDate(start) - warmupDays * MS_PER_DAY).toISOString().slice(0, 10);
}
