import { meanAndVariance } from './moments.js';

/** Where the last value of a window stands against the whole window. */
export interface ZScore {
  /** (last - mean) / sd; 0 when the window has no spread (sd 0 or NaN). */
  readonly z: number;
  readonly last: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1 denominator). */
  readonly sd: number;
}

/**
 * z-score of the last value of a window against all of its values (itself included), with the sample standard
 * deviation; z is 0 when the values have no spread, or fewer than two of them.
 *
 * @example zScore([1, 2, 3, 4, 10]).z // (10 - 4) / sqrt(12.5) = 1.697
 */
export function zScore(values: ArrayLike<number>): ZScore {
  const n = values.length;
  const { mean, variance } = meanAndVariance(values);
  const sd = Math.sqrt(variance);
  const last = n > 0 ? (values[n - 1] as number) : Number.NaN;
  return { z: sd > 0 ? (last - mean) / sd : 0, last, mean, sd };
}

/**
 * The last value over the root mean square of the window's finite values: a z-score around zero, not around the
 * mean, so that a persistent trend in a series of changes does not make its own trend look normal. 0 when the last
 * value is not finite or every finite value is 0.
 *
 * @example zScoreAroundZero([3, -4, 5]) // 5 / sqrt((9 + 16 + 25) / 3) = 1.2247
 * @example zScoreAroundZero([3, NaN, 4]) // 4 / sqrt(12.5) = 1.1314: NaN is skipped
 */
export function zScoreAroundZero(values: ArrayLike<number>): number {
  const n = values.length;
  let squares = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) {
      squares += v * v;
      count++;
    }
  }
  const last = n > 0 ? (values[n - 1] as number) : Number.NaN;
  const rms = count > 0 ? Math.sqrt(squares / count) : 0;
  return rms > 0 && Number.isFinite(last) ? last / rms : 0;
}

/**
 * Percentile rank of the last value among the earlier finite values of the window: the share below it, ties counted
 * half (0: below all of them, 1: above all). 0.5 when there is no earlier finite value.
 *
 * @example percentileRank([1, 2, 3, 4, 3]) // (2 below + 0.5 x 1 tie) / 4 = 0.625
 */
export function percentileRank(values: ArrayLike<number>): number {
  const n = values.length;
  const last = values[n - 1] as number;
  let below = 0;
  let equal = 0;
  let count = 0;
  for (let i = 0; i < n - 1; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    count++;
    if (v < last) below++;
    else if (v === last) equal++;
  }
  return count > 0 ? (below + 0.5 * equal) / count : 0.5;
}

/**
 * P(|N(0,1)| < |z|) = erf(|z| / sqrt 2): 0 for a z of 0, near 1 for a large one. The Abramowitz-Stegun 7.1.26
 * approximation of erf (absolute error below 1.5e-7), kept because plugins' confidences are computed with it;
 * use `2 x normalCdf(|z|) - 1` for the exact value.
 *
 * @example twoSidedConfidence(1.96) // 0.9500043 (exact: 0.9500042)
 */
export function twoSidedConfidence(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-x * x);
  return Math.min(1, Math.max(0, erf));
}
