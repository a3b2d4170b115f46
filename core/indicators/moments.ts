/*
 * Sample moments of a window: the mean and the sample variance, summed in index order. Plugins compare their
 * results bit for bit across versions, so the order of the operations here is part of the contract: do not
 * "improve" it (a compensated sum, a one-pass variance) without checking every plugin's signals.
 */

/**
 * Mean of `values[from..to)` (default: the whole window), summed in index order; NaN for an empty range.
 *
 * @example windowMean([1, 2, 3, 6]) // 3
 * @example windowMean([1, 2, 3, 6], 2) // 4.5: the mean of the last two values
 */
export function windowMean(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i] as number;
  return sum / (to - from);
}

/** Mean and sample variance of a window. */
export interface MeanAndVariance {
  readonly mean: number;
  /** Sample variance, n - 1 denominator: NaN for a single value. */
  readonly variance: number;
}

/**
 * Mean and sample variance (n - 1 denominator, two passes) of all the values of a window.
 * NaN mean for an empty window; NaN variance for a single value.
 *
 * @example meanAndVariance([2, 4, 4, 4, 5, 5, 7, 9]) // { mean: 5, variance: 32 / 7 }
 */
export function meanAndVariance(values: ArrayLike<number>): MeanAndVariance {
  const n = values.length;
  const mean = windowMean(values);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((values[i] as number) - mean) ** 2;
  return { mean, variance: squares / (n - 1) };
}
