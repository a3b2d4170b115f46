import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, dayOfWeek, pricePath, resolveParams, runStrategy, seededNormals, signalAt, validateManifest, weeklySeries, type SeriesData } from '../../core/index.js';
import cotPrecious from './index.js';

const OPEN_INTEREST = 500_000;
const WARM_UP_WEEKS = 180;

/** Managed-money rows whose net position is `share` of open interest. */
function mmRows(shares: readonly number[]): Record<string, number>[] {
  return shares.map((share) => {
    const short = 60_000;
    const long = short + Math.round(share * OPEN_INTEREST);
    return { mm_long: long, mm_short: short, open_interest: OPEN_INTEREST, net_pct_oi: Number((((long - short) / OPEN_INTEREST) * 100).toFixed(2)) };
  });
}

/** A calm history: the net share wanders around 20% of open interest (weekly noise of 2 points). */
function calm(weeks: number, seed = 5): number[] {
  return seededNormals(seed, weeks).map((z) => 0.2 + 0.02 * z);
}

/** The calm history, then `weeks` reports each moving the net share by `step`. */
function flow(step: number, weeks = 4, seed = 5): number[] {
  const base = calm(WARM_UP_WEEKS, seed);
  return [...base, ...Array.from({ length: weeks }, (_, k) => base.at(-1)! + step * (k + 1))];
}

/** cot:GC-MM (and cot:SI-MM when given) from 2020-01-07 on, GLD/SLV bars covering them plus a week. */
function market(gold: readonly number[], silver?: readonly number[]): SeriesData[] {
  const days = Math.max(gold.length, silver?.length ?? 0) * 5 + 5;
  const data = [weeklySeries('cot:GC-MM', mmRows(gold)), barsFromCloses('GLD', pricePath(days, { volatility: 0.01, seed: 51 }))];
  if (silver) data.push(weeklySeries('cot:SI-MM', mmRows(silver)), barsFromCloses('SLV', pricePath(days, { volatility: 0.018, seed: 52 })));
  return data;
}

const GOLD_ONLY = { markets: ['GC'] };
const zOf = (reason: string): number => Number(/z ([+-]\d+\.\d\d)/.exec(reason)?.[1]);

describe('cot-precious behaviour', () => {
  it('is long after four weeks of managed-money buying and short after four weeks of selling', () => {
    const buying = runStrategy(cotPrecious, { params: GOLD_ONLY, data: market(flow(0.03)) });
    const reason = buying.signals.at(-1)![0]!.reason;
    expect(reason).toMatch(/^cot-mm GC mm net \d+\.\d% of OI, 4w \+1[12]\.\d pts, z \+\d\.\d\d: long 0\.\d\d \(report \d{4}-\d\d-\d\d\), vol \d+%$/);
    expect(zOf(reason)).toBeGreaterThan(2);
    expect(signalAt(buying, 'GLD', -1)).toBeGreaterThan(0.2);
    expect(buying.signals.at(-1)![0]!.confidence).toBe(1);
    const selling = runStrategy(cotPrecious, { params: GOLD_ONLY, data: market(flow(-0.03)) });
    expect(zOf(selling.signals.at(-1)![0]!.reason)).toBeLessThan(-2);
    expect(signalAt(selling, 'GLD', -1)).toBeLessThan(-0.2);
  });

  it('scales with the z-score below fullZ, and is flat instead of short without allowShort', () => {
    const mild = runStrategy(cotPrecious, { params: GOLD_ONLY, data: market(flow(0.008)) });
    const z = zOf(mild.signals.at(-1)![0]!.reason);
    expect(z).toBeGreaterThan(0.2);
    expect(z).toBeLessThan(2);
    const strong = runStrategy(cotPrecious, { params: GOLD_ONLY, data: market(flow(0.03)) });
    // Same bars, so the same volatility: the weights are in the ratio of the capped strengths.
    expect(signalAt(mild, 'GLD', -1) / signalAt(strong, 'GLD', -1)).toBeCloseTo(z / 2, 2);
    const longOnly = runStrategy(cotPrecious, { params: { ...GOLD_ONLY, allowShort: false }, data: market(flow(-0.03)) });
    expect(signalAt(longOnly, 'GLD', -1)).toBe(0);
  });

  it('measures the change over changeWeeks: a one-week jump after three weeks of selling', () => {
    const base = calm(WARM_UP_WEEKS);
    const shares = [...base, base.at(-1)! - 0.04, base.at(-1)! - 0.08, base.at(-1)! - 0.12, base.at(-1)! - 0.06];
    expect(signalAt(runStrategy(cotPrecious, { params: { ...GOLD_ONLY, changeWeeks: 1 }, data: market(shares) }), 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(runStrategy(cotPrecious, { params: { ...GOLD_ONLY, changeWeeks: 4 }, data: market(shares) }), 'GLD', -1)).toBeLessThan(0);
  });

  it('trades GLD on cot:GC-MM and SLV on cot:SI-MM, each with its own flow and volTarget / 2', () => {
    const run = runStrategy(cotPrecious, { data: market(flow(0.03), flow(-0.03, 4, 6)) });
    expect(signalAt(run, 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(run, 'SLV', -1)).toBeLessThan(0);
    expect(run.signals.at(-1)![1]!.reason).toMatch(/^cot-mm SI /);
    const single = runStrategy(cotPrecious, { params: GOLD_ONLY, data: market(flow(0.03)) });
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo(signalAt(single, 'GLD', -1) / 2, 10);
  });

  it('declares only the selected markets\' series, so it runs on data without cot:SI-MM', () => {
    const needs = cotPrecious.needs({ ...resolveParams(cotPrecious.params, GOLD_ONLY, 'p').params } as never);
    expect(needs.series).toEqual(['cot:GC-MM']);
    expect(needs.bars).toEqual(['GLD']);
    expect(needs.seriesHistory).toBe(160);
    const all = cotPrecious.needs({ ...resolveParams(cotPrecious.params, {}, 'p').params } as never);
    expect(all.series).toEqual(['cot:GC-MM', 'cot:SI-MM']);
    let error: { code?: string } = {};
    try {
      runStrategy(cotPrecious, { data: market(flow(0.03)) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_DATA_SERIES_UNKNOWN');
  });

  it('sets weights when a report is published (Friday) and holds them until the next', () => {
    const run = runStrategy(cotPrecious, { params: GOLD_ONLY, data: market(flow(0.03, 8)) });
    let changes = 0;
    run.signals.forEach((signals, i) => {
      if (i > 0 && signals[0]!.weight !== signalAt(run, 'GLD', i - 1)) {
        changes++;
        expect(dayOfWeek(run.times[i]!)).toBe(5);
      }
    });
    expect(changes).toBeGreaterThan(8);
  });

  it('returns zero weights, never NaN, before enough reports and after the reports stop', () => {
    const short = runStrategy(cotPrecious, { params: GOLD_ONLY, data: market(calm(100)) });
    expect(short.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(short.signals.at(-1)![0]!.reason).toBe('cot-mm GC waiting for history: 100 of 160 reports');
    const data = market(flow(0.03));
    const bars = barsFromCloses('GLD', pricePath(data[1]!.time.length + 30, { volatility: 0.01, seed: 51 }));
    const run = runStrategy(cotPrecious, { params: GOLD_ONLY, data: [data[0]!, bars] });
    expect(run.signals.some((s) => s[0]!.weight > 0)).toBe(true);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^cot-mm GC stale: last report \d{4}-\d\d-\d\d, older than 21d$/);
  });
});

describe('cot-precious params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(cotPrecious, 'plugins/cot-precious/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'changeWeeks', value: 0 },
    { name: 'zWindowWeeks', value: 10 },
    { name: 'fullZ', value: 10 },
    { name: 'markets', value: ['GC', 'GC'] },
    { name: 'allowShort', value: 'yes' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(cotPrecious.params, { [name]: value }, 'plugins.settings.cot-precious.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.cot-precious.params.${name}`]]);
  });

  it('rejects a market without a managed-money series when it is prepared', () => {
    let error: { code?: string; details?: { where?: string } } = {};
    try {
      runStrategy(cotPrecious, { params: { markets: ['GC', 'PL'] }, data: market(calm(10)) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.details?.where).toBe('plugins.settings.cot-precious.params.markets');
  });

  it('passes the plugin contract check', () => {
    const gold = [...flow(0.03, 6), ...Array.from({ length: 10 }, (_, k) => 0.38 - 0.02 * k)];
    const report = checkStrategyContract(cotPrecious, { data: market(gold, [...flow(-0.02, 8, 6), ...calm(8, 7)]) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(50);
  });
});
