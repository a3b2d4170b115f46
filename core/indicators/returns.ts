/*
 * Changes of a series: daily log returns of prices, their sample statistics, and lagged changes of any series.
 */

/**
 * The last `days` daily log returns `log(close[i] / close[i - 1])` of a price window, oldest first (fewer when the
 * window holds fewer than `days + 1` prices; default: every return of the window).
 *
 * @example logReturns([100, 110, 99]) // Float64Array [log(1.1), log(0.9)] = [0.09531, -0.10536]
 * @example logReturns([100, 110, 99], 1) // Float64Array [log(0.9)]
 */
export function logReturns(close: ArrayLike<number>, days = close.length - 1): Float64Array {
  const n = close.length;
  const count = Math.max(0, Math.min(days, n - 1));
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const i = n - count + k;
    out[k] = Math.log((close[i] as number) / (close[i - 1] as number));
  }
  return out;
}

/** Sample statistics of a run of daily log returns. */
export interface LogReturnStats {
  /** Sum of the log returns: the log return over the whole run. */
  readonly sum: number;
  readonly mean: number;
  /** Sample variance (n - 1 denominator), floored at 0. */
  readonly variance: number;
}

/**
 * Sum, mean and sample variance of the `days` daily log returns that end at `close[end - 1]` (default: the last
 * close), in one pass: variance = max(0, (sum r^2 - days mean^2) / (days - 1)). All NaN when the window has no
 * price before the first of those returns, when `end` is beyond the window, or when `days < 2`.
 *
 * @example logReturnStats([100, 110, 99, 99], 2) // { sum: log(0.9), mean: log(0.9) / 2, variance: log(0.9)^2 / 2 }
 * @example logReturnStats([100, 110, 99, 99], 2, 3) // the returns 100 -> 110 -> 99 only
 */
export function logReturnStats(close: ArrayLike<number>, days: number, end = close.length): LogReturnStats {
  if (days < 2 || end > close.length || end - days < 1) return { sum: Number.NaN, mean: Number.NaN, variance: Number.NaN };
  let sum = 0;
  let sumSquares = 0;
  for (let i = end - days; i < end; i++) {
    const r = Math.log((close[i] as number) / (close[i - 1] as number));
    sum += r;
    sumSquares += r * r;
  }
  const mean = sum / days;
  return { sum, mean, variance: Math.max(0, (sumSquares - days * mean * mean) / (days - 1)) };
}

/**
 * Changes over `lag` rows, `values[i] - values[i - lag]` for every i >= lag, oldest first (a level series: a yield,
 * a share of open interest). NaN where either value is NaN.
 *
 * @example lagDifferences([1, 2, 4, 7], 2) // Float64Array [3, 5]
 */
export function lagDifferences(values: ArrayLike<number>, lag: number): Float64Array {
  return Float64Array.from({ length: Math.max(0, values.length - lag) }, (_, k) => (values[k + lag] as number) - (values[k] as number));
}

/**
 * Log changes over `lag` rows, `log(values[i] / values[i - lag])` for every i >= lag, oldest first (a positive series:
 * a price, a dollar index).
 *
 * @example lagLogChanges([100, 110, 121], 1) // Float64Array [log(1.1), log(1.1)]
 */
export function lagLogChanges(values: ArrayLike<number>, lag: number): Float64Array {
  return Float64Array.from({ length: Math.max(0, values.length - lag) }, (_, k) => Math.log((values[k + lag] as number) / (values[k] as number)));
}
