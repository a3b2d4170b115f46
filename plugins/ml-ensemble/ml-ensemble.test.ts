import { describe, expect, it } from 'vitest';
import {
  barsFromCloses,
  checkStrategyContract,
  isShError,
  modelScores,
  pricePath,
  resolveParams,
  runStrategy,
  seededNormals,
  seriesFromValues,
  signalAt,
  validateManifest,
  weeklySeries,
  type ReferenceScorer,
  type SeriesData,
} from '../../core/index.js';
import plugin from './index.js';

/** Reference model: the predicted 20-day return follows the 20-day standardised return (feature 1). */
const momentum = (gain: number): ReferenceScorer => (rows) => modelScores({ prediction: { width: 1, values: rows.map((r) => gain * r[1]!) } }, rows.length);
const models = { 'ensemble-gbt': momentum(0.01) };

/** COT reports: speculators' net share of open interest drifting around 20%, the last `extremeWeeks` at 45%. */
function cot(id: string, weeks: number, extremeWeeks = 0, seed = 5): SeriesData {
  const noise = seededNormals(seed, weeks);
  return weeklySeries(id, noise.map((z, i) => {
    const share = i >= weeks - extremeWeeks ? 0.45 : 0.2 + 0.03 * z;
    return { spec_long: 100_000 + share * 400_000, spec_short: 100_000, comm_long: 250_000 - share * 400_000, nonrept_long: 50_000 };
  }), { start: '2018-12-01' });
}

/** GLD and SLV through drift segments, macro series and a year of COT before the first bar. */
function market(segments: readonly { days: number; drift: number }[], options: { extremeWeeks?: number } = {}): SeriesData[] {
  const path = (volatility: number, offset: number): number[] => {
    const closes: number[] = [];
    segments.forEach((segment, s) => closes.push(...pricePath(segment.days, { start: closes.at(-1) ?? 100, drift: segment.drift, volatility, seed: 3 + 10 * s + offset })));
    return closes;
  };
  const days = segments.reduce((a, s) => a + s.days, 0);
  const gld = barsFromCloses('GLD', path(0.009, 0));
  // Reports every Tuesday from 2018-12-04, the last one published (Friday) before the last bar.
  const weeks = Math.floor((gld.time[days - 1]! - Date.parse('2018-12-04')) / (7 * 86_400_000)) - 1;
  return [
    gld,
    barsFromCloses('SLV', path(0.015, 1)),
    seriesFromValues('macro:VIX', seededNormals(21, days).map((z) => 17 * Math.exp(0.05 * z))),
    seriesFromValues('macro:DFII10', seededNormals(22, days).map((z, i) => 0.3 + 0.001 * i + 0.03 * z)),
    seriesFromValues('macro:DTWEXBGS', seededNormals(23, days).map((z) => 110 * Math.exp(0.003 * z))),
    cot('cot:GC', weeks, options.extremeWeeks ?? 0, 5),
    cot('cot:SI', weeks, options.extremeWeeks ?? 0, 6),
  ];
}

/** Annualised sample volatility of the last 60 daily log returns of a close series. */
function vol60(closes: ArrayLike<number>): number {
  const n = closes.length;
  const returns = Array.from({ length: 60 }, (_, k) => Math.log((closes[n - 60 + k] as number) / (closes[n - 61 + k] as number)));
  const mean = returns.reduce((a, b) => a + b, 0) / 60;
  return Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 59) * 252);
}

describe('ml-ensemble behaviour', () => {
  it('is long when the model predicts a positive return: weight = clip(prediction / sigma20) / n', () => {
    const data = market([{ days: 400, drift: 0.0015 }]);
    const seen: (readonly number[])[] = [];
    const run = runStrategy(plugin, { data, models: { 'ensemble-gbt': (rows) => (seen.push(...rows), momentum(0.01)(rows)) } });
    const prediction = Math.fround(0.01 * seen.at(-2)![1]!);
    const sigma = vol60(data[0]!.columns['close']!) * Math.sqrt(20 / 252);
    expect(prediction).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo(Math.min(1, prediction / sigma) / 2, 10);
    expect(signalAt(run, 'SLV', -1)).toBeGreaterThan(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^ensemble pred \+\d\.\d\d% over 20d, sigma \d\.\d% -> z \+\d\.\d\d -> 0\.\d{3}$/);
  });

  it('is short when the model predicts a negative return', () => {
    const run = runStrategy(plugin, { data: market([{ days: 300, drift: 0.001 }, { days: 120, drift: -0.004 }]), models });
    const late = run.signals.slice(-60).flat();
    expect(late.filter((s) => s.weight < 0).length).toBeGreaterThan(0.8 * late.length);
  });

  it('clips the signal: an extreme prediction gives exactly 1 / n; signalScale scales the rest', () => {
    const data = market([{ days: 320, drift: 0.0015 }]);
    const extreme = runStrategy(plugin, { data, models: { 'ensemble-gbt': momentum(10) } });
    expect(signalAt(extreme, 'GLD', -1)).toBe(0.5);
    const base = runStrategy(plugin, { data, models: { 'ensemble-gbt': momentum(0.001) } });
    const doubled = runStrategy(plugin, { params: { signalScale: 2 }, data, models: { 'ensemble-gbt': momentum(0.001) } });
    expect(signalAt(doubled, 'GLD', -1)).toBeCloseTo(2 * signalAt(base, 'GLD', -1), 12);
  });

  it('feeds the model 12 features, among them a COT extreme and the gold/silver ratio z-score', () => {
    const seen: (readonly number[])[] = [];
    runStrategy(plugin, { data: market([{ days: 300, drift: 0.001 }], { extremeWeeks: 1 }), models: { 'ensemble-gbt': (rows) => (seen.push(...rows), momentum(0.01)(rows)) } });
    const last = seen.at(-2)!;
    expect(last).toHaveLength(12);
    // Speculators' net share jumped to 45% from about 20% +/- 3%: far above its 52-report mean.
    expect(last[10]).toBeGreaterThan(3);
    expect(Math.abs(last[11]!)).toBeLessThan(4);
    expect(last.every(Number.isFinite)).toBe(true);
  });

  it('returns zero weights, never NaN, and scores nothing until 251 bars', () => {
    const seen: (readonly number[])[] = [];
    const run = runStrategy(plugin, { data: market([{ days: 250, drift: 0.001 }]), models: { 'ensemble-gbt': (rows) => (seen.push(...rows), momentum(0.01)(rows)) } });
    expect(seen).toHaveLength(0);
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^ensemble waiting for history: 250 of 251 bars/);
  });
});

describe('ml-ensemble params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(plugin, 'plugins/ml-ensemble/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'horizonDays', value: 0 },
    { name: 'signalScale', value: 50 },
    { name: 'volDays', value: 5 },
    { name: 'modelId', value: 'ENSEMBLE' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(plugin.params, { [name]: value }, 'plugins.settings.ml-ensemble.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.ml-ensemble.params.${name}`]]);
  });

  it('rejects an instrument without a COT report in the universe, naming the config path', () => {
    let error: unknown;
    try {
      runStrategy(plugin, { params: { universe: ['GLD', 'PPLT'] }, data: market([{ days: 30, drift: 0 }]), models });
    } catch (e) {
      error = e;
    }
    expect(isShError(error, 'SH_ERR_PLUGIN_PARAM_INVALID')).toBe(true);
    expect((error as { details: { where?: string } }).details.where).toBe('plugins.settings.ml-ensemble.params.universe');
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(plugin, { data: market([{ days: 300, drift: 0.0015 }, { days: 200, drift: -0.003 }]), models });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(300);
  });
});
