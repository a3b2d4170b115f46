import { describe, expect, it } from 'vitest';
import { probabilityOfBacktestOverfitting } from './pbo.js';

/** Deterministic standard normal draws (mulberry32 + Box-Muller), so the test data never changes. */
function normalGenerator(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** T × N daily returns: noise with sd 1%, plus a per-strategy drift. */
function returnsMatrix(periods: number, drifts: readonly number[], seed: number): number[][] {
  const draw = normalGenerator(seed);
  return Array.from({ length: periods }, () => drifts.map((drift) => drift + 0.01 * draw()));
}

describe('probabilityOfBacktestOverfitting', () => {
  it('is near 0.5 for strategies that are all the same noise', () => {
    // One data set's PBO is widely spread (sd about 0.22 here) though its expectation is exactly 0.5 for an even N:
    // the in-sample winner's out-of-sample rank is uniform. The mean over 40 data sets has a standard error near 0.035.
    const values = Array.from({ length: 40 }, (_, i) => probabilityOfBacktestOverfitting(returnsMatrix(240, new Array(10).fill(0), 101 + i * 7919), { partitions: 8 }).pbo);
    const average = values.reduce((a, b) => a + b, 0) / values.length;
    expect(average).toBeGreaterThan(0.4);
    expect(average).toBeLessThan(0.6);
  });

  it('is near 0 when one strategy dominates in and out of sample', () => {
    const drifts = [0, 0, 0, 0.004, 0, 0, 0, 0];
    const result = probabilityOfBacktestOverfitting(returnsMatrix(800, drifts, 7));
    expect(result.pbo).toBeLessThan(0.02);
    // the winner ranks top out of sample almost always: λ = ln(8/1)
    const top = result.logits.filter((logit) => Math.abs(logit - Math.log(8)) < 1e-12).length;
    expect(top / result.logits.length).toBeGreaterThan(0.95);
  });

  it('enumerates C(S, S/2) symmetric splits', () => {
    const matrix = returnsMatrix(64, [0, 0, 0], 3);
    expect(probabilityOfBacktestOverfitting(matrix).combinations).toBe(12870);
    expect(probabilityOfBacktestOverfitting(matrix, { partitions: 4 }).logits).toHaveLength(6);
  });

  it('is 1 with hand-computed logits when the in-sample winner always loses out of sample', () => {
    // Two blocks of two rows. A wins block 0 and loses block 1; B the reverse. Each split picks the loser:
    // rank 1 of 2, relative rank 1/3, λ = ln((1/3) / (2/3)) = -ln 2.
    const matrix = [
      [0.02, -0.01],
      [0.01, -0.02],
      [-0.01, 0.02],
      [-0.02, 0.01],
    ];
    const result = probabilityOfBacktestOverfitting(matrix, { partitions: 2 });
    expect(result.pbo).toBe(1);
    expect(result.logits).toHaveLength(2);
    for (const logit of result.logits) expect(logit).toBeCloseTo(-Math.log(2), 14);
  });

  it('is 0 with hand-computed logits when the in-sample winner also wins out of sample', () => {
    const matrix = [
      [0.02, -0.01],
      [0.01, -0.02],
      [0.03, 0.01],
      [0.01, -0.01],
    ];
    const result = probabilityOfBacktestOverfitting(matrix, { partitions: 2 });
    expect(result.pbo).toBe(0);
    for (const logit of result.logits) expect(logit).toBeCloseTo(Math.log(2), 14);
  });

  it.each([
    ['odd partitions', [[0, 1], [1, 0]], { partitions: 3 }],
    ['more partitions than periods', [[0, 1], [1, 0]], { partitions: 4 }],
    ['a single strategy', Array.from({ length: 4 }, () => [0.01]), { partitions: 2 }],
    ['ragged rows', [[0, 1], [1], [0, 1], [1, 0]], { partitions: 2 }],
    ['NaN', [[0, 1], [Number.NaN, 0], [0, 1], [1, 0]], { partitions: 2 }],
  ])('refuses %s', (_name, matrix, options) => {
    expect(() => probabilityOfBacktestOverfitting(matrix, options)).toThrow(expect.objectContaining({ code: 'SH_ERR_ANALYTICS_INPUT_INVALID' }));
  });
});
