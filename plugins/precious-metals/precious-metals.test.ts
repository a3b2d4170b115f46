import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, seededNormals, seriesFromValues, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import composite from './index.js';

const BASKET = ['GLD', 'SLV', 'PPLT'];
const TREND_ONLY = { useValue: false, useMacro: false, rebalanceBand: 0 };
const VALUE_ONLY = { useTrend: false, useMacro: false, rebalanceBand: 0 };
const MACRO_ONLY = { useTrend: false, useValue: false, rebalanceBand: 0 };

/** Three metals: gold a random walk with `drift`; silver and platinum gold times their own log-ratio paths. */
function metals(days: number, drift: number, ratioShift: (i: number) => readonly [number, number] = () => [0, 0]): SeriesData[] {
  const gold = pricePath(days, { drift, volatility: 0.01, seed: 4 });
  const silverNoise = seededNormals(5, days);
  const platinumNoise = seededNormals(6, days);
  let silverRatio = 0;
  let platinumRatio = 0;
  const silver: number[] = [];
  const platinum: number[] = [];
  gold.forEach((g, i) => {
    // Ratios mean-revert around 0 (AR(1)) plus a chosen shift: log(silver/gold) and log(platinum/gold).
    silverRatio = 0.97 * silverRatio + 0.01 * silverNoise[i]!;
    platinumRatio = 0.97 * platinumRatio + 0.01 * platinumNoise[i]!;
    const [silverShift, platinumShift] = ratioShift(i);
    silver.push((g / 8) * Math.exp(silverRatio + silverShift));
    platinum.push(g * 0.6 * Math.exp(platinumRatio + platinumShift));
  });
  return [barsFromCloses('GLD', gold), barsFromCloses('SLV', silver), barsFromCloses('PPLT', platinum)];
}

/** DFII10 and DTWEXBGS: flat with noise, then moving by the given totals over the last `moveDays` rows. */
function macro(days: number, realMove: number, dollarMove: number, moveDays = 63): SeriesData[] {
  const noise = seededNormals(8, days);
  const real = noise.map((z, i) => 1 + 0.03 * z + (i >= days - moveDays ? (realMove * (i - (days - moveDays) + 1)) / moveDays : 0));
  const dollar = noise.map((z, i) => 110 * Math.exp(0.002 * z + (i >= days - moveDays ? (dollarMove * (i - (days - moveDays) + 1)) / moveDays : 0)));
  return [seriesFromValues('macro:DFII10', real), seriesFromValues('macro:DTWEXBGS', dollar)];
}

const weightsAt = (run: ReturnType<typeof runStrategy>, index: number): number[] => BASKET.map((s) => signalAt(run, s, index));
const bookVol = (reason: string): number => Number(/book vol (\d+\.\d)%/.exec(reason)?.[1]);

describe('precious-metals behaviour', () => {
  it('trend alone: long every metal after an uptrend, short after a downtrend, at the full volatility target', () => {
    const up = runStrategy(composite, { params: TREND_ONLY, data: metals(400, 0.002) });
    expect(weightsAt(up, -1).every((w) => w > 0)).toBe(true);
    expect(bookVol(up.signals.at(-1)![0]!.reason)).toBe(10);
    expect(up.signals.at(-1)![0]!.reason).toMatch(/^pm GLD trend \+1\.00 -> \+0\.\d\d, book vol 10\.0% \| trend \+\d+\.\d%\/[+-]\d+\.\d%\/[+-]\d+\.\d%$/);
    const down = runStrategy(composite, { params: TREND_ONLY, data: metals(400, -0.002) });
    expect(weightsAt(down, -1).every((w) => w < 0)).toBe(true);
  });

  it('value alone: a rich gold/silver ratio is long silver and short gold', () => {
    // Silver falls 25% against gold over the last 30 days: log(gold/silver) far above its mean.
    const data = metals(600, 0, (i) => [i >= 570 ? -0.25 * Math.min(1, (i - 569) / 10) : 0, 0]);
    const run = runStrategy(composite, { params: VALUE_ONLY, data });
    const [gld, slv, pplt] = weightsAt(run, -1) as [number, number, number];
    expect(slv).toBeGreaterThan(0);
    expect(gld).toBeLessThan(0);
    expect(Math.abs(pplt)).toBeLessThan(Math.abs(slv));
    expect(Number(/au\/ag ([+-]\d+\.\d\d)/.exec(run.signals.at(-1)![0]!.reason)?.[1])).toBeGreaterThan(2);
    expect(run.signals.at(-1)![1]!.reason).toMatch(/^pm SLV value \+1\.00 -> \+\d\.\d\d/);
  });

  it('macro alone: a falling real yield and a weaker dollar are long every metal; the reverse short', () => {
    const bars = metals(300, 0);
    const easing = runStrategy(composite, { params: MACRO_ONLY, data: [...bars, ...macro(300, -0.8, -0.06)] });
    expect(weightsAt(easing, -1).every((w) => w > 0)).toBe(true);
    expect(easing.signals.at(-1)![0]!.reason).toMatch(/macro real -0\.\d\dpp z -\d+\.\d\d, usd -\d\.\d% z -\d+\.\d\d/);
    const tightening = runStrategy(composite, { params: MACRO_ONLY, data: [...bars, ...macro(300, 0.8, 0.06)] });
    expect(weightsAt(tightening, -1).every((w) => w < 0)).toBe(true);
  });

  it('blends with equal risk: the single-signal books summed with weights 1 / sqrt(2), capped at the target', () => {
    // A downtrend (trend short every metal) and a rich gold ratio (value short gold, long silver and platinum):
    // the two books are negatively correlated, so the blend stays under the target and is not rescaled.
    // A low target keeps every weight inside [-1, 1], so nothing is clipped and the books add up exactly.
    const data = metals(600, -0.002, (i) => [i >= 570 ? -0.25 : 0, i >= 570 ? -0.2 : 0]);
    const params = { volTarget: 0.03, useMacro: false, rebalanceBand: 0 };
    const trend = weightsAt(runStrategy(composite, { params: { ...params, useValue: false }, data }), -1);
    const value = weightsAt(runStrategy(composite, { params: { ...params, useTrend: false }, data }), -1);
    const blend = runStrategy(composite, { params, data });
    expect(trend.every((w) => w < 0)).toBe(true);
    expect(value[0]).toBeLessThan(0);
    weightsAt(blend, -1).forEach((w, i) => expect(w).toBeCloseTo((trend[i]! + value[i]!) * Math.SQRT1_2, 12));
    expect(bookVol(blend.signals.at(-1)![0]!.reason)).toBeLessThan(3);
    // With both books long silver and platinum (an uptrend), they add up above the target and are scaled down to it.
    const agreeing = runStrategy(composite, { params, data: metals(600, 0.002, (i) => [i >= 570 ? -0.25 : 0, i >= 570 ? -0.2 : 0]) });
    expect(bookVol(agreeing.signals.at(-1)![0]!.reason)).toBe(3);
    expect(agreeing.signals.at(-1)![0]!.confidence).toBeCloseTo(1, 10);
  });

  it('never runs above the volatility target, and trades less with the rebalance band', () => {
    const data = [...metals(700, 0.001, (i) => [0.1 * Math.sin(i / 40), 0.1 * Math.cos(i / 50)]), ...macro(700, -0.5, 0.03, 200)];
    const run = runStrategy(composite, { data });
    for (const [signal] of run.signals.slice(150)) expect(bookVol(signal!.reason)).toBeLessThanOrEqual(10);
    const trading = (rebalanceBand: number): { changes: number; turnover: number } => {
      const banded = runStrategy(composite, { params: { rebalanceBand }, data });
      const moves = banded.signals.slice(1).flatMap((signals, i) => signals.map((s) => Math.abs(s.weight - signalAt(banded, s.symbol, i))));
      return { changes: moves.filter((m) => m > 0).length, turnover: moves.reduce((a, b) => a + b, 0) };
    };
    const [none, banded] = [trading(0), trading(0.2)];
    expect(banded.changes).toBeLessThan(0.8 * none.changes);
    expect(banded.turnover).toBeLessThan(none.turnover);
  });

  it('leaves the macro sub-signal at 0 while its series are too short', () => {
    const run = runStrategy(composite, { params: { rebalanceBand: 0 }, data: [...metals(300, 0.002), ...macro(40, -0.8, -0.06, 20)] });
    expect(run.signals.at(-1)![0]!.reason).toMatch(/macro \+0\.00 -> .*macro waiting for 84 rows$/);
    expect(weightsAt(run, -1).every((w) => w > 0)).toBe(true);
  });

  it('returns zero weights, never NaN, until the three metals share covDays of history', () => {
    const run = runStrategy(composite, { data: [...metals(100, 0.002), ...macro(100, 0, 0)] });
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toBe('pm waiting for history: fewer than 127 days on which GLD, SLV, PPLT all have a bar');
  });
});

describe('precious-metals params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(composite, 'plugins/precious-metals/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'trendDays', value: 10 },
    { name: 'valueDays', value: 100 },
    { name: 'dollarSeries', value: 'macro:UUP' },
    { name: 'fullScaleZ', value: 0 },
    { name: 'silverSymbol', value: 'SLV US' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(composite.params, { [name]: value }, 'plugins.settings.precious-metals.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.precious-metals.params.${name}`]]);
  });

  it('rejects a repeated symbol and every sub-signal off when it is prepared', () => {
    let error: { code?: string; problems?: { details: { where?: string } }[] } = {};
    try {
      runStrategy(composite, { params: { platinumSymbol: 'GLD', useTrend: false, useValue: false, useMacro: false }, data: metals(10, 0) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual(['plugins.settings.precious-metals.params.platinumSymbol', 'plugins.settings.precious-metals.params.useTrend']);
  });

  it('passes the plugin contract check', () => {
    const data = [...metals(650, 0.001, (i) => [0.1 * Math.sin(i / 40), 0.1 * Math.cos(i / 50)]), ...macro(650, -0.5, 0.03, 200)];
    const report = checkStrategyContract(composite, { data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(1000);
  });
});
