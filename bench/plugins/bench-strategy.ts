import { defineStrategy, type Signal } from '../../core/index.js';

/** The instruments bench plugins read: each plugin reads one, picked from its id. */
export const BENCH_SYMBOLS = ['GLD', 'SLV', 'PPLT', 'IAU', 'GDX'] as const;

/** Rows of close history each bench plugin reads per evaluation. */
export const BENCH_HISTORY = 260;

/** Per-evaluation time budget of bench plugins, ms (the host default is 50). */
export const BENCH_TIME_BUDGET_MS = 5_000;

/** State carried from one evaluation to the next (JSON-serialisable, as the contract asks). */
export interface BenchState {
  readonly evaluations: number;
  readonly lastWeight: number;
}

/** Deterministic small hash of a string (FNV-1a, 32 bits). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * One pass of numeric work over a close window: EWMA mean and EWMA variance of daily log returns, with a decay
 * that depends on the pass number (so no two passes are the same computation). Returns the z-score of the last
 * return against that EWMA.
 */
export function ewmaPass(close: Float64Array, pass: number): number {
  const decay = 0.8 + 0.19 * ((pass % 17) / 17);
  let mean = 0;
  let variance = 0;
  let weight = 0;
  let last = 0;
  for (let i = 1; i < close.length; i++) {
    const r = Math.log((close[i] as number) / (close[i - 1] as number));
    weight = decay * weight + 1;
    const delta = r - mean;
    mean += delta / weight;
    variance = decay * variance + delta * (r - mean);
    last = r;
  }
  const sd = weight > 1 ? Math.sqrt(variance / weight) : 0;
  return sd > 0 ? (last - mean) / sd : 0;
}

/**
 * A synthetic strategy for benchmarks: its evaluation does `work` EWMA/variance passes over its close window
 * (cost proportional to `work`) and returns one deterministic signal on one instrument, with its weight quantised
 * to steps of 0.25 so it does not change on every bar.
 *
 * @param id plugin id (kebab-case); it also picks the instrument the plugin reads and trades
 * @param work number of passes over the window per evaluation (>= 1)
 */
export function makeBenchStrategy(id: string, work: number) {
  const passes = Math.max(1, Math.floor(work));
  const symbol = BENCH_SYMBOLS[hash(id) % BENCH_SYMBOLS.length] as string;
  return defineStrategy({
    id,
    version: '1.0.0',
    api: 1,
    summary: `Benchmark plugin: ${passes} EWMA/variance pass(es) over ${BENCH_HISTORY} closes of ${symbol}`,
    params: {},
    // Generous budget: on a shared, busy machine a preempted evaluation must not fault a plugin and shrink the workload.
    timeBudgetMs: BENCH_TIME_BUDGET_MS,
    needs: () => ({ bars: [symbol], history: BENCH_HISTORY }),
    init: (): BenchState => ({ evaluations: 0, lastWeight: 0 }),
    evaluate(ctx, _params, state) {
      const close = ctx.bars(symbol).close;
      let score = 0;
      if (close.length > 2) {
        for (let k = 0; k < passes; k++) score += ewmaPass(close, k);
        score /= passes;
      }
      const weight = Math.max(-1, Math.min(1, Math.round(-Math.tanh(score) * 4) / 4));
      const signals: Signal[] = [{ symbol, weight, confidence: Math.min(1, Math.abs(score) / 3), reason: `bench z ${score.toFixed(2)}` }];
      return { signals, state: { evaluations: state.evaluations + 1, lastWeight: weight } };
    },
  });
}
