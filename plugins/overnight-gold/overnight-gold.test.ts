import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, resolveParams, runStrategy, seededNormals, validateManifest, type SeriesData } from '../../core/index.js';
import overnightGold from './index.js';

/**
 * GLD bars from separate session returns: open = previous close x exp(night), close = open x exp(day); each session
 * is its drift plus seeded noise.
 */
function sessions(segments: readonly { days: number; night: number; day: number }[], noise = { night: 0.006, day: 0.006 }, seed = 3): SeriesData {
  const total = segments.reduce((a, s) => a + s.days, 0);
  const nightNoise = seededNormals(seed, total);
  const dayNoise = seededNormals(seed + 100, total);
  const opens: number[] = [];
  const closes: number[] = [];
  let close = 100;
  let i = 0;
  for (const segment of segments) {
    for (let k = 0; k < segment.days; k++, i++) {
      const open = close * Math.exp(segment.night + noise.night * nightNoise[i]!);
      close = open * Math.exp(segment.day + noise.day * dayNoise[i]!);
      opens.push(open);
      closes.push(close);
    }
  }
  const bars = barsFromCloses('GLD', closes);
  const open = Float64Array.from(opens);
  const high = Float64Array.from(closes, (c, k) => Math.max(c, opens[k]!) * 1.002);
  const low = Float64Array.from(closes, (c, k) => Math.min(c, opens[k]!) * 0.998);
  return { ...bars, columns: { ...bars.columns, open, high, low } };
}

const closeWeights = (run: ReturnType<typeof runStrategy>): number[] => run.signals.map((s) => s[0]!.closeWeight ?? 0);
const NIGHT_UP_DAY_DOWN = [{ days: 400, night: 0.0012, day: -0.0004 }];

describe('overnight-gold behaviour', () => {
  it('holds GLD from the close to the next open and is flat through the day when nights pay', () => {
    const run = runStrategy(overnightGold, { data: [sessions(NIGHT_UP_DAY_DOWN)] });
    // Never held in the session: the target after every open is 0.
    expect(run.signals.every((s) => s[0]!.weight === 0)).toBe(true);
    const late = closeWeights(run).slice(253);
    expect(late.every((w) => w > 0)).toBe(true);
    const last = run.signals.at(-1)![0]!;
    expect(last.reason).toMatch(/^overnight GLD 252d night \+\d+\.\dbp t \+\d+\.\d, day -\d+\.\dbp, night vol \d+\.\d% -> long \d\.\d\d close-to-open$/);
    expect(last.confidence).toBeGreaterThan(0.9);
  });

  it('is flat when the trailing overnight mean is negative, and long anyway without the filter', () => {
    const data = [sessions([{ days: 400, night: -0.0006, day: 0.0006 }])];
    const filtered = runStrategy(overnightGold, { data });
    expect(closeWeights(filtered).every((w) => w === 0)).toBe(true);
    expect(filtered.signals.at(-1)![0]!.reason).toMatch(/night -\d+\.\dbp t -\d+\.\d, .* -> flat \(t < 0\)$/);
    const unfiltered = runStrategy(overnightGold, { params: { filter: 'none' }, data });
    expect(closeWeights(unfiltered).slice(253).every((w) => w > 0)).toBe(true);
  });

  it('switches off after nights turn negative for long enough to pull the trailing mean below zero', () => {
    const run = runStrategy(overnightGold, { data: [sessions([{ days: 400, night: 0.0006, day: 0 }, { days: 400, night: -0.0008, day: 0 }])] });
    const weights = closeWeights(run);
    expect(weights[399]).toBeGreaterThan(0);
    const off = weights.findIndex((w, i) => i > 399 && w === 0);
    // 252 nights at +6bp against k at -8bp: the mean turns negative after roughly 140 nights.
    expect(off).toBeGreaterThan(450);
    expect(off).toBeLessThan(650);
    expect(weights.at(-1)).toBe(0);
  });

  it('requires a stronger trailing t-statistic with minTStat', () => {
    const data = [sessions([{ days: 400, night: 0.0003, day: 0 }])];
    const t = Number(/bp t ([+-]\d+\.\d), day/.exec(runStrategy(overnightGold, { data }).signals.at(-1)![0]!.reason)?.[1]);
    expect(t).toBeGreaterThan(0.5);
    expect(t).toBeLessThan(4.5);
    const above = runStrategy(overnightGold, { params: { minTStat: Math.floor(t * 10) / 10 }, data });
    const below = runStrategy(overnightGold, { params: { minTStat: Math.ceil(t * 10) / 10 + 0.1 }, data });
    expect(closeWeights(above).at(-1)).toBeGreaterThan(0);
    expect(closeWeights(below).at(-1)).toBe(0);
  });

  it('sizes the overnight position to min(1, volTarget / annualised overnight volatility)', () => {
    const bars = sessions(NIGHT_UP_DAY_DOWN, { night: 0.012, day: 0.004 });
    const run = runStrategy(overnightGold, { params: { filter: 'none', volDays: 60 }, data: [bars] });
    const { open, close } = bars.columns as { open: Float64Array; close: Float64Array };
    const n = open.length;
    const nights = Array.from({ length: 60 }, (_, k) => Math.log(open[n - 60 + k]! / close[n - 61 + k]!));
    const mean = nights.reduce((a, b) => a + b, 0) / 60;
    const vol = Math.sqrt((nights.reduce((a, r) => a + (r - mean) ** 2, 0) / 59) * 252);
    expect(closeWeights(run).at(-1)).toBeCloseTo(Math.min(1, 0.1 / vol), 12);
    expect(closeWeights(run).at(-1)).toBeLessThan(1);
  });

  it('returns zero weights, never NaN, until it has filterDays nights', () => {
    const run = runStrategy(overnightGold, { data: [sessions([{ days: 200, night: 0.001, day: 0 }])] });
    for (const [signal] of run.signals) {
      expect([signal!.weight, signal!.closeWeight]).toEqual([0, 0]);
    }
    expect(run.signals.at(-1)![0]!.reason).toBe('overnight GLD waiting for history: 200 of 253 bars');
  });
});

describe('overnight-gold params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(overnightGold, 'plugins/overnight-gold/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'filter', value: 'momentum' },
    { name: 'filterDays', value: 5 },
    { name: 'minTStat', value: 6 },
    { name: 'volTarget', value: 0 },
    { name: 'symbol', value: 'GLD US' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(overnightGold.params, { [name]: value }, 'plugins.settings.overnight-gold.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.overnight-gold.params.${name}`]]);
  });

  it('passes the plugin contract check on its close leg', () => {
    const data = [sessions([{ days: 400, night: 0.0006, day: -0.0003 }, { days: 300, night: -0.0008, day: 0.0003 }])];
    const report = checkStrategyContract(overnightGold, { data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(200);
    // And the plugin itself runs under the kit's frozen inputs with the open leg always flat.
    expect(runStrategy(overnightGold, { data }).signals.every((s) => s[0]!.weight === 0)).toBe(true);
  });
});
