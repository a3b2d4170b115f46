/*
 * From a signal to a weight: a volatility target, inverse-volatility weights, and a no-trade band.
 */

/**
 * Size of a position whose annualised volatility is `targetVol`: `min(cap, targetVol / vol)`; 0 unless vol > 0.
 *
 * @example volatilityTargetSize(0.1, 0.2) // 0.5
 * @example volatilityTargetSize(0.1, 0.05) // 1: capped
 */
export function volatilityTargetSize(targetVol: number, vol: number, cap = 1): number {
  return vol > 0 ? Math.min(cap, targetVol / vol) : 0;
}

/**
 * Inverse-volatility weights that sum to 1: `(1 / vol[i]) / sum of (1 / vol)`, an instrument whose volatility is not
 * positive getting 0. Undefined when no volatility is positive.
 *
 * @example inverseVolatilityWeights([0.1, 0.2, 0.4]) // [4/7, 2/7, 1/7]
 */
export function inverseVolatilityWeights(vols: readonly number[]): number[] | undefined {
  const inverse = vols.map((v) => (v > 0 ? 1 / v : 0));
  const total = inverse.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return undefined;
  return inverse.map((x) => x / total);
}

/**
 * A relative no-trade band (Carver-style buffering): entries, exits and sign flips always trade; a held weight is
 * resized only when the target differs from it by more than `band` times the larger of the two.
 *
 * @example bandedWeight(0.55, 0.5, 0.1) // 0.5: within 10% of 0.55, held
 * @example bandedWeight(0.7, 0.5, 0.1) // 0.7
 * @example bandedWeight(-0.1, 0.5, 0.1) // -0.1: a sign change always trades
 */
export function bandedWeight(target: number, previous: number, band: number): number {
  if (Math.sign(target) !== Math.sign(previous)) return target;
  return Math.abs(target - previous) > band * Math.max(Math.abs(target), Math.abs(previous)) ? target : previous;
}
