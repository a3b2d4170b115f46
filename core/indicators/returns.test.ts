import { describe, expect, it } from 'vitest';
import { lagDifferences, lagLogChanges, logReturns, logReturnStats } from './returns.js';

const R = Math.log(1.1);

describe('logReturns', () => {
  it.each([
    { close: [100, 110, 99], days: undefined, expected: [R, Math.log(0.9)] },
    { close: [100, 110, 99], days: 1, expected: [Math.log(0.9)] },
    { close: [100, 110, 99], days: 5, expected: [R, Math.log(0.9)] },
    { close: [100], days: undefined, expected: [] },
    { close: [], days: 3, expected: [] },
  ])('the last $days returns of $close', ({ close, days, expected }) => {
    const out = logReturns(Float64Array.from(close), days);
    expect(out).toBeInstanceOf(Float64Array);
    expect([...out]).toEqual(expected);
  });
});

describe('logReturnStats', () => {
  const close = [100, 110, 99, 99];
  it.each([
    // returns log 1.1, log 0.9, 0
    { days: 3, end: undefined, sum: R + Math.log(0.9) },
    { days: 2, end: undefined, sum: Math.log(0.9) },
    { days: 2, end: 3, sum: R + Math.log(0.9) },
  ])('$days returns ending at close[$end - 1]: sum $sum', ({ days, end, sum }) => {
    const stats = logReturnStats(close, days, end);
    expect(stats.sum).toBeCloseTo(sum, 15);
    expect(stats.mean).toBeCloseTo(sum / days, 15);
  });

  it('computes the sample variance: returns log 0.9 and 0 have variance log(0.9)^2 / 2', () => {
    expect(logReturnStats(close, 2).variance).toBeCloseTo(Math.log(0.9) ** 2 / 2, 15);
    // +r, -r, +r: sample variance 4r^2 / 3
    const r = Math.log(1.01);
    expect(logReturnStats([100, 101, 100, 101], 3).variance).toBeCloseTo((4 * r * r) / 3, 16);
    expect(logReturnStats([100, 100, 100], 2).variance).toBe(0);
  });

  it('is NaN without a price before the first return, beyond the window, or for fewer than 2 returns', () => {
    for (const [days, end] of [[4, 4], [2, 5], [1, 4], [0, 4]] as const) {
      const stats = logReturnStats(close, days, end);
      expect([stats.sum, stats.mean, stats.variance].every(Number.isNaN)).toBe(true);
    }
  });
});

describe('lagged changes', () => {
  it.each([
    { values: [1, 2, 4, 7], lag: 1, expected: [1, 2, 3] },
    { values: [1, 2, 4, 7], lag: 2, expected: [3, 5] },
    { values: [1, 2], lag: 3, expected: [] },
  ])('lagDifferences($values, $lag) = $expected', ({ values, lag, expected }) => {
    expect([...lagDifferences(values, lag)]).toEqual(expected);
  });

  it('keeps NaN where a value is missing', () => {
    expect([...lagDifferences([1, Number.NaN, 4], 1)].map(Number.isNaN)).toEqual([true, true]);
  });

  it.each([
    { values: [100, 110, 121], lag: 1, expected: [R, R] },
    { values: [100, 110, 121], lag: 2, expected: [Math.log(1.21)] },
  ])('lagLogChanges($values, $lag)', ({ values, lag, expected }) => {
    const out = [...lagLogChanges(values, lag)];
    expect(out).toHaveLength(expected.length);
    out.forEach((x, i) => expect(x).toBeCloseTo(expected[i] as number, 15));
  });
});
