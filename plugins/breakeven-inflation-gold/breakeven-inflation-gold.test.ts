import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, seededNormals, seriesFromValues, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import breakevenGold from './index.js';

/** Rows the default params need before a first signal: zWindowDays 756 + changeDays 63. */
const WARM_UP = 819;

/**
 * T10YIE as a noisy walk pulled toward 2% (daily steps of 1bp) for WARM_UP days, then a straight move of `drift` a day for `days`;
 * GLD a seeded random walk on the same business days.
 */
function market(drift: number, days = 63, options: { readonly seed?: number } = {}): SeriesData[] {
  const total = WARM_UP + days;
  const noise = seededNormals(options.seed ?? 4, total);
  const breakeven: number[] = [];
  let level = 2;
  for (let i = 0; i < total; i++) {
    level += i >= WARM_UP ? drift : 0.01 * noise[i]! + 0.02 * (2 - level);
    breakeven.push(Number(level.toFixed(4)));
  }
  return [barsFromCloses('GLD', pricePath(total, { volatility: 0.01, seed: 9 })), seriesFromValues('macro:T10YIE', breakeven)];
}

const zOf = (reason: string): number => Number(/z ([+-]\d+\.\d+)/.exec(reason)?.[1]);

describe('breakeven-inflation-gold behaviour', () => {
  it('is long after breakevens rise over three months, with a larger position the larger the z-score', () => {
    const fast = runStrategy(breakevenGold, { data: market(0.008) });
    const reason = fast.signals.at(-1)![0]!.reason;
    expect(reason).toMatch(/^be-gold T10YIE \d\.\d\d rising \+0\.\d\d over 63d/);
    expect(zOf(reason)).toBeGreaterThan(2);
    expect(signalAt(fast, 'GLD', -1)).toBeGreaterThan(0.3);
    expect(fast.signals.at(-1)![0]!.confidence).toBe(1);
    const slow = runStrategy(breakevenGold, { data: market(0.0008) });
    expect(zOf(slow.signals.at(-1)![0]!.reason)).toBeLessThan(2);
    expect(signalAt(slow, 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(slow, 'GLD', -1)).toBeLessThan(signalAt(fast, 'GLD', -1));
  });

  it('is flat, not short, after breakevens fall', () => {
    const run = runStrategy(breakevenGold, { data: market(-0.008) });
    expect(run.signals.at(-1)![0]!.reason).toContain('falling');
    expect(zOf(run.signals.at(-1)![0]!.reason)).toBeLessThan(-1.5);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.every((s) => s[0]!.weight >= 0)).toBe(true);
  });

  it('measures the change over changeDays: a one-month rise after a two-month fall is long with 21 days, flat with 63', () => {
    const data = market(0, 63);
    const breakeven = data[1]!.columns.value!;
    // Down 1bp a day for 42 days, then up 1bp a day for 21: +0.21 over a month, -0.21 over three.
    const shaped = Float64Array.from(breakeven, (v, i) => (i < WARM_UP ? v : i < WARM_UP + 42 ? v - 0.01 * (i - WARM_UP + 1) : v - 0.42 + 0.01 * (i - WARM_UP - 41)));
    const withShape: SeriesData[] = [data[0]!, { ...data[1]!, columns: { value: shaped } }];
    expect(signalAt(runStrategy(breakevenGold, { params: { changeDays: 21 }, data: withShape }), 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(runStrategy(breakevenGold, { params: { changeDays: 63 }, data: withShape }), 'GLD', -1)).toBe(0);
  });

  it('sizes to min(1, z / fullZ) x min(1, volTarget / vol) and waits above entryZ', () => {
    const data = market(0.0008);
    const run = runStrategy(breakevenGold, { params: { rebalanceBand: 0 }, data });
    const z = zOf(run.signals.at(-1)![0]!.reason);
    const closes = data[0]!.columns.close!;
    const n = closes.length;
    const returns = Array.from({ length: 60 }, (_, k) => Math.log(closes[n - 60 + k]! / closes[n - 61 + k]!));
    const mean = returns.reduce((a, b) => a + b, 0) / 60;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 59) * 252);
    // z is rounded to 2 decimals in the reason.
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo((Math.min(1, z / 2) * 0.1) / vol, 2);
    expect(z).toBeGreaterThan(0.2);
    expect(z).toBeLessThan(2);
    const gated = runStrategy(breakevenGold, { params: { entryZ: z + 0.1, fullZ: 5 }, data });
    expect(signalAt(gated, 'GLD', -1)).toBe(0);
  });

  it('returns zero weights, never NaN, before enough history and when the breakeven series has stopped', () => {
    const short = runStrategy(breakevenGold, { data: market(0.008, 0).map((d) => d) });
    expect(short.signals.every((s) => s[0]!.weight === 0)).toBe(true);
    expect(short.signals.at(-1)![0]!.reason).toBe('be-gold waiting for history: 818 of 819 T10YIE days');
    const data = market(0.008);
    const series = data[1]!;
    const end = series.time.length - 10;
    const stopped: SeriesData = { spec: series.spec, time: series.time.slice(0, end), available: series.available.slice(0, end), columns: { value: series.columns.value!.slice(0, end) } };
    const run = runStrategy(breakevenGold, { data: [data[0]!, stopped] });
    expect(signalAt(run, 'GLD', end - 1)).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/stale: last value \d{4}-\d\d-\d\d, older than 7d$/);
  });
});

describe('breakeven-inflation-gold params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(breakevenGold, 'plugins/breakeven-inflation-gold/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'changeDays', value: 10 },
    { name: 'changeDays', value: 126 },
    { name: 'zWindowDays', value: 50 },
    { name: 'fullZ', value: 0 },
    { name: 'symbol', value: '' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(breakevenGold.params, { [name]: value }, 'plugins.settings.breakeven-inflation-gold.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.breakeven-inflation-gold.params.${name}`]]);
  });

  it('rejects entryZ at or above fullZ when it is prepared', () => {
    let error: { code?: string; details?: { where?: string } } = {};
    try {
      runStrategy(breakevenGold, { params: { entryZ: 2, fullZ: 2 }, data: market(0) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.details?.where).toBe('plugins.settings.breakeven-inflation-gold.params.entryZ');
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(breakevenGold, { data: market(0.004, 200) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(50);
  });
});
