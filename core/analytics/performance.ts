import { shError } from '../errors.js';
import { assertFiniteSeries, mean, sampleStandardDeviation, type NumericSeries } from './statistics.js';

/**
 * Performance metrics over a periodic (by default daily) equity curve or its simple returns.
 * Conventions, the same in every function:
 * - returns are simple per-period returns, r_t = equity_t / equity_{t-1} - 1;
 * - `periodsPerYear` defaults to 252 trading days; `riskFree` is an annual rate, charged per period as riskFree / periodsPerYear;
 * - volatility is the sample standard deviation (n - 1), annualised by sqrt(periodsPerYear);
 * - a ratio whose denominator is 0 (no volatility, no drawdown, fewer than 2 returns) is 0, never NaN or Infinity,
 *   so summaries stay JSON-serialisable; bad input (NaN, non-positive equity) throws SH_ERR_ANALYTICS_INPUT_INVALID.
 */

export const DEFAULT_PERIODS_PER_YEAR = 252;

/**
 * A per-period standard deviation at or below this is treated as zero: a constant-return series computes to a few
 * 1e-19 rather than exactly 0, and dividing by that would report an absurd ratio.
 */
export const VOLATILITY_FLOOR = 1e-12;

export interface PeriodOptions {
  /** Periods in a year: 252 for trading days (default), 52 for weeks, 12 for months. */
  readonly periodsPerYear?: number;
}

export interface RatioOptions extends PeriodOptions {
  /** Annual risk-free rate as a fraction (0.04 is 4%); default 0. */
  readonly riskFree?: number;
}

export interface DrawdownResult {
  /** The largest peak-to-trough fall, as a positive fraction of the peak (0.25 is a 25% drawdown); 0 when none. */
  readonly maxDrawdown: number;
  /** Index of the peak the maximum drawdown starts from. */
  readonly peakIndex: number;
  /** Index of the lowest point of the maximum drawdown. */
  readonly troughIndex: number;
  /** First index after the trough where equity is back at or above the peak; -1 when it has not recovered. */
  readonly recoveryIndex: number;
  /** Length of the maximum drawdown episode, peak to recovery, or peak to the last period when not recovered. */
  readonly durationPeriods: number;
}

export interface PerformanceSummary {
  readonly totalReturn: number;
  readonly annualisedReturn: number;
  readonly annualisedVolatility: number;
  readonly sharpe: number;
  readonly sortino: number;
  /** Positive fraction, as in DrawdownResult. */
  readonly maxDrawdown: number;
  readonly calmar: number;
  /** Number of returns, one less than the number of equity points. */
  readonly periods: number;
}

/**
 * Simple returns of an equity curve: one fewer than the points given.
 * Throws SH_ERR_ANALYTICS_INPUT_INVALID unless every point is finite and positive.
 * @example returnsFromEquity([100, 110, 99]) // Float64Array [0.1, -0.1]
 */
export function returnsFromEquity(equity: NumericSeries): Float64Array {
  assertPositiveEquity(equity, 'equity');
  const returns = new Float64Array(Math.max(0, equity.length - 1));
  for (let i = 1; i < equity.length; i++) returns[i - 1] = (equity[i] as number) / (equity[i - 1] as number) - 1;
  return returns;
}

/**
 * Geometric annualised return: (Π(1 + r))^(periodsPerYear / n) - 1. 0 for no returns; -1 once a return is -100% or worse.
 * @param periodsPerYear default 252
 * @example annualisedReturn([0.01, 0.01], 2) // 0.0201 (two periods make a year)
 */
export function annualisedReturn(returns: NumericSeries, periodsPerYear = DEFAULT_PERIODS_PER_YEAR): number {
  assertFiniteSeries(returns, 'returns');
  assertPeriodsPerYear(periodsPerYear);
  if (returns.length === 0) return 0;
  let logGrowth = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i] as number;
    if (r <= -1) return -1;
    logGrowth += Math.log1p(r);
  }
  return Math.expm1((logGrowth * periodsPerYear) / returns.length);
}

/**
 * Annualised volatility: sample standard deviation of the returns times sqrt(periodsPerYear); 0 for fewer than 2 returns.
 * @param periodsPerYear default 252
 * @example annualisedVolatility([0.01, -0.01], 4) // 0.028284271247461905 (0.01414 × 2)
 */
export function annualisedVolatility(returns: NumericSeries, periodsPerYear = DEFAULT_PERIODS_PER_YEAR): number {
  assertFiniteSeries(returns, 'returns');
  assertPeriodsPerYear(periodsPerYear);
  return sampleStandardDeviation(returns) * Math.sqrt(periodsPerYear);
}

/**
 * Annualised Sharpe ratio: (mean(r) - riskFree / periodsPerYear) / sd(r) × sqrt(periodsPerYear), with the sample
 * standard deviation. 0 when there are fewer than 2 returns or the volatility is (numerically) zero.
 * @param options riskFree default 0 (annual), periodsPerYear default 252
 * @example sharpeRatio([0.01, 0.02, 0.03], { periodsPerYear: 1 }) // ≈ 2 (mean 0.02 / sd 0.01)
 */
export function sharpeRatio(returns: NumericSeries, options: RatioOptions = {}): number {
  const { riskFree, periodsPerYear } = ratioOptions(options);
  assertFiniteSeries(returns, 'returns');
  if (returns.length < 2) return 0;
  const deviation = sampleStandardDeviation(returns);
  if (deviation <= VOLATILITY_FLOOR) return 0;
  return ((mean(returns) - riskFree / periodsPerYear) / deviation) * Math.sqrt(periodsPerYear);
}

/**
 * Annualised Sortino ratio: (mean(r) - riskFree / periodsPerYear) / downside deviation × sqrt(periodsPerYear), where
 * the downside deviation is sqrt(Σ min(r, 0)² / n) over all n returns (target 0, Sortino & Price).
 * 0 when there are fewer than 2 returns or no losing period (the ratio is then unbounded, and 0 keeps it finite).
 * @param options riskFree default 0 (annual), periodsPerYear default 252
 * @example sortinoRatio([0.02, -0.01, 0.02, -0.01], { periodsPerYear: 1 }) // 0.7071067811865475 (0.005 / sqrt(0.00005))
 */
export function sortinoRatio(returns: NumericSeries, options: RatioOptions = {}): number {
  const { riskFree, periodsPerYear } = ratioOptions(options);
  assertFiniteSeries(returns, 'returns');
  const n = returns.length;
  if (n < 2) return 0;
  let downside = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i] as number;
    if (r < 0) downside += r * r;
  }
  const deviation = Math.sqrt(downside / n);
  if (deviation <= VOLATILITY_FLOOR) return 0;
  return ((mean(returns) - riskFree / periodsPerYear) / deviation) * Math.sqrt(periodsPerYear);
}

/**
 * Maximum drawdown of an equity curve, with where it starts, bottoms and recovers. Ties keep the first occurrence.
 * @example maxDrawdown([100, 120, 90, 100, 130]) // { maxDrawdown: 0.25, peakIndex: 1, troughIndex: 2, recoveryIndex: 4, durationPeriods: 3 }
 */
export function maxDrawdown(equity: NumericSeries): DrawdownResult {
  assertPositiveEquity(equity, 'equity');
  let peak = -Infinity;
  let peakAt = 0;
  let worst = 0;
  let peakIndex = 0;
  let troughIndex = 0;
  for (let i = 0; i < equity.length; i++) {
    const value = equity[i] as number;
    if (value > peak) {
      peak = value;
      peakAt = i;
      continue;
    }
    const drawdown = 1 - value / peak;
    if (drawdown > worst) {
      worst = drawdown;
      peakIndex = peakAt;
      troughIndex = i;
    }
  }
  if (worst === 0) return { maxDrawdown: 0, peakIndex: 0, troughIndex: 0, recoveryIndex: 0, durationPeriods: 0 };
  const peakValue = equity[peakIndex] as number;
  let recoveryIndex = -1;
  for (let i = troughIndex + 1; i < equity.length; i++) {
    if ((equity[i] as number) >= peakValue) {
      recoveryIndex = i;
      break;
    }
  }
  const end = recoveryIndex === -1 ? equity.length - 1 : recoveryIndex;
  return { maxDrawdown: worst, peakIndex, troughIndex, recoveryIndex, durationPeriods: end - peakIndex };
}

/**
 * Calmar ratio of an equity curve: annualised (geometric) return / maximum drawdown; 0 when there is no drawdown.
 * @param options periodsPerYear default 252
 * @example calmarRatio([100, 80, 110], { periodsPerYear: 2 }) // 0.1 / 0.2 = 0.5
 */
export function calmarRatio(equity: NumericSeries, options: PeriodOptions = {}): number {
  const periodsPerYear = options.periodsPerYear ?? DEFAULT_PERIODS_PER_YEAR;
  const drawdown = maxDrawdown(equity).maxDrawdown;
  if (drawdown === 0) return 0;
  return annualisedReturn(returnsFromEquity(equity), periodsPerYear) / drawdown;
}

export interface TurnoverOptions extends PeriodOptions {
  /** Multiply the average per-period turnover by periodsPerYear; default false. */
  readonly annualise?: boolean;
}

/**
 * Turnover: the average over periods of traded notional / equity. Traded notional is two-sided, the sum of |quantity
 * × price × multiplier| of buys and sells, so a full rotation of the book counts 2. 0 for no periods.
 * @param options annualise default false, periodsPerYear default 252
 * @example turnover([50, 0, 100], [100, 100, 200]) // (0.5 + 0 + 0.5) / 3 = 0.3333333333333333
 */
export function turnover(tradedNotional: NumericSeries, equity: NumericSeries, options: TurnoverOptions = {}): number {
  const periodsPerYear = options.periodsPerYear ?? DEFAULT_PERIODS_PER_YEAR;
  assertPeriodsPerYear(periodsPerYear);
  assertFiniteSeries(tradedNotional, 'tradedNotional');
  assertPositiveEquity(equity, 'equity');
  if (tradedNotional.length !== equity.length) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `tradedNotional has ${tradedNotional.length} periods and equity ${equity.length}`, {
      where: 'tradedNotional',
      received: tradedNotional.length,
      expected: `${equity.length} periods, one per equity point`,
    });
  }
  if (equity.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < equity.length; i++) sum += Math.abs(tradedNotional[i] as number) / (equity[i] as number);
  const average = sum / equity.length;
  return options.annualise === true ? average * periodsPerYear : average;
}

/**
 * Every headline metric of an equity curve at once. A curve of fewer than 2 points has all metrics 0.
 * @param options riskFree default 0 (annual), periodsPerYear default 252
 * @example summarise(dailyEquity).sharpe
 */
export function summarise(equity: NumericSeries, options: RatioOptions = {}): PerformanceSummary {
  const { riskFree, periodsPerYear } = ratioOptions(options);
  const returns = returnsFromEquity(equity);
  const drawdown = maxDrawdown(equity).maxDrawdown;
  const yearly = annualisedReturn(returns, periodsPerYear);
  return {
    totalReturn: equity.length < 2 ? 0 : (equity[equity.length - 1] as number) / (equity[0] as number) - 1,
    annualisedReturn: yearly,
    annualisedVolatility: annualisedVolatility(returns, periodsPerYear),
    sharpe: sharpeRatio(returns, { riskFree, periodsPerYear }),
    sortino: sortinoRatio(returns, { riskFree, periodsPerYear }),
    maxDrawdown: drawdown,
    calmar: drawdown === 0 ? 0 : yearly / drawdown,
    periods: returns.length,
  };
}

function ratioOptions(options: RatioOptions): { riskFree: number; periodsPerYear: number } {
  const riskFree = options.riskFree ?? 0;
  const periodsPerYear = options.periodsPerYear ?? DEFAULT_PERIODS_PER_YEAR;
  assertPeriodsPerYear(periodsPerYear);
  if (!Number.isFinite(riskFree)) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', 'riskFree must be a finite annual rate', { where: 'riskFree', received: String(riskFree), expected: 'a finite number such as 0.04' });
  }
  return { riskFree, periodsPerYear };
}

function assertPeriodsPerYear(periodsPerYear: number): void {
  if (!Number.isFinite(periodsPerYear) || periodsPerYear <= 0) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', 'periodsPerYear must be a positive number', {
      where: 'periodsPerYear',
      received: String(periodsPerYear),
      expected: 'a positive number: 252 for trading days, 52 for weeks, 12 for months',
    });
  }
}

function assertPositiveEquity(equity: NumericSeries, name: string): void {
  for (let i = 0; i < equity.length; i++) {
    const value = equity[i] as number;
    if (!Number.isFinite(value) || value <= 0) {
      throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `${name}[${i}] is not a finite positive amount`, {
        where: `${name}[${i}]`,
        received: String(value),
        expected: 'finite, positive equity at every point (a curve that reaches zero has no returns after it)',
      });
    }
  }
}
