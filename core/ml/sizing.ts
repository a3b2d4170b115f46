import { normalCdf } from '../analytics/normal.js';

/**
 * Bet size from the probability that a trade is right (Lopez de Prado 2018, Advances in Financial Machine Learning,
 * ch. 10): with two outcomes, `z = (p - 1/2) / sqrt(p (1 - p))` and size `2 Φ(z) - 1`, in [-1, 1]: 0 at p = 0.5,
 * about 0.16 at 0.6, 0.34 at 0.7, 0.57 at 0.8. NaN for p outside [0, 1].
 *
 * @example probabilityBetSize(0.7) // ≈ 0.337
 */
export function probabilityBetSize(probability: number): number {
  if (!(probability >= 0 && probability <= 1)) return Number.NaN;
  if (probability === 0 || probability === 1) return probability === 1 ? 1 : -1;
  const z = (probability - 0.5) / Math.sqrt(probability * (1 - probability));
  return 2 * normalCdf(z) - 1;
}

/** `value` clipped to [-limit, limit] (limit 1 by default); NaN stays NaN. */
export function clipSymmetric(value: number, limit = 1): number {
  return Math.max(-limit, Math.min(limit, value));
}
