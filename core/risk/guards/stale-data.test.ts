import { describe, expect, it } from 'vitest';
import type { DataDependency } from '../guard.js';
import { FAKE_NOW, runCase, type GuardCase } from './fake-view.js';
import { dataAge, DEFAULT_STALE_DATA, isStale, maxDataAge } from './stale-data.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// FAKE_NOW is Wednesday 2024-01-10 15:00 UTC. Daily series may be 3 x 1 day + 1 day of holiday = 96 weekday-hours old:
// back from Wednesday 15:00 over the weekend that is Thursday 2024-01-04 15:00.
const DAILY_EDGE = Date.UTC(2024, 0, 4, 15);
const daily = (lastAvailable: number, seriesId = 'bar:GLD'): DataDependency => ({ seriesId, lastAvailable, frequency: 'daily' });
const deps = (...list: DataDependency[]): Record<string, DataDependency[]> => ({ GLD: list });

const CASES: GuardCase[] = [
  { name: 'fresh bars pass', state: { dependencies: deps(daily(FAKE_NOW - HOUR)) }, expected: { result: 'pass', quantity: 100, compared: { dependencies: 1, oldestSeries: 'bar:GLD', ageMs: HOUR, maxAgeMs: 4 * DAY } } },
  { name: 'no dependencies known: pass', expected: { result: 'pass', compared: { dependencies: 0 } } },
  { name: 'daily at the allowed age exactly (weekend not counted): pass', state: { dependencies: deps(daily(DAILY_EDGE)) }, expected: { result: 'pass', compared: { ageMs: 4 * DAY } } },
  { name: 'daily 1 ms past the allowed age: reject, naming the series', state: { dependencies: deps(daily(DAILY_EDGE - 1)) }, expected: { result: 'reject', compared: { staleSeries: 'bar:GLD' } }, reason: /stale data: bar:GLD/ },
  {
    name: 'every stale series is named, fresh ones are not',
    state: { dependencies: deps(daily(FAKE_NOW), daily(Number.NaN, 'macro:DFII10'), daily(DAILY_EDGE - DAY, 'cot:GC')) },
    expected: { result: 'reject', compared: { staleSeries: 'macro:DFII10,cot:GC', oldestSeries: 'macro:DFII10' } },
  },
  { name: 'a series with no observation yet is stale', state: { dependencies: deps(daily(Number.NaN)) }, expected: { result: 'reject' } },
  { name: 'intraday at 3 h + 1 day exactly: pass', state: { dependencies: deps({ seriesId: 'bar:GLD', lastAvailable: FAKE_NOW - 27 * HOUR, frequency: 'intraday' }) }, expected: { result: 'pass' } },
  { name: 'intraday 1 ms older: reject', state: { dependencies: deps({ seriesId: 'bar:GLD', lastAvailable: FAKE_NOW - 27 * HOUR - 1, frequency: 'intraday' }) }, expected: { result: 'reject' } },
  { name: 'irregular series are not checked by default', state: { dependencies: deps({ seriesId: 'event:FOMC', lastAvailable: FAKE_NOW - 400 * DAY, frequency: 'irregular' }) }, expected: { result: 'pass' } },
  {
    name: 'an irregular interval can be configured',
    config: { intervalsMs: { irregular: 30 * DAY } },
    state: { dependencies: deps({ seriesId: 'event:FOMC', lastAvailable: FAKE_NOW - 400 * DAY, frequency: 'irregular' }) },
    expected: { result: 'reject' },
  },
  { name: 'weekends counted when excludeWeekends is false: 96 h exactly passes', config: { excludeWeekends: false }, state: { dependencies: deps(daily(FAKE_NOW - 4 * DAY)) }, expected: { result: 'pass' } },
  { name: 'weekends counted: the weekday edge is now stale', config: { excludeWeekends: false }, state: { dependencies: deps(daily(DAILY_EDGE)) }, expected: { result: 'reject' } },
  { name: 'a larger multiple tolerates older data', config: { maxAgeMultiple: 5 }, state: { dependencies: deps(daily(DAILY_EDGE - 1)) }, expected: { result: 'pass' } },
  { name: 'stale: selling down a long still passes', state: { dependencies: deps(daily(Number.NaN)), positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'pass', quantity: 100 } },
  { name: 'stale: a reversal is clipped to the exit', state: { dependencies: deps(daily(Number.NaN)), positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 300 }, expected: { result: 'clip', quantity: 100 } },
];

describe('stale-data guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('stale-data', c);
    expect(outcome).toMatchObject(c.expected);
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});

describe('data age and staleness', () => {
  const friday21h = Date.UTC(2024, 0, 5, 21);
  it.each([
    { name: 'Friday close to Monday close is one weekday', from: friday21h, to: Date.UTC(2024, 0, 8, 21), age: DAY },
    { name: 'Saturday to Sunday counts nothing', from: Date.UTC(2024, 0, 6, 12), to: Date.UTC(2024, 0, 7, 12), age: 0 },
    { name: 'within a weekday it is plain elapsed time', from: Date.UTC(2024, 0, 9, 1), to: Date.UTC(2024, 0, 9, 2), age: HOUR },
    { name: 'two weeks are ten weekdays', from: Date.UTC(2024, 0, 3), to: Date.UTC(2024, 0, 17), age: 10 * DAY },
    { name: 'an observation from the future has age 0', from: Date.UTC(2024, 0, 9, 2), to: Date.UTC(2024, 0, 9, 1), age: 0 },
  ])('$name', ({ from, to, age }) => {
    expect(dataAge(from, to)).toBe(age);
  });

  it('counts weekends when asked', () => {
    expect(dataAge(friday21h, Date.UTC(2024, 0, 8, 21), false)).toBe(3 * DAY);
  });

  it('allowed age per frequency: multiple x interval + holiday allowance; undefined when unchecked', () => {
    expect(maxDataAge('daily')).toBe(4 * DAY);
    expect(maxDataAge('intraday')).toBe(27 * HOUR);
    expect(maxDataAge('weekly')).toBe(22 * DAY);
    expect(maxDataAge('irregular')).toBeUndefined();
    expect(maxDataAge('daily', { ...DEFAULT_STALE_DATA, holidayAllowanceMs: 0 })).toBe(3 * DAY);
  });

  it('a daily bar is fresh over a weekend, stale after four quiet weekdays', () => {
    expect(isStale(daily(friday21h), Date.UTC(2024, 0, 8, 20))).toBe(false);
    expect(isStale(daily(friday21h), Date.UTC(2024, 0, 11, 21))).toBe(false);
    expect(isStale(daily(friday21h), Date.UTC(2024, 0, 11, 21) + 1)).toBe(true);
  });
});
