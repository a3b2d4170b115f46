import { shError } from '../errors.js';
import { normalCdf, normalInverseCdf } from './normal.js';

/**
 * The probabilistic and deflated Sharpe ratios of Bailey & López de Prado ("The Sharpe Ratio Efficient Frontier",
 * 2012; "The Deflated Sharpe Ratio", 2014). Every Sharpe ratio here is per period, NOT annualised, measured at the
 * frequency of the observations (divide an annualised daily Sharpe by sqrt(252)); kurtosis is Pearson kurtosis,
 * 3 for normal returns (not excess kurtosis). `moments()` in statistics.ts computes both from a return series.
 */

/** The Euler-Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.577_215_664_901_532_9;

export interface DeflatedSharpeInput {
  /** Per-period Sharpe ratio of the strategy selected (the best of the trials). */
  readonly sharpe: number;
  /** Number of independent trials (strategy variants) tried before selecting it; >= 1, may be fractional (effective count). */
  readonly trials: number;
  /** Variance of the per-period Sharpe ratios across the trials. */
  readonly sharpeVariance: number;
  /** Skewness of the selected strategy's returns; 0 for normal returns. */
  readonly skewness: number;
  /** Pearson kurtosis of the selected strategy's returns; 3 for normal returns. */
  readonly kurtosis: number;
  /** Number of return observations behind `sharpe`. */
  readonly observations: number;
}

/**
 * Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds `benchmarkSharpe`, given an observed
 * `sharpe` over `observations` returns with the given skewness and (Pearson) kurtosis:
 * Φ((SR - SR*) sqrt(n - 1) / sqrt(1 - skew·SR + (kurt - 1)/4 · SR²)).
 * Throws SH_ERR_ANALYTICS_INPUT_INVALID for n < 2, non-finite input or moments that make the variance non-positive.
 * @example probabilisticSharpeRatio(0.1, 0, 101, 0, 3) // Φ(0.1 × 10 / sqrt(1.005)) ≈ 0.8407
 */
export function probabilisticSharpeRatio(sharpe: number, benchmarkSharpe: number, observations: number, skewness: number, kurtosis: number): number {
  assertFinite({ sharpe, benchmarkSharpe, observations, skewness, kurtosis });
  if (observations < 2) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `the probabilistic Sharpe ratio needs at least 2 observations, was given ${observations}`, {
      where: 'observations',
      received: observations,
      expected: 'a count >= 2',
    });
  }
  const variance = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  if (!(variance > 0)) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', 'skewness and kurtosis make the variance of the Sharpe estimate non-positive', {
      where: 'skewness, kurtosis',
      received: { sharpe, skewness, kurtosis },
      expected: '1 - skewness·sharpe + (kurtosis - 1)/4·sharpe² > 0; is the Sharpe per period and the kurtosis Pearson (normal = 3)?',
    });
  }
  return normalCdf(((sharpe - benchmarkSharpe) * Math.sqrt(observations - 1)) / Math.sqrt(variance));
}

/**
 * Expected maximum per-period Sharpe ratio among `trials` independent strategies whose true Sharpe is 0 and whose
 * estimated Sharpe ratios have variance `sharpeVariance` (the False Strategy Theorem):
 * sqrt(V) × ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e))). 0 for a single trial: nothing was selected.
 * @example expectedMaximumSharpe(100, 0.5 / 250) // ≈ 0.1132 (the paper's example)
 */
export function expectedMaximumSharpe(trials: number, sharpeVariance: number): number {
  assertFinite({ trials, sharpeVariance });
  if (trials < 1) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `the number of trials must be at least 1, was ${trials}`, { where: 'trials', received: trials, expected: 'a count >= 1' });
  }
  if (sharpeVariance < 0) {
    throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `the variance of the trials' Sharpe ratios cannot be negative, was ${sharpeVariance}`, {
      where: 'sharpeVariance',
      received: sharpeVariance,
      expected: 'a variance >= 0',
    });
  }
  if (trials === 1) return 0;
  const expected = (1 - EULER_MASCHERONI) * normalInverseCdf(1 - 1 / trials) + EULER_MASCHERONI * normalInverseCdf(1 - 1 / (trials * Math.E));
  return Math.sqrt(sharpeVariance) * expected;
}

/**
 * Deflated Sharpe Ratio: the probabilistic Sharpe ratio of the selected strategy against the Sharpe ratio the best of
 * `trials` worthless strategies would show by luck. It is a probability in [0, 1]; 0.95 is the usual bar.
 * More trials raise the bar and lower the DSR.
 * @example
 * // Bailey & López de Prado's example: annualised SR 2.5 over 1250 days, 100 trials, annualised variance 1/2.
 * deflatedSharpeRatio({ sharpe: 2.5 / Math.sqrt(250), trials: 100, sharpeVariance: 0.5 / 250, skewness: -3, kurtosis: 10, observations: 1250 }) // ≈ 0.90
 */
export function deflatedSharpeRatio(input: DeflatedSharpeInput): number {
  const benchmark = expectedMaximumSharpe(input.trials, input.sharpeVariance);
  return probabilisticSharpeRatio(input.sharpe, benchmark, input.observations, input.skewness, input.kurtosis);
}

function assertFinite(values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) {
      throw shError('SH_ERR_ANALYTICS_INPUT_INVALID', `${name} is not a finite number`, { where: name, received: String(value), expected: 'a finite number' });
    }
  }
}
