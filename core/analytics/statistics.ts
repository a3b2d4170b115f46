import { shError } from '../errors.js';

/** A series of numbers: a typed array from the series store or a plain array from a report. */
export type NumericSeries = Float64Array | readonly number[];

/** The first four moments of a sample. */
export interface Moments {
  readonly count: number;
  readonly mean: number;
  /** Sample variance (n - 1 denominator); 0 for fewer than 2 values. */
  readonly variance: number;
  /** Skewness from population moments, m3 / m2^1.5; 0 when the variance is 0. */
  readonly skewness: number;
  /** Pearson kurtosis, m4 / m2^2 (3 for a normal distribution, not excess kurtosis); 3 when the variance is 0. */
  readonly kurtosis: number;
}

/**
 * Throw SH_ERR_ANALYTICS_INPUT_INVALID unless every value is finite. Metrics never turn bad input into NaN.
 * `name` is the argument named in the message.
 */
export function assertFiniteSeries(values: NumericSeries, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) {
      throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `${name}[${i}] is not a finite number`, {
        where: `${name}[${i}]`,
        received: String(value),
        expected: 'finite numbers only',
      });
    }
  }
}

/**
 * Arithmetic mean; 0 for an empty series.
 * @example mean([1, 2, 3]) // 2
 */
export function mean(values: NumericSeries): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * Sample variance with the n - 1 denominator (two-pass, so a constant series gives exactly or almost 0);
 * 0 for fewer than 2 values.
 * @example sampleVariance([1, 2, 3, 4]) // 1.6666666666666667
 */
export function sampleVariance(values: NumericSeries): number {
  const n = values.length;
  if (n < 2) return 0;
  const average = mean(values);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const deviation = (values[i] as number) - average;
    sum += deviation * deviation;
  }
  return sum / (n - 1);
}

/**
 * Sample standard deviation (n - 1 denominator); 0 for fewer than 2 values.
 * @example sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]) // 2.138089935299395
 */
export function sampleStandardDeviation(values: NumericSeries): number {
  return Math.sqrt(sampleVariance(values));
}

/**
 * Mean, sample variance, skewness and Pearson kurtosis, as the deflated Sharpe ratio needs them.
 * @example moments([1, 2, 3, 10]).skewness // ≈ 1.018 (right-skewed: m3 = 45, m2 = 12.5)
 */
export function moments(values: NumericSeries): Moments {
  const n = values.length;
  const average = mean(values);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const deviation = (values[i] as number) - average;
    const squared = deviation * deviation;
    m2 += squared;
    m3 += squared * deviation;
    m4 += squared * squared;
  }
  if (n === 0 || m2 === 0) return { count: n, mean: average, variance: 0, skewness: 0, kurtosis: 3 };
  const variance = n > 1 ? m2 / (n - 1) : 0;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { count: n, mean: average, variance, skewness: m3 / Math.pow(m2, 1.5), kurtosis: m4 / (m2 * m2) };
}
