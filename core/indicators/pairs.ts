import { MAX_REASON_LENGTH, type Signal } from '../model/signal.js';

/*
 * Pairs and spreads: closes on common dates, log ratios, volatility-neutral legs, and the signals of a two-leg
 * position. The z-score fade traded on a spread is in fade.ts.
 */

/**
 * Extra rows a pair plugin asks for beyond the aligned days it reads, so that a few days missing in one leg still
 * leave enough dates that both legs have a bar.
 */
export const ALIGNMENT_SLACK_DAYS = 20;

/** The columns of a bar window that alignment reads (a BarWindow is one). */
export interface DatedCloses {
  readonly time: ArrayLike<number>;
  readonly close: ArrayLike<number>;
}

/**
 * Closes of each window on the last `rows` dates that every window has a bar for, oldest first: `out[k][i]` is
 * window k's close on common date i. Fewer than `rows` when the windows share fewer dates; a date missing in any
 * window is skipped, never filled. Times must increase within each window.
 *
 * @example
 * const a = { time: [1, 2, 3, 4], close: [10, 11, 12, 13] };
 * const b = { time: [1, 3, 4], close: [20, 22, 23] };
 * commonCloses([a, b], 2) // [[12, 13], [22, 23]]: dates 3 and 4 (date 2 is missing in b)
 */
export function commonCloses(windows: readonly DatedCloses[], rows: number): number[][] {
  // Read each column once: a window's columns may be getters.
  const times = windows.map((w) => w.time);
  const closes = windows.map((w) => w.close);
  const out: number[][] = windows.map(() => []);
  const cursor = times.map((time) => time.length - 1);
  const first = out[0];
  while (first !== undefined && first.length < rows) {
    // The newest date every window may still share: the oldest of their current dates.
    let latest = Number.POSITIVE_INFINITY;
    for (let k = 0; k < times.length; k++) {
      if ((cursor[k] as number) < 0) return reversed(out);
      latest = Math.min(latest, (times[k] as ArrayLike<number>)[cursor[k] as number] as number);
    }
    let common = true;
    for (let k = 0; k < times.length; k++) {
      const time = times[k] as ArrayLike<number>;
      let i = cursor[k] as number;
      while (i >= 0 && (time[i] as number) > latest) i--;
      cursor[k] = i;
      if (i < 0) return reversed(out);
      if ((time[i] as number) !== latest) common = false;
    }
    if (!common) continue;
    for (let k = 0; k < times.length; k++) {
      (out[k] as number[]).push((closes[k] as ArrayLike<number>)[cursor[k] as number] as number);
      cursor[k] = (cursor[k] as number) - 1;
    }
  }
  return reversed(out);
}

function reversed(out: number[][]): number[][] {
  for (const column of out) column.reverse();
  return out;
}

/**
 * `log(a / b)` of the closes of two windows on their last `rows` common dates, oldest first (fewer when they share
 * fewer dates): the log price ratio of a pair, e.g. gold/silver.
 *
 * @example commonLogRatios({ time: [1, 2], close: [20, 30] }, { time: [1, 2], close: [10, 10] }, 5) // [log 2, log 3]
 */
export function commonLogRatios(a: DatedCloses, b: DatedCloses, rows: number): number[] {
  const [x, y] = commonCloses([a, b], rows) as [number[], number[]];
  return x.map((value, i) => Math.log(value / (y[i] as number)));
}

/**
 * Volatility-neutral shares of a two-leg position: each leg's share of the gross is the other leg's volatility over
 * the sum, so both legs carry the same volatility and the riskier one gets the smaller share. [0.5, 0.5] unless
 * both volatilities are positive.
 *
 * @example volatilityNeutralShares(0.15, 0.3) // [2/3, 1/3]: silver at twice gold's volatility gets half its weight
 */
export function volatilityNeutralShares(volA: number, volB: number): [number, number] {
  return volA > 0 && volB > 0 ? [volB / (volA + volB), volA / (volA + volB)] : [0.5, 0.5];
}

/**
 * The two signals of a pair position: one per leg, with its weight, both with the same confidence and reason (cut
 * to MAX_REASON_LENGTH characters).
 *
 * @example pairSignals(['GLD', 'SLV'], [-0.65, 0.35], 0.99, 'gsr z +3.49 ...') // [{ symbol: 'GLD', weight: -0.65, ... }, { symbol: 'SLV', weight: 0.35, ... }]
 */
export function pairSignals(symbols: readonly [string, string], weights: readonly [number, number], confidence: number, reason: string): Signal[] {
  const text = reason.slice(0, MAX_REASON_LENGTH);
  return [
    { symbol: symbols[0], weight: weights[0], confidence, reason: text },
    { symbol: symbols[1], weight: weights[1], confidence, reason: text },
  ];
}

/**
 * A pair position in words, legs in the order given: each `long` or `short` (a weight of 0 reads `short`: describe
 * only a position that is on), its symbol and its absolute weight to two decimals.
 *
 * @example describeLegs(['SLV', 'GLD'], [0.35, -0.65]) // 'long SLV 0.35 / short GLD 0.65'
 */
export function describeLegs(symbols: readonly [string, string], weights: readonly [number, number]): string {
  const leg = (symbol: string, weight: number): string => `${weight > 0 ? 'long' : 'short'} ${symbol} ${Math.abs(weight).toFixed(2)}`;
  return `${leg(symbols[0], weights[0])} / ${leg(symbols[1], weights[1])}`;
}
