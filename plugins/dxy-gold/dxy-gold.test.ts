import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, seededNormals, seriesFromValues, validateManifest, type SeriesData, type StrategyRun } from '../../core/index.js';
import dxyGold, { type DxyGoldState } from './index.js';

const FLAT = 260;
const DOWN = 80;
const UP = 150;
const DAYS = FLAT + DOWN + UP;

/** A dollar index that creeps up, falls 0.2% a day, then rises 0.2% a day; GLD and UUP random walks. */
function market(options: { id?: string; dollarDays?: number } = {}): SeriesData[] {
  const noise = seededNormals(21, DAYS);
  const dollar: number[] = [];
  let level = 100;
  for (let i = 0; i < DAYS; i++) {
    const drift = i < FLAT ? 0.0005 : i < FLAT + DOWN ? -0.002 : 0.002;
    level *= Math.exp(drift + 0.001 * noise[i]!);
    dollar.push(level);
  }
  return [
    barsFromCloses('GLD', pricePath(DAYS, { volatility: 0.01, seed: 4 })),
    barsFromCloses('UUP', pricePath(DAYS, { volatility: 0.005, seed: 6 })),
    seriesFromValues(options.id ?? 'macro:DTWEXBGS', dollar.slice(0, options.dollarDays ?? DAYS)),
  ];
}

/** Annualised std of the last 60 daily log returns of a bar series at index `end`, computed independently. */
function vol(data: SeriesData, end: number): number {
  const close = data.columns.close!;
  const r = Array.from({ length: 60 }, (_, k) => Math.log(close[end - 59 + k]! / close[end - 60 + k]!));
  const m = r.reduce((a, b) => a + b, 0) / 60;
  return Math.sqrt((r.reduce((a, x) => a + (x - m) ** 2, 0) / 59) * 252);
}

const regimeAt = (run: StrategyRun<DxyGoldState>, i: number): string => /dollar (downtrend|uptrend|mixed)/.exec(run.signals[i]![0]!.reason)?.[1] ?? 'none';
const weightOf = (run: StrategyRun<DxyGoldState>, symbol: string, i: number): number => run.signals[i]!.find((s) => s.symbol === symbol)?.weight ?? 0;

describe('dxy-gold behaviour', () => {
  const data = market();
  const run = runStrategy(dxyGold, { data: [data[0]!, data[2]!] });
  const regimes = run.signals.map((_, i) => regimeAt(run, i));
  const firstDown = regimes.indexOf('downtrend');
  const firstUp = regimes.indexOf('uptrend', FLAT + DOWN);

  it('goes through the regimes as the dollar falls then rises', () => {
    expect(regimes.slice(200, FLAT)).toContain('uptrend');
    expect(run.signals.slice(0, FLAT).flat().every((s) => s.weight === 0 || !s.reason.includes('uptrend'))).toBe(true);
    expect(firstDown).toBeGreaterThan(FLAT);
    expect(firstDown).toBeLessThan(FLAT + 30);
    expect(regimes.slice(firstDown, FLAT + DOWN)).not.toContain('uptrend');
    const mixed = regimes.indexOf('mixed', FLAT + DOWN);
    expect(mixed).toBeGreaterThan(FLAT + DOWN);
    expect(firstUp).toBeGreaterThan(mixed);
    expect(regimes.at(-1)).toBe('uptrend');
  });

  it('in a dollar downtrend is long GLD at the volatility target', () => {
    expect(weightOf(run, 'GLD', firstDown)).toBeCloseTo(Math.min(1, 0.1 / vol(data[0]!, firstDown)), 12);
    expect(run.signals[firstDown]![0]!.reason).toMatch(/^dxy-gold DTWEXBGS \d+\.\d\d below 200d avg \d+\.\d\d, 63d -\d+\.\d%: dollar downtrend; GLD vol \d+\.\d% -> 0\.\d\d$/);
    for (let i = firstDown; i < FLAT + DOWN; i++) expect(weightOf(run, 'GLD', i)).toBeGreaterThan(0.4);
  });

  it('with mixed dollar signals holds mixedExposure of the full position', () => {
    const mixed = regimes.indexOf('mixed', FLAT + DOWN);
    expect(run.signals[mixed]![0]!.reason).toMatch(/below 200d avg .*, 63d \+\d+\.\d%: dollar mixed/);
    expect(weightOf(run, 'GLD', mixed)).toBeCloseTo(0.5 * Math.min(1, 0.1 / vol(data[0]!, mixed)), 12);
  });

  it('in a dollar uptrend is flat by default, or keeps uptrendExposure', () => {
    for (let i = firstUp; i < DAYS; i++) expect(weightOf(run, 'GLD', i)).toBe(0);
    const reduced = runStrategy(dxyGold, { params: { uptrendExposure: 0.25 }, data: [data[0]!, data[2]!] });
    expect(weightOf(reduced, 'GLD', firstUp)).toBeCloseTo(0.25 * Math.min(1, 0.1 / vol(data[0]!, firstUp)), 12);
  });

  it('with dollarHedge holds UUP in a dollar uptrend and only then, within the capital', () => {
    const hedged = runStrategy(dxyGold, { params: { dollarHedge: true }, data });
    expect(weightOf(hedged, 'UUP', firstUp)).toBeCloseTo(Math.min(1, 0.1 / vol(data[1]!, firstUp)), 12);
    expect(weightOf(hedged, 'UUP', firstDown)).toBe(0);
    expect(weightOf(hedged, 'GLD', firstDown)).toBeGreaterThan(0);
    const both = runStrategy(dxyGold, { params: { dollarHedge: true, uptrendExposure: 1, targetVol: 0.5 }, data });
    expect(weightOf(both, 'GLD', firstUp) + weightOf(both, 'UUP', firstUp)).toBeCloseTo(1, 12);
  });

  it('keeps a held weight inside the rebalance band and resizes outside it', () => {
    const weights = run.signals.slice(firstDown, FLAT + DOWN).map((s) => s[0]!.weight);
    expect(new Set(weights).size).toBeLessThan(weights.length / 4);
    const unbanded = runStrategy(dxyGold, { params: { rebalanceBand: 0 }, data: [data[0]!, data[2]!] });
    expect(new Set(unbanded.signals.slice(firstDown, FLAT + DOWN).map((s) => s[0]!.weight)).size).toBe(FLAT + DOWN - firstDown);
  });

  it.each([
    { case: 'below the average and falling', reference: 100, last: 99, regime: 'downtrend', exposure: 1 },
    { case: 'below the average but rising', reference: 98, last: 99.5, regime: 'mixed', exposure: 0.5 },
    { case: 'above the average but falling', reference: 102, last: 100.5, regime: 'mixed', exposure: 0.5 },
    { case: 'above the average and rising', reference: 100, last: 101, regime: 'uptrend', exposure: 0 },
  ])('classifies a dollar $case as $regime', ({ reference, last, regime, exposure }) => {
    // 210 observations at 100, except the one 63 observations before the last (the momentum base) and the last.
    const values = Array<number>(210).fill(100);
    values[209 - 63] = reference;
    values[209] = last;
    const gold = barsFromCloses('GLD', pricePath(211, { volatility: 0.01, seed: 4 }));
    const times = [gold.available.at(-1)!];
    const one = runStrategy(dxyGold, { data: [gold, seriesFromValues('macro:DTWEXBGS', values)], times });
    expect(regimeAt(one, 0)).toBe(regime);
    expect(weightOf(one, 'GLD', 0)).toBeCloseTo(exposure * Math.min(1, 0.1 / vol(gold, 210)), 12);
  });

  it('reads DXY instead when asked', () => {
    const dxy = market({ id: 'macro:DXY' });
    const other = runStrategy(dxyGold, { params: { dollarSeries: 'macro:DXY' }, data: [dxy[0]!, dxy[2]!] });
    expect(other.signals[firstDown]![0]!.reason).toMatch(/^dxy-gold DXY /);
    expect(dxyGold.needs({ ...defaults(), dollarSeries: 'macro:DXY' } as never).series).toEqual(['macro:DXY']);
  });

  it('goes flat with a reason, never NaN, once the dollar series has stopped', () => {
    const stopped = runStrategy(dxyGold, { data: [data[0]!, market({ dollarDays: FLAT + 40 })[2]!] });
    expect(weightOf(stopped, 'GLD', FLAT + 40)).toBeGreaterThan(0);
    const last = stopped.signals.at(-1)![0]!;
    expect(last.weight).toBe(0);
    expect(last.reason).toMatch(/^dxy-gold DTWEXBGS stale: last 2021-02-2\d, \d+\.\d days old \(max 10\): flat$/);
  });

  it('returns zero weights until it has the dollar history', () => {
    const early = runStrategy(dxyGold, { data: [data[0]!, data[2]!], times: run.times.slice(0, 150) });
    for (const signals of early.signals) expect(signals.map((s) => s.weight)).toEqual([0]);
    expect(early.signals.at(-1)![0]!.reason).toBe('dxy-gold waiting for history: 149 of 200 DTWEXBGS observations');
  });
});

function defaults(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(dxyGold.params).map(([name, spec]) => [name, spec.default]));
}

describe('dxy-gold params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(dxyGold, 'plugins/dxy-gold/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'dollarSeries', value: 'macro:EURUSD' },
    { name: 'maDays', value: 10 },
    { name: 'momentumDays', value: 300 },
    { name: 'uptrendExposure', value: -0.5 },
    { name: 'dollarHedge', value: 1 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(dxyGold.params, { [name]: value }, 'plugins.settings.dxy-gold.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.dxy-gold.params.${name}`]]);
  });

  it('rejects a hedge on the gold symbol itself when it is prepared', () => {
    expect(() => runStrategy(dxyGold, { params: { dollarHedge: true, hedgeSymbol: 'GLD' }, data: market() })).toThrow(
      expect.objectContaining({ code: 'SH_ERR_PLUGIN_PARAM_INVALID', details: expect.objectContaining({ where: 'plugins.settings.dxy-gold.params.hedgeSymbol' }) }),
    );
  });

  it('declares the dollar history in rows of the dollar series and UUP only with the hedge', () => {
    expect(dxyGold.needs(defaults() as never)).toEqual({ bars: ['GLD'], series: ['macro:DTWEXBGS'], history: 61, seriesHistory: 210 });
    expect(dxyGold.needs({ ...defaults(), dollarHedge: true } as never).bars).toEqual(['GLD', 'UUP']);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(dxyGold, { params: { dollarHedge: true }, data: market() });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(50);
  });
});
