import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, dayOfWeek, pricePath, resolveParams, runStrategy, signalAt, validateManifest, weeklySeries, type SeriesData } from '../../core/index.js';
import cotPositioning from './index.js';

const OPEN_INTEREST = 600_000;
const WARM_UP_WEEKS = 200;

/** Legacy COT rows whose speculators' net long is `share` of open interest (spec_long + comm_long + nonrept_long). */
function cotRows(shares: readonly number[]): Record<string, number>[] {
  return shares.map((share) => {
    const specShort = 100_000;
    const specLong = specShort + Math.round(share * OPEN_INTEREST);
    const commLong = 80_000;
    return { spec_long: specLong, spec_short: specShort, comm_long: commLong, comm_short: OPEN_INTEREST - specShort - 60_000, nonrept_long: OPEN_INTEREST - specLong - commLong, nonrept_short: 60_000 };
  });
}

/**
 * A calm history: the net share alternates between 0.2 and 0.4, so every report ranks near the 25th or the 75th
 * percentile (ties count half) and none is an extreme.
 */
function calm(weeks: number): number[] {
  return Array.from({ length: weeks }, (_, k) => (k % 2 === 0 ? 0.2 : 0.4));
}

/** cot:GC (and cot:SI when given) from 2020-01-07 on, and GLD/SLV business-day bars covering them plus a week. */
function market(gold: readonly number[], silver?: readonly number[]): SeriesData[] {
  const days = Math.max(gold.length, silver?.length ?? 0) * 5 + 5;
  const data = [weeklySeries('cot:GC', cotRows(gold)), barsFromCloses('GLD', pricePath(days, { volatility: 0.01, seed: 41 }))];
  if (silver) data.push(weeklySeries('cot:SI', cotRows(silver)), barsFromCloses('SLV', pricePath(days, { volatility: 0.018, seed: 42 })));
  return data;
}

const GOLD_ONLY = { markets: ['GC'] };
const pctOf = (reason: string): number => Number(/pct (\d\.\d\d)/.exec(reason)?.[1]);

describe('cot-positioning behaviour', () => {
  it('is flat while positioning stays inside its 3-year range', () => {
    const run = runStrategy(cotPositioning, { params: GOLD_ONLY, data: market(calm(WARM_UP_WEEKS)) });
    expect(run.signals.flat().every((s) => s.weight === 0)).toBe(true);
    const reason = run.signals.at(-1)![0]!.reason;
    expect(reason).toMatch(/^cot GC spec net (20|40)\.0% of OI, 156w pct 0\.[27]\d: flat \(as of report \d{4}-\d\d-\d\d\), vol \d+%$/);
  });

  it('shorts GLD when speculators are crowded long (above the 90th percentile) and buys when they are crowded short', () => {
    const high = runStrategy(cotPositioning, { params: GOLD_ONLY, data: market([...calm(WARM_UP_WEEKS), 0.3, 0.55]) });
    const entry = high.signals.findIndex((s) => s[0]!.weight !== 0);
    const highReason = high.signals[entry]![0]!.reason;
    expect(pctOf(highReason)).toBe(1);
    expect(highReason).toContain('spec net 55.0% of OI');
    expect(highReason).toContain('(enter beyond 0.9)');
    expect(signalAt(high, 'GLD', -1)).toBeLessThan(-0.2);
    const low = runStrategy(cotPositioning, { params: GOLD_ONLY, data: market([...calm(WARM_UP_WEEKS), 0.3, 0.05]) });
    expect(pctOf(low.signals.at(-1)![0]!.reason)).toBe(0);
    expect(signalAt(low, 'GLD', -1)).toBeGreaterThan(0.2);
    expect(low.signals.at(-1)![0]!.confidence).toBe(1);
  });

  it('holds the trade while the percentile is between the extreme and the median, and leaves at the median', () => {
    const shares = [...calm(WARM_UP_WEEKS), 0.3, 0.55, 0.4, 0.3, 0.3];
    const run = runStrategy(cotPositioning, { params: GOLD_ONLY, data: market(shares) });
    // Reports become visible on Fridays: find the target after each of the last reports.
    const after = (week: number): number => {
      const fridayOf = run.times.findIndex((t) => t > Date.UTC(2020, 0, 7) + week * 7 * 86_400_000 + 3 * 86_400_000);
      return signalAt(run, 'GLD', fridayOf);
    };
    expect(after(WARM_UP_WEEKS + 1)).toBeLessThan(0);
    // Still short at the 0.4 report (75th percentile) (between the median and the extreme), resized to the latest volatility.
    expect(after(WARM_UP_WEEKS + 2)).toBeLessThan(0);
    expect(after(WARM_UP_WEEKS + 3)).toBe(0);
    expect(run.signals.flat().some((s) => s.reason.includes('(exit toward the median)'))).toBe(true);
  });

  it('is flat, not short, at a crowded long without allowShort', () => {
    const run = runStrategy(cotPositioning, { params: { ...GOLD_ONLY, allowShort: false }, data: market([...calm(WARM_UP_WEEKS), 0.3, 0.55]) });
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toContain('crowded long (no shorts)');
  });

  it('acts on a Tuesday report only from the Friday it is published, and changes weights only then', () => {
    const run = runStrategy(cotPositioning, { params: GOLD_ONLY, data: market([...calm(WARM_UP_WEEKS), 0.3, 0.55]) });
    const lastTuesday = Date.UTC(2020, 0, 7) + (WARM_UP_WEEKS + 1) * 7 * 86_400_000;
    const firstShort = run.signals.findIndex((s) => s[0]!.weight < 0);
    expect(run.times[firstShort]! - lastTuesday).toBe(3 * 86_400_000 + 21 * 3_600_000);
    expect(dayOfWeek(run.times[firstShort]!)).toBe(5);
    run.signals.forEach((signals, i) => {
      if (i > 0 && signals[0]!.weight !== signalAt(run, 'GLD', i - 1)) expect(dayOfWeek(run.times[i]!)).toBe(5);
    });
  });

  it('trades each market on its own: GLD for cot:GC, SLV for cot:SI, each sized to volTarget / 2', () => {
    const data = market([...calm(WARM_UP_WEEKS), 0.3, 0.55], [...calm(WARM_UP_WEEKS), 0.3, 0.05]);
    const run = runStrategy(cotPositioning, { data });
    const gold = signalAt(run, 'GLD', -1);
    const silver = signalAt(run, 'SLV', -1);
    expect(gold).toBeLessThan(0);
    expect(silver).toBeGreaterThan(0);
    // Silver is the riskier ETF here, so its weight is smaller for the same risk budget.
    expect(silver).toBeLessThan(-gold);
    const closes = data[1]!.columns.close!;
    const friday = run.signals.findIndex((s) => s[0]!.weight < 0);
    const end = friday + 1;
    const returns = Array.from({ length: 60 }, (_, k) => Math.log(closes[end - 60 + k]! / closes[end - 61 + k]!));
    const mean = returns.reduce((a, b) => a + b, 0) / 60;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 59) * 252);
    expect(gold).toBeCloseTo(-0.1 / 2 / vol, 10);
  });

  it('returns zero weights, never NaN, before 156 reports and after the reports stop', () => {
    const short = runStrategy(cotPositioning, { params: GOLD_ONLY, data: market(calm(100)) });
    expect(short.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(short.signals.at(-1)![0]!.reason).toBe('cot GC waiting for history: 100 of 156 reports');
    const data = market([...calm(WARM_UP_WEEKS), 0.3, 0.55]);
    const bars = barsFromCloses('GLD', pricePath(data[1]!.time.length + 30, { volatility: 0.01, seed: 41 }));
    const run = runStrategy(cotPositioning, { params: GOLD_ONLY, data: [data[0]!, bars] });
    expect(run.signals.some((s) => s[0]!.weight < 0)).toBe(true);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^cot GC stale: last report \d{4}-\d\d-\d\d, older than 21d$/);
  });
});

describe('cot-positioning params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(cotPositioning, 'plugins/cot-positioning/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'lookbackWeeks', value: 20 },
    { name: 'upperPercentile', value: 1.2 },
    { name: 'lowerPercentile', value: 0.6 },
    { name: 'markets', value: [] },
    { name: 'exitBand', value: 0.5 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(cotPositioning.params, { [name]: value }, 'plugins.settings.cot-positioning.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.cot-positioning.params.${name}`]]);
  });

  it('rejects an unknown market and entries inside the exit band when it is prepared, listing each', () => {
    let error: { code?: string; problems?: { details: { where?: string } }[] } = {};
    try {
      runStrategy(cotPositioning, { params: { markets: ['GC', 'PL'], upperPercentile: 0.6, exitBand: 0.2 }, data: market(calm(10)) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual(['plugins.settings.cot-positioning.params.markets', 'plugins.settings.cot-positioning.params.upperPercentile']);
  });

  it('passes the plugin contract check', () => {
    const data = market([...calm(WARM_UP_WEEKS), 0.55, 0.5, 0.3, 0.05, 0.1, 0.3, 0.3], [...calm(WARM_UP_WEEKS), 0.05, 0.2, 0.3, 0.55, 0.6, 0.3, 0.3]);
    const report = checkStrategyContract(cotPositioning, { data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(20);
  });
});
