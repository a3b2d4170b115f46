import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, formatDate, resolveParams, runStrategy, seededNormals, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import seasonality from './index.js';

const START = '2008-01-01';
const MONTH = { params: { mode: 'month' } } as const;

/** The weekdays from START on, as barsFromCloses dates them. */
const DAYS: readonly Date[] = (() => {
  const days: Date[] = [];
  for (let t = Date.parse(`${START}T00:00:00Z`); days.length < 4000; t += 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) days.push(new Date(t));
  }
  return days;
})();

/** Weekdays among the last `before` = 1 or first `after` = 3 weekdays of their month. */
const TURN_OF_MONTH: ReadonlySet<string> = new Set(
  DAYS.filter((day, i) => {
    const sameMonth = (other: Date | undefined): boolean => other !== undefined && other.getUTCMonth() === day.getUTCMonth();
    const fromStart = [1, 2, 3].filter((k) => sameMonth(DAYS[i - k])).length;
    return fromStart < 3 || !sameMonth(DAYS[i + 1]);
  }).map((d) => formatDate(d.getTime())),
);

const inTurnOfMonth = (day: Date): boolean => TURN_OF_MONTH.has(formatDate(day.getTime()));

/** The weekday after the bar day of a decision time. */
const DAY_INDEX: ReadonlyMap<string, number> = new Map(DAYS.map((d, i) => [formatDate(d.getTime()), i]));
const nextDay = (time: number): Date => DAYS[DAY_INDEX.get(formatDate(time))! + 1]!;

/** Bars over `years` of weekdays: daily log returns = drift(day) + noise. */
function calendarBars(symbol: string, years: number, drift: (day: Date) => number, options: { noise?: number; seed?: number } = {}): SeriesData {
  const days = DAYS.slice(0, Math.round(years * 261));
  const noise = seededNormals(options.seed ?? 5, days.length);
  let price = 100;
  const closes = days.map((day, i) => (price *= Math.exp(drift(day) + (options.noise ?? 0.008) * noise[i]!)));
  return barsFromCloses(symbol, closes, { start: START });
}

const january = (day: Date): number => (day.getUTCMonth() === 0 ? 0.004 : 0);
/** Decision times of the last `days` bars of a series (the rest only feeds the statistics). */
const lastTimes = (data: SeriesData, days: number): number[] => [...data.available.slice(-days)];
const dateOf = (time: number): string => formatDate(time);

describe('seasonality-pm behaviour', () => {
  it('is long through January, from the last close of December, once January has ten years of a positive mean', () => {
    const gld = calendarBars('GLD', 12, january);
    const run = runStrategy(seasonality, { params: { mode: 'month', universe: ['GLD'] }, data: [gld], times: lastTimes(gld, 300) });
    run.times.forEach((time, i) => {
      // The weight set at this close is held over the next weekday: long when that day is in January.
      const next = nextDay(time);
      expect([dateOf(time), Math.sign(signalAt(run, 'GLD', i))]).toEqual([dateOf(time), next.getUTCMonth() === 0 ? 1 : 0]);
      if (next.getUTCMonth() === 0) expect(run.signals[i]![0]!.reason).toMatch(/^season GLD Jan \+\d+\.\d\d% t \+\d+\.\d -> long 0\.\d\d, vol \d+%$/);
    });
    const lastDecember = run.times.findLastIndex((t) => new Date(t).getUTCMonth() === 11);
    expect(dateOf(run.times[lastDecember]!).slice(5)).toBe('12-31');
    expect(signalAt(run, 'GLD', lastDecember)).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', lastDecember - 1)).toBe(0);
  });

  it('is short a month whose mean is reliably negative', () => {
    const september = (day: Date): number => (day.getUTCMonth() === 8 ? -0.004 : 0);
    const gld = calendarBars('GLD', 12, september);
    const run = runStrategy(seasonality, { params: { mode: 'month', universe: ['GLD'] }, data: [gld], times: lastTimes(gld, 400) });
    const holdingSeptember = run.times.map((t, i) => [nextDay(t).getUTCMonth(), signalAt(run, 'GLD', i)] as const).filter(([m]) => m === 8);
    expect(holdingSeptember.length).toBeGreaterThan(15);
    for (const [, weight] of holdingSeptember) expect(weight).toBeLessThan(0);
  });

  it('trades a period exactly when its printed t-statistic passes with enough years', () => {
    const gld = calendarBars('GLD', 12, january, { seed: 9 });
    const run = runStrategy(seasonality, { params: { universe: ['GLD'] }, data: [gld], times: lastTimes(gld, 500) });
    let traded = 0;
    for (const [signal] of run.signals) {
      const passing = [...signal!.reason.matchAll(/([+-]\d+\.\d\d)% t ([+-]\d+\.\d)(?! <)/g)];
      if (passing.length === 0) expect(signal!.weight).toBe(0);
      else {
        traded++;
        const direction = Math.sign(passing.reduce((sum, m) => sum + Math.sign(Number(m[1])), 0));
        expect(Math.sign(signal!.weight)).toBe(direction);
      }
    }
    expect(traded).toBeGreaterThan(20);
  });

  it('stays flat before minYears of history, and with a threshold the data cannot pass', () => {
    const young = calendarBars('GLD', 8, january);
    const early = runStrategy(seasonality, { params: { mode: 'month', universe: ['GLD'] }, data: [young], times: lastTimes(young, 300) });
    expect(early.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(early.signals.flat().some((s) => /Jan \+\d+\.\d\d% \d of 10 obs/.test(s.reason))).toBe(true);
    // A weaker January effect: t between 2 and 4, traded at the default threshold, not at 4.
    const weak = calendarBars('GLD', 12, (day) => january(day) * 0.25);
    const run = (tStatThreshold: number): ReturnType<typeof runStrategy> => runStrategy(seasonality, { params: { mode: 'month', universe: ['GLD'], tStatThreshold }, data: [weak], times: lastTimes(weak, 300) });
    expect(run(2).signals.flat().some((s) => s.weight > 0)).toBe(true);
    const strict = run(4);
    expect(strict.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(strict.signals.flat().some((s) => /Jan \+\d+\.\d\d% t \+[23]\.\d < 4/.test(s.reason))).toBe(true);
  });

  it('holds the turn-of-month window (last day and first three days) and is flat in between', () => {
    const tom = (day: Date): number => (inTurnOfMonth(day) ? 0.003 : 0);
    const gld = calendarBars('GLD', 11, tom, { noise: 0.004 });
    const run = runStrategy(seasonality, { params: { mode: 'turn-of-month', universe: ['GLD'] }, data: [gld], times: lastTimes(gld, 120) });
    run.times.forEach((time, i) => {
      // The weight set at this close is held over the next weekday.
      const next = nextDay(time);
      expect([dateOf(time), Math.sign(signalAt(run, 'GLD', i))]).toEqual([dateOf(time), inTurnOfMonth(next) ? 1 : 0]);
    });
    expect(run.signals.flat().some((s) => /^season GLD ToM -1\.\.\+3 \+\d\.\d\d% t \+\d+\.\d -> long/.test(s.reason))).toBe(true);
    expect(run.signals.flat().some((s) => s.reason.startsWith('season GLD outside ToM -> flat'))).toBe(true);
  });

  it('in mode both adds the two signs, capped at one unit, and cancels opposite ones', () => {
    const agree = (day: Date): number => january(day) + (inTurnOfMonth(day) ? 0.003 : 0);
    const oppose = (day: Date): number => january(day) - (inTurnOfMonth(day) ? 0.003 : 0);
    const lastDecember = (run: ReturnType<typeof runStrategy>): number => run.times.findLastIndex((t) => dateOf(t).endsWith('12-31'));
    const both = (drift: (day: Date) => number): ReturnType<typeof runStrategy> => {
      const gld = calendarBars('GLD', 12, drift, { noise: 0.004 });
      return runStrategy(seasonality, { params: { universe: ['GLD'] }, data: [gld], times: lastTimes(gld, 300) });
    };
    const together = both(agree);
    const agreeing = calendarBars('GLD', 12, agree, { noise: 0.004 });
    const monthOnly = runStrategy(seasonality, { params: { universe: ['GLD'], mode: 'month' }, data: [agreeing], times: lastTimes(agreeing, 300) });
    expect(signalAt(together, 'GLD', lastDecember(together))).toBeCloseTo(signalAt(monthOnly, 'GLD', lastDecember(monthOnly)), 12);
    expect(signalAt(together, 'GLD', lastDecember(together))).toBeGreaterThan(0);
    const opposed = both(oppose);
    expect(opposed.signals[lastDecember(opposed)]![0]!.reason).toMatch(/Jan \+\d+\.\d\d% t \+\d+\.\d; ToM -1\.\.\+3 -\d\.\d\d% t -\d+\.\d -> flat/);
    expect(signalAt(opposed, 'GLD', lastDecember(opposed))).toBe(0);
  });

  it('sizes each instrument to min(1, volTarget / n / vol)', () => {
    const gld = calendarBars('GLD', 12, january);
    const slv = calendarBars('SLV', 12, january, { noise: 0.02, seed: 6 });
    const time = lastTimes(gld, 300).find((t) => dateOf(t).endsWith('12-31'))!;
    const run = runStrategy(seasonality, { params: MONTH.params, data: [gld, slv], times: [time] });
    const closes = [...gld.columns.close!].slice(0, gld.available.indexOf(time) + 1).slice(-61);
    const returns = closes.slice(1).map((c, i) => Math.log(c / closes[i]!));
    const mean = returns.reduce((a, b) => a + b, 0) / 60;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 59) * 252);
    expect(signalAt(run, 'GLD', 0)).toBeCloseTo(Math.min(1, 0.1 / 2 / vol), 12);
    expect(signalAt(run, 'SLV', 0)).toBeGreaterThan(0);
    expect(signalAt(run, 'SLV', 0)).toBeLessThan(signalAt(run, 'GLD', 0));
  });

  it('returns zero weights, never NaN, until it has a volatility estimate', () => {
    const gld = calendarBars('GLD', 0.2, january);
    const run = runStrategy(seasonality, { params: { universe: ['GLD'] }, data: [gld] });
    expect(run.signals.flat().every((s) => s.weight === 0 && s.confidence === 0)).toBe(true);
    expect(run.signals[30]![0]!.reason).toBe('season GLD waiting for history: 31 of 61 bars');
  });
});

describe('seasonality-pm params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(seasonality, 'plugins/seasonality-pm/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'mode', value: 'week' },
    { name: 'tStatThreshold', value: -1 },
    { name: 'minYears', value: 2 },
    { name: 'tomDaysAfter', value: 11 },
    { name: 'universe', value: [] },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(seasonality.params, { [name]: value }, 'plugins.settings.seasonality-pm.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.seasonality-pm.params.${name}`]]);
  });

  it('rejects minYears not below maxYears, and an empty turn-of-month window, when it is prepared', () => {
    let error: { code?: string; problems?: { details: { where?: string } }[] } = {};
    try {
      runStrategy(seasonality, { params: { minYears: 12, maxYears: 10, tomDaysBefore: 0, tomDaysAfter: 0 }, data: [calendarBars('GLD', 0.1, january), calendarBars('SLV', 0.1, january)] });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual(['plugins.settings.seasonality-pm.params.minYears', 'plugins.settings.seasonality-pm.params.tomDaysAfter']);
  });

  it('passes the plugin contract check', () => {
    const drift = (day: Date): number => january(day) + (inTurnOfMonth(day) ? 0.003 : 0);
    const data = [calendarBars('GLD', 4.5, drift, { noise: 0.004 }), calendarBars('SLV', 4.5, drift, { noise: 0.006, seed: 8 })];
    const report = checkStrategyContract(seasonality, { params: { minYears: 3, maxYears: 5 }, data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(50);
  });
});
