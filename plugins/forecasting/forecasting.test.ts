import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, modelScores, pricePath, resolveParams, runStrategy, signalAt, validateManifest, type ReferenceScorer, type SeriesData } from '../../core/index.js';
import plugin from './index.js';

/**
 * Reference quantile model: the median follows a sixth of the 60-day return (feature 1), the 10%-90% band is
 * ±1.28 standard deviations of the 20-day return implied by 20-day volatility (feature 3) times `width`.
 */
const quantileModel = (width = 1, median = (row: readonly number[]) => row[1]! / 6): ReferenceScorer => (rows) =>
  modelScores({ quantiles: { width: 3, values: rows.flatMap((r) => {
    const q50 = median(r);
    const half = 1.2816 * r[3]! * Math.sqrt(20 / 252) * width;
    return [q50 - half, q50, q50 + half];
  }) } }, rows.length);
const models = { 'forecast-quantiles': quantileModel() };

function market(segments: readonly { days: number; drift: number }[], volatility = [0.009, 0.015]): SeriesData[] {
  return ['GLD', 'SLV'].map((symbol, k) => {
    const closes: number[] = [];
    segments.forEach((segment, s) => closes.push(...pricePath(segment.days, { start: closes.at(-1) ?? 100, drift: segment.drift, volatility: volatility[k]!, seed: 17 + 10 * s + k })));
    return barsFromCloses(symbol, closes);
  });
}

describe('forecasting behaviour', () => {
  it('is long when the median forecast is positive: weight = clip(2.5631 x q50 / (q90 - q10)) / n', () => {
    const seen: number[][] = [];
    const recording: ReferenceScorer = (rows) => {
      const scores = quantileModel()(rows);
      const values = scores.outputs['quantiles']!.values;
      seen.push(Array.from(values.subarray(0, 3)));
      return scores;
    };
    const run = runStrategy(plugin, { data: market([{ days: 400, drift: 0.003 }]), models: { 'forecast-quantiles': recording } });
    const [q10, q50, q90] = seen.at(-1)! as [number, number, number];
    expect(q50).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo(Math.min(1, (2.5631 * q50) / (q90 - q10)) / 2, 12);
    expect(signalAt(run, 'SLV', -1)).toBeGreaterThan(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^forecast q10 -\d\.\d\d% q50 \+\d\.\d\d% q90 \+\d+\.\d\d% -> q50\/spread 0\.\d{3} -> 0\.\d{3}$/);
  });

  it('is short when the median forecast is negative', () => {
    const run = runStrategy(plugin, { data: market([{ days: 300, drift: 0.001 }, { days: 120, drift: -0.004 }]), models });
    expect(signalAt(run, 'GLD', -1)).toBeLessThan(0);
    expect(signalAt(run, 'SLV', -1)).toBeLessThan(0);
  });

  it('takes less position for the same median when the forecast is more uncertain (a wider q10-q90 band)', () => {
    const data = market([{ days: 300, drift: 0.0015 }]);
    const narrow = runStrategy(plugin, { data, models: { 'forecast-quantiles': quantileModel(1) } });
    const wide = runStrategy(plugin, { data, models: { 'forecast-quantiles': quantileModel(3) } });
    expect(Math.abs(signalAt(narrow, 'GLD', -1))).toBeLessThan(0.5);
    expect(Math.abs(signalAt(wide, 'GLD', -1))).toBeGreaterThan(0.001);
    expect(signalAt(wide, 'GLD', -1)).toBeCloseTo(signalAt(narrow, 'GLD', -1) / 3, 6);
  });

  it('does not trade crossed or degenerate quantiles', () => {
    const crossed: ReferenceScorer = (rows) => modelScores({ quantiles: { width: 3, values: rows.flatMap(() => [0.02, 0.01, 0.0]) } }, rows.length);
    const run = runStrategy(plugin, { data: market([{ days: 260, drift: 0.001 }]), models: { 'forecast-quantiles': crossed } });
    expect(run.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(run.signals.at(-1)![0]!.reason).toBe('forecast q10 +2.00% q50 +1.00% q90 +0.00%: spread below 0.001, not traded');
  });

  it('clips at 1 / n, and signalScale scales the ratio', () => {
    const data = market([{ days: 300, drift: 0.0015 }]);
    const huge = runStrategy(plugin, { data, models: { 'forecast-quantiles': quantileModel(1, () => 1) } });
    expect(signalAt(huge, 'GLD', -1)).toBe(0.5);
    const base = runStrategy(plugin, { params: { signalScale: 1 }, data, models });
    const scaled = runStrategy(plugin, { params: { signalScale: 2 }, data, models });
    expect(signalAt(scaled, 'GLD', -1)).toBeCloseTo(2 * signalAt(base, 'GLD', -1), 12);
  });

  it('returns zero weights, never NaN, and scores nothing until 251 bars', () => {
    const seen: (readonly number[])[] = [];
    const run = runStrategy(plugin, { data: market([{ days: 250, drift: 0.001 }]), models: { 'forecast-quantiles': (rows) => (seen.push(...rows), quantileModel()(rows)) } });
    expect(seen).toHaveLength(0);
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toBe('forecast waiting for history: 250 of 251 bars');
  });
});

describe('forecasting params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(plugin, 'plugins/forecasting/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'signalScale', value: 0 },
    { name: 'minSpread', value: -0.01 },
    { name: 'universe', value: [] },
    { name: 'modelId', value: 'forecast quantiles' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(plugin.params, { [name]: value }, 'plugins.settings.forecasting.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.forecasting.params.${name}`]]);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(plugin, { data: market([{ days: 300, drift: 0.0015 }, { days: 200, drift: -0.003 }]), models });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(300);
  });
});
