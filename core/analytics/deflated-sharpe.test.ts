import { describe, expect, it } from 'vitest';
import { isShError } from '../errors.js';
import { deflatedSharpeRatio, expectedMaximumSharpe, probabilisticSharpeRatio } from './deflated-sharpe.js';
import { normalCdf, normalInverseCdf, normalPdf } from './normal.js';

// Reference values from mpmath at 30 digits and scipy.stats.norm.ppf.
const CDF_CASES: Array<[number, number]> = [
  [0, 0.5],
  [0.5, 0.6914624612740131],
  [1, 0.8413447460685429],
  [-1, 0.15865525393145705],
  [1.96, 0.9750021048517795],
  [-1.96, 0.024997895148220435],
  [2, 0.9772498680518208],
  [3, 0.9986501019683699],
  [-3, 0.0013498980316300946],
  [5, 0.9999997133484281],
  [-5, 2.866515718791939e-7],
];

const INVERSE_CASES: Array<[number, number]> = [
  [1e-10, -6.361340902404056],
  [1e-5, -4.264890793922825],
  [0.001, -3.090232306167813],
  [0.01, -2.3263478740408408],
  [0.02425, -1.972961051311885],
  [0.025, -1.9599639845400545],
  [0.05, -1.6448536269514729],
  [0.3, -0.5244005127080409],
  [0.5, 0],
  [0.7, 0.5244005127080407],
  [0.95, 1.6448536269514722],
  [0.975, 1.959963984540054],
  [0.99, 2.3263478740408408],
  [0.999, 3.090232306167813],
  [1 - 1e-5, 4.264890793923841],
];

describe('standard normal', () => {
  it.each(CDF_CASES)('Φ(%d) matches the reference to 1e-12', (x, expected) => {
    expect(Math.abs(normalCdf(x) - expected)).toBeLessThan(1e-12);
  });

  it('keeps relative precision deep in the lower tail', () => {
    expect(normalCdf(-8) / 6.220960574271784e-16).toBeCloseTo(1, 12);
    expect(normalCdf(-37) / 5.725571222524577e-300).toBeCloseTo(1, 10);
    expect(normalCdf(-50)).toBe(0);
    expect(normalCdf(50)).toBe(1);
  });

  it.each(INVERSE_CASES)('Φ⁻¹(%d) matches the reference to 1e-12', (p, expected) => {
    expect(Math.abs(normalInverseCdf(p) - expected)).toBeLessThan(1e-12);
  });

  it('round-trips Φ(Φ⁻¹(p)) = p across (0, 1)', () => {
    for (let i = 1; i < 1000; i++) {
      const p = i / 1000;
      expect(Math.abs(normalCdf(normalInverseCdf(p)) - p)).toBeLessThan(1e-14);
    }
  });

  it('handles the edges', () => {
    expect(normalInverseCdf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalInverseCdf(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalInverseCdf(1.5)).toBeNaN();
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
  });
});

describe('probabilisticSharpeRatio', () => {
  it('matches the closed form for normal returns', () => {
    // z = 0.1 × sqrt(100) / sqrt(1 + 2/4 × 0.01)
    expect(probabilisticSharpeRatio(0.1, 0, 101, 0, 3)).toBeCloseTo(normalCdf(1 / Math.sqrt(1.005)), 14);
    expect(probabilisticSharpeRatio(0.1, 0, 101, 0, 3)).toBeCloseTo(0.8407, 4);
  });

  it('is 0.5 when the Sharpe equals the benchmark, and lower for negative skew and fat tails', () => {
    expect(probabilisticSharpeRatio(0.05, 0.05, 500, -1, 6)).toBeCloseTo(0.5, 15);
    const normal = probabilisticSharpeRatio(0.1, 0, 250, 0, 3);
    expect(probabilisticSharpeRatio(0.1, 0, 250, -2, 9)).toBeLessThan(normal);
  });

  it.each([
    ['too few observations', () => probabilisticSharpeRatio(0.1, 0, 1, 0, 3)],
    ['a non-finite Sharpe', () => probabilisticSharpeRatio(Number.NaN, 0, 100, 0, 3)],
    ['an impossible variance', () => probabilisticSharpeRatio(1, 0, 100, 5, 3)],
  ])('refuses %s', (_name, run) => {
    expect(run).toThrow(expect.objectContaining({ code: 'SH_ERR_ANALYTICS_INPUT_INVALID' }));
    try {
      run();
    } catch (error) {
      expect(isShError(error, 'SH_ERR_ANALYTICS_INPUT_INVALID')).toBe(true);
    }
  });
});

describe('deflatedSharpeRatio', () => {
  // Bailey & López de Prado (2014), numerical example: annualised SR 2.5 over 1250 days (250 a year), 100 trials
  // whose annualised Sharpe ratios have variance 1/2, skewness -3, kurtosis 10: E[max SR] = 0.1132 a day, DSR = 0.9004.
  const paper = { sharpe: 2.5 / Math.sqrt(250), trials: 100, sharpeVariance: 0.5 / 250, skewness: -3, kurtosis: 10, observations: 1250 };

  it("reproduces the paper's example", () => {
    expect(expectedMaximumSharpe(100, 0.5 / 250)).toBeCloseTo(0.1132, 4);
    expect(deflatedSharpeRatio(paper)).toBeCloseTo(0.9004, 3);
  });

  it('equals the PSR against 0 for a single trial', () => {
    expect(expectedMaximumSharpe(1, 0.01)).toBe(0);
    expect(deflatedSharpeRatio({ ...paper, trials: 1 })).toBe(probabilisticSharpeRatio(paper.sharpe, 0, 1250, -3, 10));
  });

  it('decreases strictly as the number of trials grows', () => {
    const values = [1, 2, 5, 10, 100, 1000, 10000].map((trials) => deflatedSharpeRatio({ ...paper, trials }));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1] as number);
    expect(values[values.length - 1]).toBeGreaterThan(0);
  });

  it('refuses fewer than one trial and a negative variance', () => {
    expect(() => expectedMaximumSharpe(0.5, 0.01)).toThrow(expect.objectContaining({ code: 'SH_ERR_ANALYTICS_INPUT_INVALID' }));
    expect(() => expectedMaximumSharpe(10, -0.01)).toThrow(expect.objectContaining({ code: 'SH_ERR_ANALYTICS_INPUT_INVALID' }));
  });
});
