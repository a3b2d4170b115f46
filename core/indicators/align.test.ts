import { describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../model/time.js';
import { ageExceedsDays, barsSince, indexAsOf, valueAsOf } from './align.js';

describe('indexAsOf and valueAsOf', () => {
  const available = [10, 20, 20, 30];
  const values = [1.5, 1.6, 1.65, 1.7];
  it.each([
    { at: 5, index: -1 },
    { at: 10, index: 0 },
    { at: 19, index: 0 },
    { at: 20, index: 2 },
    { at: 25, index: 2 },
    { at: 30, index: 3 },
    { at: 99, index: 3 },
  ])('at $at: index $index', ({ at, index }) => {
    expect(indexAsOf(Float64Array.from(available), at)).toBe(index);
    const value = valueAsOf(available, values, at);
    if (index < 0) expect(value).toBeNaN();
    else expect(value).toBe(values[index]);
  });

  it('finds nothing in an empty window', () => {
    expect(indexAsOf([], 1)).toBe(-1);
    expect(valueAsOf([], [], 1)).toBeNaN();
  });
});

describe('barsSince', () => {
  it.each([
    { time: [1, 2, 3, 4, 5], t: 3, count: 2 },
    { time: [1, 2, 3, 4, 5], t: 5, count: 0 },
    { time: [1, 2, 3, 4, 5], t: 0, count: 5 },
    { time: [1, 2, 3, 4, 5], t: 3.5, count: 2 },
    { time: [], t: 0, count: 0 },
  ])('after $t in $time: $count', ({ time, t, count }) => {
    expect(barsSince(time, t)).toBe(count);
  });
});

describe('ageExceedsDays', () => {
  const t = Date.UTC(2024, 0, 1);
  it.each([
    { now: t + 30 * MS_PER_DAY, max: 21, stale: true },
    { now: t + 21 * MS_PER_DAY, max: 21, stale: false },
    { now: t + 21 * MS_PER_DAY + 1, max: 21, stale: true },
    { now: t + 2.5 * MS_PER_DAY, max: 2.5, stale: false },
  ])('now = t + $now, max $max days: $stale', ({ now, max, stale }) => {
    expect(ageExceedsDays(now, t, max)).toBe(stale);
  });
});
