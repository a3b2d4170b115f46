import { describe, expect, it } from 'vitest';
import { covarianceMatrix, portfolioVariance, sampleCovariance } from './covariance.js';

describe('sampleCovariance', () => {
  it.each([
    // deviations (-1, 0, 1) and (-3, -1, 4): products 3 + 0 + 4 = 7, over 2
    { x: [1, 2, 3], y: [2, 4, 9], cov: 3.5 },
    { x: [1, 2, 3], y: [1, 2, 3], cov: 1 },
    { x: [1, 2, 3], y: [3, 2, 1], cov: -1 },
    { x: [1, 2, 3], y: [5, 5, 5], cov: 0 },
  ])('cov($x, $y) = $cov', ({ x, y, cov }) => {
    expect(sampleCovariance(Float64Array.from(x), y)).toBeCloseTo(cov, 15);
    expect(sampleCovariance(y, x)).toBe(sampleCovariance(x, y));
  });
});

describe('covarianceMatrix', () => {
  it('is the symmetric matrix of pairwise sample covariances', () => {
    expect(covarianceMatrix([[1, 2, 3], [2, 4, 9]])).toEqual([[1, 3.5], [3.5, 13]]);
    expect(covarianceMatrix([])).toEqual([]);
  });
});

describe('portfolioVariance', () => {
  const cov = [[0.04, 0.01], [0.01, 0.09]];
  it.each([
    { weights: [0.5, 0.5], variance: 0.25 * (0.04 + 0.02 + 0.09) },
    { weights: [1, 0], variance: 0.04 },
    { weights: [1, -1], variance: 0.04 - 0.02 + 0.09 },
  ])('w $weights: $variance', ({ weights, variance }) => {
    expect(portfolioVariance(weights, cov)).toBeCloseTo(variance, 15);
  });
});
