/**
 * The standard normal distribution: density, cumulative distribution and its inverse, in plain JS, accurate to
 * about 1e-15 (absolute, and relative in the lower tail). The deflated Sharpe ratio and the probabilistic Sharpe
 * ratio are built on them.
 */

const LN_SQRT_2PI = 0.918_938_533_204_672_7;
const SQRT_2PI = 2.506_628_274_631_000_5;
/** Below this |x| the Taylor-type series converges fast and cancels little; above, the continued fraction wins. */
const SERIES_LIMIT = 2;
const CONTINUED_FRACTION_TERMS = 120;

/**
 * Standard normal density φ(x).
 * @example normalPdf(0) // 0.3989422804014327
 */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x - LN_SQRT_2PI);
}

/**
 * Standard normal cumulative distribution Φ(x) = P(Z <= x).
 *
 * For |x| < 2 it sums Marsaglia's series Φ(x) = 1/2 + φ(x)(x + x^3/3 + x^5/(3·5) + ...), whose terms are all of one
 * sign; beyond, it evaluates the Laplace continued fraction of the tail, Q(x) = φ(x) / (x + 1/(x + 2/(x + ...))),
 * so lower-tail probabilities keep their relative precision (Φ(-8) = 6.22e-16, not 0).
 * @example normalCdf(1.96) // ≈ 0.9750021048517795
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const magnitude = Math.abs(x);
  if (magnitude < SERIES_LIMIT) {
    let sum = x;
    let previous = 0;
    let term = x;
    const squared = x * x;
    for (let i = 1; sum !== previous; ) {
      previous = sum;
      i += 2;
      term *= squared / i;
      sum = previous + term;
    }
    return 0.5 + sum * normalPdf(x);
  }
  if (magnitude > 40) return x > 0 ? 1 : 0;
  let fraction = magnitude;
  for (let k = CONTINUED_FRACTION_TERMS; k >= 1; k--) fraction = magnitude + k / fraction;
  const tail = normalPdf(magnitude) / fraction;
  return x > 0 ? 1 - tail : tail;
}

// Acklam's rational approximation (relative error < 1.15e-9), refined below by one Halley step.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;

/** Acklam's approximation for p in (0, 0.5]: the lower half, where Φ keeps full relative precision. */
function acklamLower(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/**
 * Inverse of the standard normal cumulative distribution: the x with Φ(x) = p. Acklam's algorithm, refined by one
 * Halley step against normalCdf, to about 1e-15. Returns -Infinity for p = 0, Infinity for p = 1, NaN outside [0, 1].
 * The upper half is computed as -Φ⁻¹(1 - p), which is exact in floating point for p >= 0.5.
 * @example normalInverseCdf(0.975) // ≈ 1.959963984540054
 */
export function normalInverseCdf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p > 0.5) return -normalInverseCdf(1 - p);
  const x = acklamLower(p);
  const error = normalCdf(x) - p;
  const step = error * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - step / (1 + 0.5 * x * step);
}
