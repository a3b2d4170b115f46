import { describe, expect, it } from 'vitest';
import { ewmaVolatility, sampleVolatility, TRADING_DAYS_PER_YEAR, volatilityFromVariance } from './volatility.js';

const r = Math.log(1.01);

describe('volatilityFromVariance', () => {
  it.each([
    { variance: 0.0001, periods: undefined, vol: Math.sqrt(0.0252) },
    { variance: 0.0004, periods: 4, vol: 0.04 },
    { variance: 0, periods: undefined, vol: 0 },
  ])('daily variance $variance x $periods periods', ({ variance, periods, vol }) => {
    expect(volatilityFromVariance(variance, periods)).toBeCloseTo(vol, 15);
  });

  it('annualises over 252 trading days by default', () => {
    expect(TRADING_DAYS_PER_YEAR).toBe(252);
  });
});

describe('sampleVolatility', () => {
  it.each([
    // +r, -r, +r: sample variance 4r^2 / 3
    { close: [100, 101, 100, 101], days: 3, vol: Math.sqrt(((4 * r * r) / 3) * 252) },
    // the last two returns -r, +r: sample variance 2r^2
    { close: [100, 101, 100, 101], days: 2, vol: Math.sqrt(2 * r * r * 252) },
    { close: [100, 100, 100], days: 2, vol: 0 },
  ])('$close over $days days', ({ close, days, vol }) => {
    expect(sampleVolatility(Float64Array.from(close), days)).toBeCloseTo(vol, 14);
  });

  it('is NaN with fewer than days + 1 prices or fewer than 2 returns', () => {
    expect(sampleVolatility([100, 101, 102], 3)).toBeNaN();
    expect(sampleVolatility([100, 101, 102], 1)).toBeNaN();
  });
});

describe('ewmaVolatility', () => {
  it('weights the newest return 1 and each older one by com / (com + 1), demeaned by the weighted mean', () => {
    // returns +r (older, weight 0.5) and -r (newest, weight 1): mean -r/3, deviations -2r/3 and 4r/3,
    // weighted variance (4r^2/9 + 0.5 x 16r^2/9) / 1.5 = 8r^2/9
    expect(ewmaVolatility([100, 101, 100], 1)).toBeCloseTo(Math.sqrt(((8 * r * r) / 9) * 252), 14);
    // equal returns have no deviation from their mean
    expect(ewmaVolatility([100, 110, 121, 133.1], 2)).toBeCloseTo(0, 12);
  });

  it('is NaN with fewer returns than the centre of mass', () => {
    expect(ewmaVolatility([100, 101, 102], 3)).toBeNaN();
    expect(Number.isFinite(ewmaVolatility([100, 101, 102], 2))).toBe(true);
  });
});
