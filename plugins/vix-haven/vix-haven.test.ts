import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, DAILY_CLOSE_LAG_MS, pricePath, resolveParams, runStrategy, seededNormals, seriesFromValues, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import vixHaven from './index.js';

const CALM_DAYS = 300;

/** A calm VIX around 14 (daily noise 0.6 points) for CALM_DAYS, then the given path. */
function vixPath(after: readonly number[]): number[] {
  const noise = seededNormals(21, CALM_DAYS);
  return [...noise.map((z) => Number((14 + 0.6 * z).toFixed(2))), ...after];
}

/** VIX at the close (like CBOE), SPY, GLD and TLT as seeded random walks on the same business days. */
function market(vix: readonly number[], options: { readonly spyVolatility?: number } = {}): SeriesData[] {
  const n = vix.length;
  return [
    barsFromCloses('SPY', pricePath(n, { drift: 0.0003, volatility: options.spyVolatility ?? 0.008, seed: 31 })),
    barsFromCloses('GLD', pricePath(n, { volatility: 0.009, seed: 32 })),
    barsFromCloses('TLT', pricePath(n, { volatility: 0.008, seed: 33 })),
    seriesFromValues('macro:VIX', vix, { availability: { rule: 'lag', lagMs: DAILY_CLOSE_LAG_MS } }),
  ];
}

const ramp = (from: number, to: number, days: number): number[] => Array.from({ length: days }, (_, i) => from + ((to - from) * (i + 1)) / days);
const hold = (level: number, days: number): number[] => Array<number>(days).fill(level);
const modeAt = (run: { states: readonly unknown[] }, index: number): string => (run.states.at(index) as { mode: string }).mode;

describe('vix-haven behaviour', () => {
  it('holds equities while the VIX is calm', () => {
    const run = runStrategy(vixHaven, { data: market(vixPath(hold(14, 20))) });
    expect(signalAt(run, 'SPY', -1)).toBeGreaterThan(0.9);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(signalAt(run, 'TLT', -1)).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^vix-haven VIX 14\.0 z [+-]\d\.\d\d 5d [+-]\d\.\d\d calm: calm since \d{4}-\d\d-\d\d/);
  });

  it('rotates from SPY into GLD and TLT on a spike: level above 25, z above 1.5, rising', () => {
    // 18, 22, 26, 30, 34: the third day is the first above spikeLevel.
    const run = runStrategy(vixHaven, { data: market(vixPath(ramp(14, 34, 5))) });
    const spikeDay = CALM_DAYS + 2;
    expect(run.signals[spikeDay]![0]!.reason).toMatch(/^vix-haven VIX 26\.0 z \+\d+\.\d\d 5d \+\d+\.\d\d spike: calm -> haven/);
    expect(signalAt(run, 'SPY', spikeDay - 1)).toBeGreaterThan(0.9);
    expect(signalAt(run, 'GLD', spikeDay - 1)).toBe(0);
    for (const index of [spikeDay, -1]) {
      expect(signalAt(run, 'SPY', index)).toBe(0);
      expect(signalAt(run, 'GLD', index)).toBeGreaterThan(0.2);
      expect(signalAt(run, 'GLD', index)).toBe(signalAt(run, 'TLT', index));
    }
  });

  it('needs all three spike conditions: level, z-score and a rise', () => {
    // High but settled: the VIX has been around 30 for a year, so 30.5 is not unusual (z below 1.5).
    const high = market([...vixPath([]).map((v) => v + 16), ...ramp(30, 30.5, 5)]);
    const settled = runStrategy(vixHaven, { data: high, times: [high[0]!.available.at(-1)!] });
    expect(Number(/z ([+-]\d+\.\d\d)/.exec(settled.signals[0]![0]!.reason)?.[1])).toBeLessThan(1.5);
    expect(signalAt(settled, 'GLD', 0)).toBe(0);
    // Unusual but low: a jump to 23 has a large z-score, but stays under spikeLevel.
    const belowLevel = runStrategy(vixHaven, { data: market(vixPath(ramp(14, 23, 5))) });
    expect(Number(/z \+(\d+\.\d\d)/.exec(belowLevel.signals.at(-1)![0]!.reason)?.[1])).toBeGreaterThan(3);
    expect(signalAt(belowLevel, 'GLD', -1)).toBe(0);
    // High and unusual but falling: evaluated first on a day the VIX is 36, down from 40 five days before.
    const data = market(vixPath([40, 39, 38, 37, 36.5, 36]));
    const last = data[0]!.available.at(-1)!;
    const falling = runStrategy(vixHaven, { data, times: [last] });
    expect(falling.signals[0]![0]!.reason).toMatch(/VIX 36\.0 z \+\d+\.\d\d 5d -4\.00: calm since/);
    expect(signalAt(falling, 'GLD', 0)).toBe(0);
  });

  it('keeps the haven between the thresholds and returns to SPY once the VIX is calm (hysteresis)', () => {
    const path = vixPath([...ramp(14, 34, 5), ...hold(34, 5), ...ramp(34, 23, 10), ...hold(23, 10), ...ramp(23, 15, 5), ...hold(15, 5)]);
    const run = runStrategy(vixHaven, { data: market(path) });
    const spikeDay = CALM_DAYS + 2;
    for (let i = spikeDay; i < CALM_DAYS + 30; i++) expect(modeAt(run, i), `day ${i}`).toBe('haven');
    // At 23 the VIX is under spikeLevel but above calmLevel, and its z-score is still high: held.
    expect(run.signals[CALM_DAYS + 29]![0]!.reason).toMatch(/VIX 23\.0 z \+\d\.\d\d/);
    expect(modeAt(run, -1)).toBe('calm');
    expect(signalAt(run, 'SPY', -1)).toBeGreaterThan(0.9);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.flat().some((s) => s.reason.includes('haven -> calm'))).toBe(true);
  });

  it('holds a regime at least minHoldDays even when the VIX calms at once', () => {
    const path = vixPath([...ramp(14, 34, 5), ...hold(14, 15)]);
    const run = runStrategy(vixHaven, { data: market(path) });
    const spikeDay = CALM_DAYS + 2;
    const back = run.states.findIndex((s, i) => i > spikeDay && (s as { mode: string }).mode === 'calm');
    expect(back - spikeDay).toBe(10);
    const quick = runStrategy(vixHaven, { params: { minHoldDays: 0 }, data: market(path) });
    expect(modeAt(quick, CALM_DAYS + 4)).toBe('haven');
    expect(modeAt(quick, CALM_DAYS + 5)).toBe('calm');
  });

  it('scales the allocation to the volatility target and splits the haven by its weights', () => {
    const data = market(vixPath(hold(14, 20)), { spyVolatility: 0.02 });
    const run = runStrategy(vixHaven, { params: { rebalanceBand: 0 }, data });
    const closes = data[0]!.columns.close!;
    const n = closes.length;
    const returns = Array.from({ length: 20 }, (_, k) => Math.log(closes[n - 20 + k]! / closes[n - 21 + k]!));
    const mean = returns.reduce((a, b) => a + b, 0) / 20;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 19) * 252);
    expect(signalAt(run, 'SPY', -1)).toBeCloseTo(0.15 / vol, 10);
    const goldOnly = runStrategy(vixHaven, { params: { havenGoldWeight: 0.8, havenBondWeight: 0, havenEquityWeight: 0.2 }, data: market(vixPath(ramp(14, 34, 5))) });
    expect(signalAt(goldOnly, 'TLT', -1)).toBe(0);
    expect(signalAt(goldOnly, 'GLD', -1) / signalAt(goldOnly, 'SPY', -1)).toBeCloseTo(4, 10);
  });

  it('returns zero weights, never NaN, before a year of VIX closes and when the VIX has stopped', () => {
    const short = runStrategy(vixHaven, { data: market(vixPath([]).slice(0, 200)) });
    expect(short.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(short.signals.at(-1)![0]!.reason).toBe('vix-haven waiting for history: 200 of 252 VIX closes');
    const data = market(vixPath(hold(14, 40)));
    const vix = data[3]!;
    const end = vix.time.length - 10;
    const stopped: SeriesData = { spec: vix.spec, time: vix.time.slice(0, end), available: vix.available.slice(0, end), columns: { value: vix.columns.value!.slice(0, end) } };
    const run = runStrategy(vixHaven, { data: [...data.slice(0, 3), stopped] });
    expect(signalAt(run, 'SPY', end - 1)).toBeGreaterThan(0);
    expect(run.signals.at(-1)!.map((s) => s.weight)).toEqual([0, 0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/stale: last close \d{4}-\d\d-\d\d, older than 7d$/);
  });
});

describe('vix-haven params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(vixHaven, 'plugins/vix-haven/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'spikeLevel', value: 5 },
    { name: 'zWindowDays', value: 20 },
    { name: 'havenGoldWeight', value: -0.5 },
    { name: 'minHoldDays', value: 1.5 },
    { name: 'volTarget', value: 3 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(vixHaven.params, { [name]: value }, 'plugins.settings.vix-haven.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.vix-haven.params.${name}`]]);
  });

  it('rejects inconsistent thresholds and haven weights when it is prepared, listing each', () => {
    let error: { code?: string; problems?: { details: { where?: string } }[] } = {};
    try {
      runStrategy(vixHaven, { params: { calmLevel: 30, havenGoldWeight: 0.8, havenBondWeight: 0.5 }, data: market(vixPath([])) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual(['plugins.settings.vix-haven.params.calmLevel', 'plugins.settings.vix-haven.params.havenGoldWeight']);
  });

  it('passes the plugin contract check', () => {
    const path = vixPath([...ramp(14, 34, 5), ...hold(34, 10), ...ramp(34, 15, 10), ...hold(15, 30), ...ramp(15, 40, 5), ...hold(40, 20)]);
    const report = checkStrategyContract(vixHaven, { data: market(path) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(100);
  });
});
