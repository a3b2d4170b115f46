import { describe, expect, it } from 'vitest';
import { isShError } from '../errors.js';
import {
  annualisedReturn,
  annualisedVolatility,
  calmarRatio,
  maxDrawdown,
  returnsFromEquity,
  sharpeRatio,
  sortinoRatio,
  summarise,
  turnover,
} from './performance.js';
import { mean, moments, sampleStandardDeviation, sampleVariance } from './statistics.js';

/** A known series: mean 0.003, sum of squared deviations 0.00148, so a sample sd of sqrt(0.00037). */
const KNOWN = [0.01, -0.02, 0.03, 0.005, -0.01];

function thrownCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isShError(error) ? error.code : 'not an ShError';
  }
  return undefined;
}

describe('statistics', () => {
  it('computes mean, sample variance and standard deviation by hand-checked values', () => {
    expect(mean([1, 2, 3])).toBe(2);
    expect(sampleVariance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 15);
    expect(sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 14);
    expect(sampleVariance([5])).toBe(0);
    expect(mean([])).toBe(0);
  });

  it('computes skewness and Pearson kurtosis from population moments', () => {
    // deviations -3, -2, -1, 6: m2 = 12.5, m3 = 45, m4 = 348.5
    const m = moments(new Float64Array([1, 2, 3, 10]));
    expect(m.mean).toBe(4);
    expect(m.skewness).toBeCloseTo(45 / Math.pow(12.5, 1.5), 14);
    expect(m.kurtosis).toBeCloseTo(348.5 / 156.25, 14);
    expect(moments([7, 7, 7])).toMatchObject({ variance: 0, skewness: 0, kurtosis: 3 });
  });
});

describe('returnsFromEquity', () => {
  it('gives simple returns, one fewer than the points', () => {
    const r = returnsFromEquity([100, 110, 99]);
    expect(r).toBeInstanceOf(Float64Array);
    expect(r.length).toBe(2);
    expect(r[0]).toBeCloseTo(0.1, 15);
    expect(r[1]).toBeCloseTo(-0.1, 15);
    expect(returnsFromEquity([100]).length).toBe(0);
  });

  it.each([
    ['NaN', [100, Number.NaN, 100]],
    ['zero', [100, 0, 100]],
    ['negative', [-1, 100]],
  ])('refuses %s equity with SH_ERR_ANALYTICS_INPUT_INVALID', (_name, equity) => {
    expect(thrownCode(() => returnsFromEquity(equity))).toBe('SH_ERR_ANALYTICS_INPUT_INVALID');
  });
});

describe('annualised return and volatility', () => {
  it('annualises geometrically', () => {
    expect(annualisedReturn([0.01, 0.01], 2)).toBeCloseTo(0.0201, 14);
    // 10% over 504 daily periods is two years: sqrt(1.1) - 1 a year
    const twoYears = new Float64Array(504).fill(Math.pow(1.1, 1 / 504) - 1);
    expect(annualisedReturn(twoYears)).toBeCloseTo(Math.sqrt(1.1) - 1, 12);
    expect(annualisedReturn([])).toBe(0);
    expect(annualisedReturn([0.5, -1, 0.2])).toBe(-1);
  });

  it('annualises volatility by sqrt(periodsPerYear)', () => {
    expect(annualisedVolatility([0.01, -0.01], 4)).toBeCloseTo(Math.sqrt(0.0002) * 2, 15);
    expect(annualisedVolatility(KNOWN)).toBeCloseTo(Math.sqrt(0.00148 / 4) * Math.sqrt(252), 14);
    expect(annualisedVolatility([0.01])).toBe(0);
  });

  it('refuses a non-positive periodsPerYear', () => {
    expect(thrownCode(() => annualisedReturn([0.01], 0))).toBe('SH_ERR_ANALYTICS_INPUT_INVALID');
  });
});

describe('sharpeRatio', () => {
  it('equals the manual computation on a known series', () => {
    const manual = (0.003 / Math.sqrt(0.00148 / 4)) * Math.sqrt(252);
    expect(sharpeRatio(KNOWN)).toBeCloseTo(manual, 12);
    expect(sharpeRatio(KNOWN)).toBeCloseTo(2.4758290994593564, 12);
    expect(sharpeRatio(new Float64Array(KNOWN))).toBeCloseTo(manual, 12);
  });

  it('charges the annual risk-free rate per period', () => {
    // 2.52% a year is 0.0001 a day
    expect(sharpeRatio(KNOWN, { riskFree: 0.0252 })).toBeCloseTo(2.393301462810711, 12);
    expect(sharpeRatio([0.01, 0.02, 0.03], { periodsPerYear: 1 })).toBeCloseTo(2, 12);
  });

  it.each([
    ['a constant positive return (zero volatility)', new Array(250).fill(0.001)],
    ['a constant awkward return', new Array(97).fill(0.1 + 0.2)],
    ['a single return', [0.05]],
    ['no returns', []],
  ])('is 0, never NaN or Infinity, for %s', (_name, returns) => {
    expect(sharpeRatio(returns)).toBe(0);
    expect(sortinoRatio(returns)).toBe(0);
  });
});

describe('sortinoRatio', () => {
  it('divides by the downside deviation against 0 over all periods', () => {
    // downside: (0.02² + 0.01²) / 5 = 0.0001, deviation 0.01
    expect(sortinoRatio(KNOWN)).toBeCloseTo((0.003 / 0.01) * Math.sqrt(252), 12);
    expect(sortinoRatio([0.02, -0.01, 0.02, -0.01], { periodsPerYear: 1 })).toBeCloseTo(0.005 / Math.sqrt(0.00005), 12);
  });

  it('is 0 when no period loses', () => {
    expect(sortinoRatio([0.01, 0.02, 0.0])).toBe(0);
  });
});

describe('maxDrawdown', () => {
  it.each([
    {
      name: 'recovered drawdown',
      equity: [100, 105, 103, 110, 99, 88, 95, 112, 108],
      expected: { maxDrawdown: 0.2, peakIndex: 3, troughIndex: 5, recoveryIndex: 7, durationPeriods: 4 },
    },
    {
      name: 'unrecovered drawdown runs to the end',
      equity: [100, 90, 80, 85],
      expected: { maxDrawdown: 0.2, peakIndex: 0, troughIndex: 2, recoveryIndex: -1, durationPeriods: 3 },
    },
    {
      name: 'the larger of two drawdowns wins, recovery at equality',
      equity: [100, 95, 100, 150, 90, 150],
      expected: { maxDrawdown: 0.4, peakIndex: 3, troughIndex: 4, recoveryIndex: 5, durationPeriods: 2 },
    },
    {
      name: 'monotone curve has none',
      equity: [100, 101, 102],
      expected: { maxDrawdown: 0, peakIndex: 0, troughIndex: 0, recoveryIndex: 0, durationPeriods: 0 },
    },
    { name: 'empty curve', equity: [], expected: { maxDrawdown: 0, peakIndex: 0, troughIndex: 0, recoveryIndex: 0, durationPeriods: 0 } },
  ])('$name', ({ equity, expected }) => {
    const result = maxDrawdown(equity);
    expect(result.maxDrawdown).toBeCloseTo(expected.maxDrawdown, 14);
    expect({ ...result, maxDrawdown: expected.maxDrawdown }).toEqual(expected);
  });
});

describe('calmarRatio and turnover', () => {
  it('divides the annualised return by the maximum drawdown', () => {
    expect(calmarRatio([100, 80, 110], { periodsPerYear: 2 })).toBeCloseTo(0.5, 12);
    expect(calmarRatio([100, 101, 102])).toBe(0);
  });

  it('averages traded notional over equity, annualised on request', () => {
    expect(turnover([50, 0, 100], [100, 100, 200])).toBeCloseTo(1 / 3, 15);
    expect(turnover([50, 0, 100], [100, 100, 200], { annualise: true })).toBeCloseTo(84, 12);
    expect(turnover([], [])).toBe(0);
    expect(thrownCode(() => turnover([1, 2], [100]))).toBe('SH_ERR_ANALYTICS_INPUT_INVALID');
  });
});

describe('summarise', () => {
  it('agrees with the individual metrics', () => {
    const equity = [100, 105, 103, 110, 99, 88, 95, 112, 108];
    const returns = returnsFromEquity(equity);
    const summary = summarise(equity, { periodsPerYear: 12, riskFree: 0.01 });
    expect(summary.totalReturn).toBeCloseTo(0.08, 14);
    expect(summary.periods).toBe(8);
    expect(summary.annualisedReturn).toBeCloseTo(Math.pow(1.08, 12 / 8) - 1, 12);
    expect(summary.annualisedVolatility).toBeCloseTo(annualisedVolatility(returns, 12), 14);
    expect(summary.sharpe).toBeCloseTo(sharpeRatio(returns, { periodsPerYear: 12, riskFree: 0.01 }), 14);
    expect(summary.sortino).toBeCloseTo(sortinoRatio(returns, { periodsPerYear: 12, riskFree: 0.01 }), 14);
    expect(summary.maxDrawdown).toBeCloseTo(0.2, 14);
    expect(summary.calmar).toBeCloseTo(summary.annualisedReturn / 0.2, 12);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('is all zeros for a single point', () => {
    expect(summarise([100])).toEqual({ totalReturn: 0, annualisedReturn: 0, annualisedVolatility: 0, sharpe: 0, sortino: 0, maxDrawdown: 0, calmar: 0, periods: 0 });
  });
});
