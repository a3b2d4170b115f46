import { sampleVolatility, TRADING_DAYS_PER_YEAR } from '../indicators/volatility.js';
import type { BarWindow, SeriesWindow } from '../model/series-store.js';

/*
 * Feature primitives shared by the model fitting tool (host/models) and the model plugins: pure functions of the
 * windows a plugin sees at a decision time. Each reads the END of its window only, so a feature at time t depends on
 * the observations available at t and on nothing else (no look-ahead, by construction). Each returns NaN when the
 * window is too short: callers treat a row with a NaN as "not enough history" and score nothing.
 */

/** Trading days per year, for annualising daily volatility. */
export const ML_TRADING_DAYS = TRADING_DAYS_PER_YEAR;

/**
 * Log return over the last `days` observations: `log(close[n-1] / close[n-1-days])`; NaN when the window holds fewer
 * than `days + 1` values.
 *
 * @example logReturn(ctx.bars('GLD').close, 20) // the 20-day log return
 */
export function logReturn(close: ArrayLike<number>, days: number): number {
  const n = close.length;
  if (days < 1 || n < days + 1) return Number.NaN;
  return Math.log((close[n - 1] as number) / (close[n - 1 - days] as number));
}

/**
 * Annualised sample standard deviation of the last `days` daily log returns (x sqrt(252)); NaN when the window holds
 * fewer than `days + 1` values or `days < 2`.
 *
 * @example realisedVolatility(ctx.bars('GLD').close, 20) // about 0.15 for gold
 */
export function realisedVolatility(close: ArrayLike<number>, days: number): number {
  return sampleVolatility(close, days);
}

/** Mean of the last `days` values; NaN when the window is shorter. */
export function trailingMean(values: ArrayLike<number>, days: number): number {
  const n = values.length;
  if (days < 1 || n < days) return Number.NaN;
  let sum = 0;
  for (let i = n - days; i < n; i++) sum += values[i] as number;
  return sum / days;
}

/**
 * `log(MA(fast) / MA(slow))` of the last closes: positive when the fast moving average is above the slow one (the
 * 50/200-day "golden cross" with fast 50, slow 200). NaN when the window holds fewer than `slow` values.
 */
export function movingAverageGap(close: ArrayLike<number>, fast: number, slow: number): number {
  return Math.log(trailingMean(close, fast) / trailingMean(close, slow));
}

/**
 * A `days`-day log return in units of its own expected standard deviation: `logReturn / (vol x sqrt(days / 252))`,
 * with `vol` the annualised volatility of the last `volDays` returns. Scale-free, so instruments of different
 * volatility share one model. NaN when history is short or the volatility is 0.
 */
export function standardisedReturn(close: ArrayLike<number>, days: number, volDays: number): number {
  const vol = realisedVolatility(close, volDays);
  if (!(vol > 0)) return Number.NaN;
  return logReturn(close, days) / (vol * Math.sqrt(days / ML_TRADING_DAYS));
}

/**
 * The last finite value of a column and the finite value `lag` finite observations before it (macro series may carry
 * gaps as NaN). `undefined` when there are fewer than `lag + 1` finite values.
 */
export function lastAndLagged(values: ArrayLike<number>, lag: number): { last: number; lagged: number } | undefined {
  let seen = 0;
  let last = Number.NaN;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (seen === 0) last = v;
    if (seen === lag) return { last, lagged: v };
    seen++;
  }
  return undefined;
}

/** The last finite value of a column; NaN when there is none. */
export function lastFinite(values: ArrayLike<number>): number {
  return lastAndLagged(values, 0)?.last ?? Number.NaN;
}

/** Change of a level series (a yield, in its own units) over `lag` finite observations; NaN when history is short. */
export function levelChange(values: ArrayLike<number>, lag: number): number {
  const pair = lastAndLagged(values, lag);
  return pair ? pair.last - pair.lagged : Number.NaN;
}

/** Log change of a positive series (VIX, a dollar index) over `lag` finite observations; NaN when history is short. */
export function logChange(values: ArrayLike<number>, lag: number): number {
  const pair = lastAndLagged(values, lag);
  return pair && pair.last > 0 && pair.lagged > 0 ? Math.log(pair.last / pair.lagged) : Number.NaN;
}

/**
 * z-score of the last value against the last `count` finite values (itself included): (last - mean) / sd. NaN when
 * fewer than `count` finite values exist or they are all equal.
 */
export function zScoreOfLast(values: ArrayLike<number>, count: number): number {
  const taken: number[] = [];
  for (let i = values.length - 1; i >= 0 && taken.length < count; i--) {
    const v = values[i] as number;
    if (Number.isFinite(v)) taken.push(v);
  }
  if (taken.length < count || count < 2) return Number.NaN;
  const mean = taken.reduce((a, b) => a + b, 0) / count;
  const variance = taken.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1);
  return variance > 0 ? ((taken[0] as number) - mean) / Math.sqrt(variance) : Number.NaN;
}

/**
 * Speculators' (non-commercial) net long as a share of open interest, per report of a legacy COT window. Open interest
 * is spec_long + comm_long + nonrept_long (every contract has one long side): the real legacy files have no
 * open_interest column, the synthetic ones do, and this sum exists in both.
 */
export function speculatorNetShare(cot: SeriesWindow): Float64Array {
  const specLong = cot.field('spec_long');
  const specShort = cot.field('spec_short');
  const commLong = cot.field('comm_long');
  const smallLong = cot.field('nonrept_long');
  return Float64Array.from({ length: cot.length }, (_, i) => {
    const openInterest = (specLong[i] as number) + (commLong[i] as number) + (smallLong[i] as number);
    return openInterest > 0 ? ((specLong[i] as number) - (specShort[i] as number)) / openInterest : Number.NaN;
  });
}

/**
 * `log(a / b)` of two bar windows' closes on the days both have a bar, oldest first, at most `count` values (fewer
 * when the common history is shorter). Days present in one window only are skipped, never filled.
 */
export function alignedLogRatio(a: BarWindow, b: BarWindow, count: number): Float64Array {
  const out: number[] = [];
  let i = a.length - 1;
  let j = b.length - 1;
  while (i >= 0 && j >= 0 && out.length < count) {
    const ta = a.time[i] as number;
    const tb = b.time[j] as number;
    if (ta === tb) {
      out.push(Math.log((a.close[i] as number) / (b.close[j] as number)));
      i--;
      j--;
    } else if (ta > tb) i--;
    else j--;
  }
  return Float64Array.from(out.reverse());
}
