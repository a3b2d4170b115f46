import { describe, expect, it } from 'vitest';
import {
  barsFromCloses,
  checkStrategyContract,
  isShError,
  modelScores,
  pricePath,
  resolveParams,
  runStrategy,
  seriesFromValues,
  signalAt,
  validateManifest,
  type ReferenceScorer,
  type SeriesData,
} from '../../core/index.js';
import plugin from './index.js';

/** A 3-state reference "mixture": softmax of [-s, 0, s], s a stress score rising with log VIX and log volatility. */
function threeStates(row: readonly number[]): number[] {
  const s = 4 * ((row[2] as number) - Math.log(20)) + 2 * ((row[1] as number) - Math.log(0.2));
  const e = [Math.exp(-s), 1, Math.exp(s)];
  const total = e[0]! + e[1]! + e[2]!;
  return e.map((v) => v / total);
}

const scorer = (states: (row: readonly number[]) => number[], seen?: (readonly number[])[]): ReferenceScorer => (rows) => {
  seen?.push(...rows);
  const values = rows.flatMap(states);
  return modelScores({ probabilities: { width: values.length / rows.length, values } }, rows.length);
};
const models = { 'regime-gmm': scorer(threeStates) };

/** GLD closes with `calmDays` of 10% volatility, then `stressDays` at 45%; VIX 12 then 35, same business days. */
function market(calmDays: number, stressDays: number, seed = 3): SeriesData[] {
  const calm = pricePath(calmDays, { volatility: 0.006, seed });
  const stress = pricePath(stressDays, { start: calm.at(-1)!, volatility: 0.028, seed: seed + 1 });
  const vix = [...Array(calmDays).fill(12), ...Array(stressDays).fill(35)] as number[];
  return [barsFromCloses('GLD', [...calm, ...stress]), seriesFromValues('macro:VIX', vix)];
}

const exposureIn = (reason: string, label: 'exposure' | 'target'): number => Number(new RegExp(`${label} (-?\\d+\\.\\d+)`).exec(reason)?.[1]);

describe('regime-classifier-pm behaviour', () => {
  it('holds the calm exposure in a calm market and cuts towards the stressed exposure after a volatility and VIX spike', () => {
    const run = runStrategy(plugin, { data: market(120, 40), models });
    expect(signalAt(run, 'GLD', 110)).toBeGreaterThan(0.95);
    expect(signalAt(run, 'GLD', -1)).toBeLessThan(0.3);
    expect(signalAt(run, 'GLD', -1)).toBeGreaterThanOrEqual(0.25);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^regime calm 0\.00 normal 0\.0\d stressed 0\.9\d -> exposure 0\.2\d \(target 0\.2\d\)$/);
    expect(run.signals.at(-1)![0]!.confidence).toBeGreaterThan(0.9);
  });

  it('scores one row of [20-day log return, log 20-day volatility, log VIX] computed from the windows', () => {
    const seen: (readonly number[])[] = [];
    const data = market(60, 0);
    runStrategy(plugin, { data, models: { 'regime-gmm': scorer(threeStates, seen) } });
    const closes = data[0]!.columns['close']!;
    const last = closes.length - 1;
    const returns = Array.from({ length: 20 }, (_, k) => Math.log(closes[last - 19 + k]! / closes[last - 20 + k]!));
    const mean = returns.reduce((a, b) => a + b, 0) / 20;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 19) * 252);
    const row = seen.at(-1)!;
    expect(row[0]).toBeCloseTo(Math.log(closes[last]! / closes[last - 20]!), 12);
    expect(row[1]).toBeCloseTo(Math.log(vol), 10);
    // VIX is published the next morning: at the last close the value seen is the previous day's, here 12.
    expect(row[2]).toBeCloseTo(Math.log(12), 12);
    expect(seen.length).toBe(60 - 20);
  });

  it('weights the state exposures by the posterior, interpolating middle states (a 2-state model too)', () => {
    const half = (): number[] => [0.2, 0.3, 0.5];
    const params = { halfLifeDays: 0, calmExposure: 1, stressedExposure: -0.5 };
    const three = runStrategy(plugin, { params, data: market(40, 0), models: { 'regime-gmm': scorer(half) } });
    expect(signalAt(three, 'GLD', -1)).toBeCloseTo(0.2 * 1 + 0.3 * 0.25 + 0.5 * -0.5, 6);
    const two = runStrategy(plugin, { params, data: market(40, 0), models: { 'regime-gmm': scorer(() => [0.75, 0.25]) } });
    expect(signalAt(two, 'GLD', -1)).toBeCloseTo(0.75 * 1 + 0.25 * -0.5, 6);
    expect(two.signals.at(-1)![0]!.reason).toBe('regime calm 0.75 stressed 0.25 -> exposure 0.63 (target 0.63)');
  });

  it('smooths the exposure with the half-life: half-way to a new target after halfLifeDays evaluations', () => {
    // A model that switches from calm to stressed the day the VIX step becomes visible: the target steps from 1 to 0.25.
    const step = scorer((row) => (row[2]! < Math.log(20) ? [1, 0, 0] : [0, 0, 1]));
    const run = runStrategy(plugin, { params: { halfLifeDays: 3 }, data: market(80, 30), models: { 'regime-gmm': step } });
    const jump = run.signals.findIndex((s) => exposureIn(s[0]!.reason, 'target') === 0.25);
    expect(jump).toBeGreaterThan(20);
    expect(signalAt(run, 'GLD', jump - 1)).toBe(1);
    expect(signalAt(run, 'GLD', jump + 2)).toBeCloseTo(0.25 + 0.75 / 2, 12);
    expect(signalAt(run, 'GLD', jump + 5)).toBeCloseTo(0.25 + 0.75 / 4, 12);
    const unsmoothed = runStrategy(plugin, { params: { halfLifeDays: 0 }, data: market(80, 30), models: { 'regime-gmm': step } });
    expect(signalAt(unsmoothed, 'GLD', jump)).toBe(0.25);
  });

  it('splits the exposure equally across the universe', () => {
    const data = [...market(60, 0), barsFromCloses('SLV', pricePath(60, { seed: 9 }))];
    const run = runStrategy(plugin, { params: { universe: ['GLD', 'SLV'], halfLifeDays: 0 }, data, models });
    expect(signalAt(run, 'SLV', -1)).toBeCloseTo(signalAt(run, 'GLD', -1), 12);
    expect(signalAt(run, 'GLD', -1) * 2).toBeCloseTo(exposureIn(run.signals.at(-1)![0]!.reason, 'exposure'), 2);
  });

  it('returns zero weights, never NaN, and scores nothing until it has 21 bars', () => {
    const seen: (readonly number[])[] = [];
    const run = runStrategy(plugin, { data: market(20, 0), models: { 'regime-gmm': scorer(threeStates, seen) } });
    expect(seen).toHaveLength(0);
    for (const signals of run.signals) {
      expect(signals.map((s) => s.weight)).toEqual([0]);
      expect(signals[0]!.reason).toMatch(/^regime waiting for history: \d+ of 21 bars of GLD/);
    }
  });

  it('faults on a model whose output is not a posterior over states', () => {
    const wrong: ReferenceScorer = (rows) => modelScores({ probabilities: { width: 1, values: rows.map(() => 0.7) } }, rows.length);
    let error: unknown;
    try {
      runStrategy(plugin, { data: market(40, 0), models: { 'regime-gmm': wrong } });
    } catch (e) {
      error = e;
    }
    expect(isShError(error, 'SH_ERR_PLUGIN_FAULTED')).toBe(true);
    expect((error as { details: { cause?: string } }).details.cause).toBe('SH_ERR_INFERENCE_CARD_MISMATCH');
  });

  it('keeps the smoothed exposure in a JSON state and scores the model named by modelId', () => {
    const params = { modelId: 'regime-gmm-real' };
    const run = runStrategy(plugin, { params, data: market(60, 0), models: { 'regime-gmm-real': scorer(threeStates) } });
    const state = JSON.parse(JSON.stringify(run.finalState)) as { exposure: number };
    expect(Object.keys(state)).toEqual(['exposure']);
    expect(state.exposure).toBeCloseTo(signalAt(run, 'GLD', -1), 12);
    expect(() => runStrategy(plugin, { params, data: market(60, 0), models })).toThrow(/regime-gmm-real, which options.models has no reference scorer/);
  });
});

describe('regime-classifier-pm params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(plugin, 'plugins/regime-classifier-pm/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'calmExposure', value: 1.5 },
    { name: 'stressedExposure', value: -2 },
    { name: 'halfLifeDays', value: 61 },
    { name: 'modelId', value: 'Regime GMM' },
    { name: 'universe', value: [] },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(plugin.params, { [name]: value }, 'plugins.settings.regime-classifier-pm.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.regime-classifier-pm.params.${name}`]]);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(plugin, { data: market(150, 60), models });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(150);
  });
});
