/*
 * Covariance of return series and the variance of a weighted portfolio of them.
 */

/**
 * Sample covariance (n - 1 denominator) of two series of equal length: means first, then the sum of products of
 * deviations in index order.
 *
 * @example sampleCovariance([1, 2, 3], [2, 4, 9]) // ((-1)(-3) + 0 + (1)(4)) / 2 = 3.5
 */
export function sampleCovariance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] as number;
    my += y[i] as number;
  }
  mx /= n;
  my /= n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ((x[i] as number) - mx) * ((y[i] as number) - my);
  return sum / (n - 1);
}

/**
 * Sample covariance matrix of several series of equal length (one per instrument, e.g. aligned daily log returns):
 * `out[a][b] = sampleCovariance(series[a], series[b])`, symmetric.
 *
 * @example covarianceMatrix([[1, 2, 3], [2, 4, 9]]) // [[1, 3.5], [3.5, 13]]
 */
export function covarianceMatrix(series: readonly ArrayLike<number>[]): number[][] {
  const n = series.length;
  const out: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      const value = sampleCovariance(series[a] as ArrayLike<number>, series[b] as ArrayLike<number>);
      (out[a] as number[])[b] = value;
      (out[b] as number[])[a] = value;
    }
  }
  return out;
}

/**
 * Variance of a portfolio, `sum over a, b of w[a] w[b] cov[a][b]`, in the units of the covariance (daily or
 * annualised). Not floored: rounding can make it slightly negative.
 *
 * @example portfolioVariance([0.5, 0.5], [[0.04, 0.01], [0.01, 0.09]]) // 0.25 x (0.04 + 0.02 + 0.09) = 0.0375
 */
export function portfolioVariance(weights: readonly number[], covariance: readonly (readonly number[])[]): number {
  let variance = 0;
  for (let a = 0; a < weights.length; a++) {
    for (let b = 0; b < weights.length; b++) variance += (weights[a] as number) * (weights[b] as number) * ((covariance[a] as readonly number[])[b] as number);
  }
  return variance;
}
