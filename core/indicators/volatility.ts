import { logReturnStats } from './returns.js';

/** Trading days per year: daily variances are annualised by this factor. */
export const TRADING_DAYS_PER_YEAR = 252;

/**
 * Annualised volatility from a daily variance: `sqrt(dailyVariance x periodsPerYear)` (the variance is annualised,
 * then the root taken, which is not bit-identical to `sqrt(variance) x sqrt(252)`).
 *
 * @example volatilityFromVariance(0.0001) // sqrt(0.0252) = 0.15875: 1% a day is about 16% a year
 */
export function volatilityFromVariance(dailyVariance: number, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  return Math.sqrt(dailyVariance * periodsPerYear);
}

/**
 * Realised volatility: the annualised sample standard deviation of the last `days` daily log returns of a price
 * window (see `logReturnStats`). NaN when the window holds fewer than `days + 1` prices or `days < 2`.
 *
 * @example sampleVolatility(ctx.bars('GLD').close, 60) // about 0.15 for gold
 * @example sampleVolatility([100, 101, 100, 101], 3) // returns +r, -r, +r (r = log 1.01): sqrt(252 x 4r^2 / 3) = 0.1824
 */
export function sampleVolatility(close: ArrayLike<number>, days: number): number {
  if (close.length < days + 1) return Number.NaN;
  return volatilityFromVariance(logReturnStats(close, days).variance);
}

/**
 * Annualised EWMA volatility of every daily log return of a price window, newest weighted 1, each older one by a
 * further `centreOfMass / (centreOfMass + 1)`, demeaned by the EWMA mean (Moskowitz-Ooi-Pedersen 2012). NaN when
 * the window holds fewer than `centreOfMass` returns.
 *
 * @example ewmaVolatility(ctx.bars('GLD').close, 60) // the ex-ante volatility of time-series momentum
 * @example ewmaVolatility([100, 101, 100], 1) // weights 1 (newest, -r) and 0.5 (+r), r = log 1.01: 0.1489
 */
export function ewmaVolatility(close: ArrayLike<number>, centreOfMass: number): number {
  const returns = close.length - 1;
  if (returns < centreOfMass) return Number.NaN;
  const decay = centreOfMass / (centreOfMass + 1);
  let weightSum = 0;
  let mean = 0;
  let w = 1;
  for (let i = close.length - 1; i >= 1; i--, w *= decay) {
    mean += w * Math.log((close[i] as number) / (close[i - 1] as number));
    weightSum += w;
  }
  mean /= weightSum;
  let variance = 0;
  w = 1;
  for (let i = close.length - 1; i >= 1; i--, w *= decay) {
    const r = Math.log((close[i] as number) / (close[i - 1] as number)) - mean;
    variance += w * r * r;
  }
  return volatilityFromVariance(variance / weightSum);
}
