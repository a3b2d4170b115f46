import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, resolveParams, runStrategy, seededNormals, seriesFromValues, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import realRateGold from './index.js';

/** Log gold loads -0.2 per point of real yield, as a rolling regression on 2006-2021 data roughly finds. */
const BETA = -0.2;
const DAYS = 600;

/**
 * DFII10 and GLD on the same business days. The real yield swings between -0.3 and 1.3 (so the regression has
 * something to fit) and then holds still for the last `flatDays`; log gold = fair value + noise + `offset` on the last day.
 */
function market(options: { readonly realYield?: readonly number[]; readonly lastDayOffset?: number; readonly beta?: number } = {}): SeriesData[] {
  const realYield = options.realYield ?? swingThenFlat(DAYS, 80);
  const noise = seededNormals(3, realYield.length);
  const closes = realYield.map((ry, i) => 120 * Math.exp((options.beta ?? BETA) * ry + 0.01 * noise[i]! + (i === realYield.length - 1 ? (options.lastDayOffset ?? 0) : 0)));
  return [barsFromCloses('GLD', closes), seriesFromValues('macro:DFII10', realYield)];
}

function swingThenFlat(days: number, flatDays: number): number[] {
  const swing = Array.from({ length: days - flatDays }, (_, i) => 0.5 + 0.8 * Math.sin((2 * Math.PI * i) / 300));
  return [...swing, ...Array<number>(flatDays).fill(swing.at(-1)!)];
}

/** The swing, then a straight move of `change` points over the last 65 business days (13 weeks). */
function swingThenMove(change: number): number[] {
  const base = swingThenFlat(DAYS - 65, 80);
  const from = base.at(-1)!;
  return [...base, ...Array.from({ length: 65 }, (_, i) => from + (change * (i + 1)) / 65)];
}

const reasonNumber = (reason: string, label: string): number => Number(new RegExp(`${label} ([+-]?\\d+\\.\\d+)`).exec(reason)?.[1]);

describe('real-rate-gold behaviour', () => {
  it('is long when gold is cheap against its real-yield fair value and short when it is rich', () => {
    const cheap = runStrategy(realRateGold, { params: { valueWeight: 1 }, data: market({ lastDayOffset: -0.05 }) });
    const reason = cheap.signals.at(-1)![0]!.reason;
    expect(reasonNumber(reason, 'z')).toBeLessThan(-3);
    expect(reasonNumber(reason, 'beta')).toBeCloseTo(BETA, 1);
    expect(reasonNumber(reason, 'R2')).toBeGreaterThan(0.9);
    expect(signalAt(cheap, 'GLD', -1)).toBeGreaterThan(0.3);
    expect(cheap.signals.at(-1)![0]!.confidence).toBe(1);
    const rich = runStrategy(realRateGold, { params: { valueWeight: 1 }, data: market({ lastDayOffset: 0.05 }) });
    expect(signalAt(rich, 'GLD', -1)).toBeLessThan(-0.3);
    const longOnly = runStrategy(realRateGold, { params: { valueWeight: 1, allowShort: false }, data: market({ lastDayOffset: 0.05 }) });
    expect(signalAt(longOnly, 'GLD', -1)).toBe(0);
  });

  it('is long when real yields have fallen over trendWeeks and short when they have risen', () => {
    const falling = runStrategy(realRateGold, { params: { valueWeight: 0 }, data: market({ realYield: swingThenMove(-0.5) }) });
    const reason = falling.signals.at(-1)![0]!.reason;
    expect(reasonNumber(reason, '13w')).toBeCloseTo(-0.5, 1);
    expect(reasonNumber(reason, 'trend')).toBe(1);
    expect(signalAt(falling, 'GLD', -1)).toBeGreaterThan(0.3);
    const rising = runStrategy(realRateGold, { params: { valueWeight: 0 }, data: market({ realYield: swingThenMove(0.5) }) });
    expect(signalAt(rising, 'GLD', -1)).toBeLessThan(-0.3);
    // A move inside the dead band is no trend.
    const small = runStrategy(realRateGold, { params: { valueWeight: 0 }, data: market({ realYield: swingThenMove(-0.05) }) });
    expect(signalAt(small, 'GLD', -1)).toBe(0);
  });

  it('blends the legs by valueWeight: cheap gold with rising real yields nets out', () => {
    // Gold cheap (value +1) while real yields rise (trend -1): the default 50/50 blend is flat.
    const data = market({ realYield: swingThenMove(0.5), lastDayOffset: -0.08 });
    const run = runStrategy(realRateGold, { data });
    const reason = run.signals.at(-1)![0]!.reason;
    expect(reasonNumber(reason, 'value')).toBe(1);
    expect(reasonNumber(reason, 'trend')).toBe(-1);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(signalAt(runStrategy(realRateGold, { params: { valueWeight: 0.8 }, data }), 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(runStrategy(realRateGold, { params: { valueWeight: 0.2 }, data }), 'GLD', -1)).toBeLessThan(0);
  });

  it('sizes a full score to volTarget / annualised volatility, capped at 1', () => {
    const data = market({ realYield: swingThenMove(-0.5) });
    const run = runStrategy(realRateGold, { params: { valueWeight: 0, rebalanceBand: 0, volDays: 60 }, data });
    const closes = data[0]!.columns.close!;
    const returns = Array.from({ length: 60 }, (_, k) => Math.log(closes[DAYS - 60 + k]! / closes[DAYS - 61 + k]!));
    const mean = returns.reduce((a, b) => a + b, 0) / 60;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 59) * 252);
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo(Math.min(1, 0.1 / vol), 10);
    const capped = runStrategy(realRateGold, { params: { valueWeight: 0, volTarget: 1 }, data });
    expect(signalAt(capped, 'GLD', -1)).toBe(1);
  });

  it('switches the fair-value leg off while gold no longer falls with real yields', () => {
    const run = runStrategy(realRateGold, { params: { valueWeight: 1 }, data: market({ beta: 0.2, lastDayOffset: -0.05 }) });
    expect(run.signals.at(-1)![0]!.reason).toMatch(/value off \(beta \+0\.2\d\)/);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    const unchecked = runStrategy(realRateGold, { params: { valueWeight: 1, requireNegativeBeta: false }, data: market({ beta: 0.2, lastDayOffset: -0.05 }) });
    expect(signalAt(unchecked, 'GLD', -1)).toBeGreaterThan(0);
  });

  it('pairs each close with the real yield known at that close: a yield published next morning is not used the same day', () => {
    const realYield = swingThenFlat(DAYS, 80);
    realYield[DAYS - 1] = realYield[DAYS - 2]! - 1;
    const run = runStrategy(realRateGold, { params: { valueWeight: 0 }, data: market({ realYield }) });
    // The one-point drop of the last day lands the next morning: at the last close the trend is still flat.
    expect(run.signals.at(-1)![0]!.reason).toMatch(/\(13w [+-]0\.00\)/);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
  });

  it('returns zero weights, never NaN, before windowDays aligned days and when the real yield has stopped', () => {
    const short = runStrategy(realRateGold, { data: market({ realYield: swingThenFlat(300, 20) }) });
    for (const signals of short.signals) expect(signals[0]!.weight).toBe(0);
    expect(short.signals.at(-1)![0]!.reason).toBe('rr-gold waiting for history: 299 of 504 aligned days');
    const data = market({ realYield: swingThenMove(-0.5) });
    const yields = data[1]!;
    const end = DAYS - 10;
    const stopped: SeriesData = { spec: yields.spec, time: yields.time.slice(0, end), available: yields.available.slice(0, end), columns: { value: yields.columns.value!.slice(0, end) } };
    const run = runStrategy(realRateGold, { params: { valueWeight: 0 }, data: [data[0]!, stopped] });
    expect(signalAt(run, 'GLD', end - 1)).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^rr-gold macro:DFII10 stale: last value \d{4}-\d\d-\d\d, older than 7d$/);
  });
});

describe('real-rate-gold params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(realRateGold, 'plugins/real-rate-gold/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'windowDays', value: 60 },
    { name: 'valueWeight', value: 1.5 },
    { name: 'trendThreshold', value: -0.1 },
    { name: 'symbol', value: 'GLD USD' },
    { name: 'volTarget', value: 0 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(realRateGold.params, { [name]: value }, 'plugins.settings.real-rate-gold.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.real-rate-gold.params.${name}`]]);
  });

  it('rejects a trend window as long as the regression window when it is prepared', () => {
    let error: { code?: string; details?: { where?: string } } = {};
    try {
      runStrategy(realRateGold, { params: { windowDays: 200, trendWeeks: 40 }, data: market() });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.details?.where).toBe('plugins.settings.real-rate-gold.params.trendWeeks');
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(realRateGold, { data: market({ realYield: swingThenMove(-0.5) }) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(10);
  });
});
