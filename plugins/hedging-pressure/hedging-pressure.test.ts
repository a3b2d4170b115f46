import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, dayOfWeek, pricePath, resolveParams, runStrategy, seededNormals, signalAt, validateManifest, weeklySeries, type SeriesData } from '../../core/index.js';
import hedgingPressure from './index.js';

const COMMERCIAL_POSITIONS = 300_000;
const WARM_UP_WEEKS = 180;

/** Legacy COT rows whose commercials' net short share (comm_short - comm_long) / (comm_long + comm_short) is `pressure`. */
function cotRows(pressures: readonly number[]): Record<string, number>[] {
  return pressures.map((pressure) => {
    const commShort = Math.round((COMMERCIAL_POSITIONS * (1 + pressure)) / 2);
    const commLong = COMMERCIAL_POSITIONS - commShort;
    // Speculators and small traders take the other side, so that longs equal shorts.
    const specLong = 100_000 + commShort - commLong;
    return { spec_long: specLong, spec_short: 100_000, comm_long: commLong, comm_short: commShort, nonrept_long: 50_000, nonrept_short: 50_000 };
  });
}

/** A calm history: hedgers net short about 40% of their positions, weekly noise of 3 points. */
function calm(weeks: number, seed = 8): number[] {
  return seededNormals(seed, weeks).map((z) => 0.4 + 0.03 * z);
}

/** cot:GC (and cot:SI when given) from 2020-01-07 on, and GLD/SLV bars covering them plus a week. */
function market(gold: readonly number[], silver?: readonly number[]): SeriesData[] {
  const days = Math.max(gold.length, silver?.length ?? 0) * 5 + 5;
  const data = [weeklySeries('cot:GC', cotRows(gold)), barsFromCloses('GLD', pricePath(days, { volatility: 0.01, seed: 61 }))];
  if (silver) data.push(weeklySeries('cot:SI', cotRows(silver)), barsFromCloses('SLV', pricePath(days, { volatility: 0.018, seed: 62 })));
  return data;
}

const GOLD_ONLY = { markets: ['GC'] };
const zOf = (reason: string): number => Number(/z ([+-]\d+\.\d\d)/.exec(reason)?.[1]);

describe('hedging-pressure behaviour', () => {
  it('is long when hedgers are unusually heavily net short, at full strength beyond fullZ', () => {
    const run = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: market([...calm(WARM_UP_WEEKS), 0.55]) });
    const reason = run.signals.at(-1)![0]!.reason;
    expect(reason).toMatch(/^hp GC hedgers net short 55\.0%, 156w z \+\d\.\d\d: long 0\.\d\d \(report \d{4}-\d\d-\d\d\), vol \d+%$/);
    expect(zOf(reason)).toBeGreaterThan(2);
    expect(signalAt(run, 'GLD', -1)).toBeGreaterThan(0.2);
    expect(run.signals.at(-1)![0]!.confidence).toBe(1);
  });

  it('is flat near its average, and flat (not short) when pressure is low but hedgers are still net short', () => {
    const average = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: market([...calm(WARM_UP_WEEKS), 0.4]) });
    expect(Math.abs(zOf(average.signals.at(-1)![0]!.reason))).toBeLessThan(0.5);
    expect(signalAt(average, 'GLD', -1)).toBe(0);
    const low = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: market([...calm(WARM_UP_WEEKS), 0.2]) });
    expect(zOf(low.signals.at(-1)![0]!.reason)).toBeLessThan(-2);
    expect(signalAt(low, 'GLD', -1)).toBe(0);
  });

  it('is short when pressure is unusually low and hedgers are net long, unless allowShort is off', () => {
    const data = market([...calm(WARM_UP_WEEKS), -0.1]);
    const run = runStrategy(hedgingPressure, { params: GOLD_ONLY, data });
    expect(run.signals.at(-1)![0]!.reason).toContain('hedgers net short -10.0%');
    expect(signalAt(run, 'GLD', -1)).toBeLessThan(-0.2);
    expect(signalAt(runStrategy(hedgingPressure, { params: { ...GOLD_ONLY, allowShort: false }, data }), 'GLD', -1)).toBe(0);
  });

  it('scales between entryZ and fullZ', () => {
    const base = calm(WARM_UP_WEEKS);
    const mild = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: market([...base, 0.44]) });
    const z = zOf(mild.signals.at(-1)![0]!.reason);
    expect(z).toBeGreaterThan(0.5);
    expect(z).toBeLessThan(2);
    const strong = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: market([...base, 0.6]) });
    expect(signalAt(mild, 'GLD', -1) / signalAt(strong, 'GLD', -1)).toBeCloseTo(z / 2, 2);
    const gated = runStrategy(hedgingPressure, { params: { ...GOLD_ONLY, entryZ: z + 0.05 }, data: market([...base, 0.44]) });
    expect(signalAt(gated, 'GLD', -1)).toBe(0);
  });

  it('with measure percentile maps the rank to a normal quantile, whatever the size of the extreme', () => {
    for (const extreme of [0.55, 0.95]) {
      const run = runStrategy(hedgingPressure, { params: { ...GOLD_ONLY, measure: 'percentile' }, data: market([...calm(WARM_UP_WEEKS), extreme]) });
      // The highest of 156 reports: rank clipped to 1 - 0.5 / 156, quantile 2.73.
      expect(run.signals.at(-1)![0]!.reason).toContain('156w pct z +2.73');
      expect(signalAt(run, 'GLD', -1)).toBeGreaterThan(0);
    }
  });

  it('averages averageWeeks reports: a one-week jump moves the 4-week average less', () => {
    const shares = [...calm(WARM_UP_WEEKS), 0.5];
    const latest = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: market(shares) });
    const averaged = runStrategy(hedgingPressure, { params: { ...GOLD_ONLY, averageWeeks: 4 }, data: market(shares) });
    expect(averaged.signals.at(-1)![0]!.reason).toContain('(4w avg)');
    expect(signalAt(latest, 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(averaged, 'GLD', -1)).toBeLessThan(signalAt(latest, 'GLD', -1));
  });

  it('trades GLD on cot:GC and SLV on cot:SI, and changes weights only when a report is published', () => {
    const run = runStrategy(hedgingPressure, { data: market([...calm(WARM_UP_WEEKS), 0.6, 0.62], [...calm(WARM_UP_WEEKS, 9), -0.1, -0.12]) });
    expect(signalAt(run, 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(run, 'SLV', -1)).toBeLessThan(0);
    expect(run.signals.at(-1)![1]!.reason).toMatch(/^hp SI /);
    run.signals.forEach((signals, i) => {
      if (i > 0 && signals.some((s) => s.weight !== signalAt(run, s.symbol, i - 1))) expect(dayOfWeek(run.times[i]!)).toBe(5);
    });
  });

  it('returns zero weights, never NaN, before enough reports and after the reports stop', () => {
    const short = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: market(calm(100)) });
    expect(short.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(short.signals.at(-1)![0]!.reason).toBe('hp GC waiting for history: 100 of 156 reports');
    const data = market([...calm(WARM_UP_WEEKS), 0.6]);
    const bars = barsFromCloses('GLD', pricePath(data[1]!.time.length + 30, { volatility: 0.01, seed: 61 }));
    const run = runStrategy(hedgingPressure, { params: GOLD_ONLY, data: [data[0]!, bars] });
    expect(run.signals.some((s) => s[0]!.weight > 0)).toBe(true);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^hp GC stale: last report \d{4}-\d\d-\d\d, older than 21d$/);
  });
});

describe('hedging-pressure params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(hedgingPressure, 'plugins/hedging-pressure/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'lookbackWeeks', value: 26 },
    { name: 'measure', value: 'rank' },
    { name: 'averageWeeks', value: 0 },
    { name: 'entryZ', value: -1 },
    { name: 'markets', value: ['GC', 'SI', 'PL'] },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(hedgingPressure.params, { [name]: value }, 'plugins.settings.hedging-pressure.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.hedging-pressure.params.${name}`]]);
  });

  it('rejects an unknown market and entryZ at or above fullZ when it is prepared, listing each', () => {
    let error: { code?: string; problems?: { details: { where?: string } }[] } = {};
    try {
      runStrategy(hedgingPressure, { params: { markets: ['PL'], entryZ: 2.5 }, data: market(calm(10)) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual(['plugins.settings.hedging-pressure.params.markets', 'plugins.settings.hedging-pressure.params.entryZ']);
  });

  it('passes the plugin contract check', () => {
    const data = market([...calm(WARM_UP_WEEKS), 0.6, 0.55, 0.4, 0.3, 0.6, 0.4], [...calm(WARM_UP_WEEKS, 9), -0.1, 0.2, 0.4, 0.6, 0.5, 0.4]);
    const report = checkStrategyContract(hedgingPressure, { data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(20);
  });
});
