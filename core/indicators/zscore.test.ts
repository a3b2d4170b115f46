import { describe, expect, it } from 'vitest';
import { normalCdf } from '../analytics/normal.js';
import { percentileRank, twoSidedConfidence, zScore, zScoreAroundZero } from './zscore.js';

describe('zScore', () => {
  it.each([
    // mean 4, squared deviations 9 4 1 0 36 = 50, sample sd sqrt(12.5)
    { values: [1, 2, 3, 4, 10], z: 6 / Math.sqrt(12.5), mean: 4, sd: Math.sqrt(12.5) },
    { values: [1, 2, 3], z: 1, mean: 2, sd: 1 },
    { values: [3, 2, 1], z: -1, mean: 2, sd: 1 },
    { values: [5, 5, 5], z: 0, mean: 5, sd: 0 },
  ])('$values: z $z', ({ values, z, mean, sd }) => {
    const result = zScore(Float64Array.from(values));
    expect(result.z).toBeCloseTo(z, 15);
    expect(result.mean).toBe(mean);
    expect(result.sd).toBeCloseTo(sd, 15);
    expect(result.last).toBe(values.at(-1));
  });

  it('is 0 without a spread to measure against', () => {
    expect(zScore([7]).z).toBe(0);
    expect(zScore([]).z).toBe(0);
  });
});

describe('zScoreAroundZero', () => {
  it.each([
    { values: [3, -4, 5], z: 5 / Math.sqrt(50 / 3) },
    { values: [1, 1, 1, 1], z: 1 },
    { values: [2, -2], z: -1 },
    { values: [3, Number.NaN, 4], z: 4 / Math.sqrt(12.5) },
    { values: [3, 4, Number.NaN], z: 0 },
    { values: [0, 0], z: 0 },
    { values: [], z: 0 },
  ])('$values: $z', ({ values, z }) => {
    expect(zScoreAroundZero(values)).toBeCloseTo(z, 15);
  });
});

describe('percentileRank', () => {
  it.each([
    { values: [1, 2, 3, 4, 3], rank: 0.625 },
    { values: [1, 2, 3, 4, 5], rank: 1 },
    { values: [1, 2, 3, 4, 0], rank: 0 },
    { values: [2, 2, 2], rank: 0.5 },
    { values: [Number.NaN, 1, 3, 2], rank: 0.5 },
    { values: [Number.NaN, 2], rank: 0.5 },
    { values: [4], rank: 0.5 },
  ])('$values: $rank', ({ values, rank }) => {
    expect(percentileRank(Float64Array.from(values))).toBe(rank);
  });
});

describe('twoSidedConfidence', () => {
  it.each([
    { z: 0, p: 0 },
    { z: 1, p: 0.682689 },
    { z: -1.96, p: 0.950004 },
    { z: 3, p: 0.9973 },
  ])('P(|N| < |$z|) = $p', ({ z, p }) => {
    expect(twoSidedConfidence(z)).toBeCloseTo(p, 5);
  });

  it('stays within 2e-7 of the exact 2 normalCdf(|z|) - 1, and within [0, 1]', () => {
    for (let z = -6; z <= 6; z += 0.25) {
      expect(Math.abs(twoSidedConfidence(z) - (2 * normalCdf(Math.abs(z)) - 1))).toBeLessThan(2e-7);
      expect(twoSidedConfidence(z)).toBeGreaterThanOrEqual(0);
      expect(twoSidedConfidence(z)).toBeLessThanOrEqual(1);
    }
  });
});
