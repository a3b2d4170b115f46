import { describe, expect, it } from 'vitest';
import { meanAndVariance, windowMean } from './moments.js';

describe('windowMean', () => {
  it.each([
    { values: [1, 2, 3, 6], from: undefined, to: undefined, mean: 3 },
    { values: [1, 2, 3, 6], from: 2, to: undefined, mean: 4.5 },
    { values: [1, 2, 3, 6], from: 1, to: 3, mean: 2.5 },
    { values: [5], from: undefined, to: undefined, mean: 5 },
  ])('mean of $values[$from..$to) is $mean', ({ values, from, to, mean }) => {
    expect(windowMean(Float64Array.from(values), from, to)).toBe(mean);
    expect(windowMean(values, from, to)).toBe(mean);
  });

  it('is NaN for an empty range', () => {
    expect(windowMean([])).toBeNaN();
    expect(windowMean([1, 2], 2)).toBeNaN();
  });
});

describe('meanAndVariance', () => {
  it.each([
    // deviations -3 -1 -1 -1 0 0 2 4: squares 9 1 1 1 0 0 4 16 = 32, over 7
    { values: [2, 4, 4, 4, 5, 5, 7, 9], mean: 5, variance: 32 / 7 },
    { values: [1, 2, 3, 4], mean: 2.5, variance: 5 / 3 },
    { values: [3, 3, 3], mean: 3, variance: 0 },
  ])('$values: mean $mean, sample variance $variance', ({ values, mean, variance }) => {
    const result = meanAndVariance(values);
    expect(result.mean).toBe(mean);
    expect(result.variance).toBeCloseTo(variance, 15);
  });

  it('has no sample variance for a single value', () => {
    expect(meanAndVariance([7]).mean).toBe(7);
    expect(meanAndVariance([7]).variance).toBeNaN();
  });
});
