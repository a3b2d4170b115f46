import { describe, expect, it } from 'vitest';
import {
  barsFromCloses,
  checkStrategyContract,
  modelScores,
  pricePath,
  probabilityBetSize,
  resolveParams,
  runStrategy,
  seededNormals,
  seriesFromValues,
  signalAt,
  validateManifest,
  type ReferenceScorer,
  type SeriesData,
} from '../../core/index.js';
import plugin from './index.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
/** Reference classifier: P(profitable) rises with the signed trend strength (feature 1). */
const byTrend = (gain: number): ReferenceScorer => (rows) => modelScores({ probability: { width: 1, values: rows.map((r) => sigmoid(gain * r[1]!)) } }, rows.length);
const constant = (p: number): ReferenceScorer => (rows) => modelScores({ probability: { width: 1, values: rows.map(() => p) } }, rows.length);
const models = { 'meta-label-logit': byTrend(3) };

/** GLD and SLV through drift segments (SLV twice as volatile), VIX around 16 and DFII10 around 0.5 on the same days. */
function market(segments: readonly { days: number; drift: number }[], seed = 1): SeriesData[] {
  const path = (volatility: number, offset: number): number[] => {
    const closes: number[] = [];
    segments.forEach((segment, s) => closes.push(...pricePath(segment.days, { start: closes.at(-1) ?? 100, drift: segment.drift, volatility, seed: seed + 10 * s + offset })));
    return closes;
  };
  const days = segments.reduce((a, s) => a + s.days, 0);
  return [
    barsFromCloses('GLD', path(0.008, 0)),
    barsFromCloses('SLV', path(0.016, 1)),
    seriesFromValues('macro:VIX', seededNormals(seed + 7, days).map((z) => 16 * Math.exp(0.05 * z))),
    seriesFromValues('macro:DFII10', seededNormals(seed + 8, days).map((z, i) => 0.5 + 0.002 * i + 0.02 * z)),
  ];
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

describe('meta-labeller-pm behaviour', () => {
  it('takes the long side in an uptrend, sized from the probability: size(p) x min(1, targetVol / vol60) / n', () => {
    const run = runStrategy(plugin, { data: market([{ days: 400, drift: 0.002 }]), models: { 'meta-label-logit': byTrend(1) } });
    const last = run.signals.at(-1)!;
    for (const signal of last) {
      expect(signal.weight).toBeGreaterThan(0);
      const [, p, size, volScale] = /P\(profit\) (\d\.\d\d) -> size (\d\.\d\d) x vol scale (\d\.\d\d)/.exec(signal.reason)!.map(Number);
      expect(p).toBeGreaterThanOrEqual(0.55);
      expect(size).toBeCloseTo(probabilityBetSize(signal.confidence), 2);
      expect(signal.weight).toBeCloseTo((size! * volScale!) / 2, 2);
    }
    expect(last[0]!.reason).toMatch(/^meta MA50>=MA200 long, P\(profit\) 0\.\d\d -> size 0\.\d\d x vol scale \d\.\d\d \(vol \d+%\) \/ 2 = 0\.\d{3}$/);
    // SLV is twice as volatile: its vol scale is below GLD's.
    expect(signalAt(run, 'SLV', -1)).toBeLessThan(signalAt(run, 'GLD', -1));
  });

  it('takes the short side after the 50-day average falls below the 200-day one', () => {
    const run = runStrategy(plugin, { data: market([{ days: 300, drift: 0.0015 }, { days: 250, drift: -0.003 }]), models });
    expect(signalAt(run, 'GLD', 299)).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', -1)).toBeLessThan(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^meta MA50<MA200 short/);
  });

  it('skips trades the classifier rates below the threshold, and trades them once the threshold is lowered', () => {
    const data = market([{ days: 300, drift: 0.002 }]);
    const skipped = runStrategy(plugin, { data, models: { 'meta-label-logit': constant(0.54) } });
    expect(skipped.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(skipped.signals.at(-1)![0]!.reason).toMatch(/P\(profit\) 0\.54 < 0\.55: skip$/);
    const taken = runStrategy(plugin, { params: { threshold: 0.5 }, data, models: { 'meta-label-logit': constant(0.54) } });
    expect(signalAt(taken, 'GLD', -1)).toBeGreaterThan(0);
    expect(taken.signals.at(-1)![0]!.reason).toContain(`P(profit) 0.54 -> size ${probabilityBetSize(Math.fround(0.54)).toFixed(2)} x vol scale`);
  });

  it('sizes more with a higher probability: a weak trend trades less than a strong one', () => {
    const strong = runStrategy(plugin, { data: market([{ days: 400, drift: 0.003 }]), models });
    const weak = runStrategy(plugin, { data: market([{ days: 400, drift: 0.0004 }]), models });
    const late = (run: typeof strong): number => mean(run.signals.slice(300).map((s) => Math.abs(s[0]!.weight)));
    expect(late(strong)).toBeGreaterThan(2 * late(weak));
  });

  it('scores one row per instrument whose first column is the MA side', () => {
    const seen: (readonly number[])[] = [];
    const data = market([{ days: 260, drift: -0.002 }]);
    const recording: ReferenceScorer = (rows) => {
      seen.push(...rows);
      return byTrend(3)(rows);
    };
    runStrategy(plugin, { data, models: { 'meta-label-logit': recording } });
    const closes = Array.from(data[0]!.columns['close']!);
    const ma = (days: number): number => mean(closes.slice(-days));
    const last = seen.at(-2)!;
    expect(last).toHaveLength(7);
    expect(last[0]).toBe(ma(50) >= ma(200) ? 1 : -1);
    expect(last[1]).toBeGreaterThan(0);
    expect(seen.length).toBe(2 * (260 - 199));
  });

  it('returns zero weights, never NaN, and scores nothing until 200 bars', () => {
    const seen: (readonly number[])[] = [];
    const run = runStrategy(plugin, { data: market([{ days: 199, drift: 0.002 }]), models: { 'meta-label-logit': (rows) => (seen.push(...rows), byTrend(3)(rows)) } });
    expect(seen).toHaveLength(0);
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^meta waiting for history: 199 of 200 bars/);
  });
});

describe('meta-labeller-pm params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(plugin, 'plugins/meta-labeller-pm/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'threshold', value: 0.4 },
    { name: 'targetVol', value: 0 },
    { name: 'modelId', value: '' },
    { name: 'universe', value: [] },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(plugin.params, { [name]: value }, 'plugins.settings.meta-labeller-pm.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.meta-labeller-pm.params.${name}`]]);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(plugin, { data: market([{ days: 300, drift: 0.0015 }, { days: 250, drift: -0.003 }]), models });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(300);
  });
});
