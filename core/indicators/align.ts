import { MS_PER_DAY } from '../model/time.js';

/*
 * Time alignment of windows: what a series held at a given time, how many bars came after a time, and whether the
 * last observation is too old to act on.
 */

/**
 * Index of the last observation available at `at` (its availability time <= at), by binary search over
 * non-decreasing availability times; -1 when none was.
 *
 * @example indexAsOf([10, 20, 20, 30], 25) // 2
 * @example indexAsOf([10, 20, 20, 30], 5) // -1
 */
export function indexAsOf(available: ArrayLike<number>, at: number): number {
  let lo = 0;
  let hi = available.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((available[mid] as number) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The value of a series as a trader knew it at `at`: the last value whose availability time is <= at (an as-of
 * join on availability, e.g. the real yield known at a bar's close). NaN when nothing was available yet.
 *
 * @example valueAsOf(yields.available, yields.field('value'), bars.available[bars.length - 1])
 * @example valueAsOf([10, 20, 30], [1.5, 1.6, 1.7], 25) // 1.6
 */
export function valueAsOf(available: ArrayLike<number>, values: ArrayLike<number>, at: number): number {
  const j = indexAsOf(available, at);
  return j < 0 ? Number.NaN : (values[j] as number);
}

/**
 * Observations of a window after time `t`, counted from its end: the bars a trade entered on the bar at `t` has
 * been held, or the bars since an event.
 *
 * @example barsSince([1, 2, 3, 4, 5], 3) // 2
 */
export function barsSince(time: ArrayLike<number>, t: number): number {
  let count = 0;
  for (let i = time.length - 1; i >= 0 && (time[i] as number) > t; i--) count++;
  return count;
}

/**
 * Whether an observation at `time` is more than `maxAgeDays` calendar days old at `now`: `now - time > maxAgeDays
 * x MS_PER_DAY` (a series that has stopped must not drive a position).
 *
 * @example ageExceedsDays(Date.UTC(2024, 0, 31), Date.UTC(2024, 0, 1), 21) // true: 30 days old
 */
export function ageExceedsDays(now: number, time: number, maxAgeDays: number): boolean {
  return now - time > maxAgeDays * MS_PER_DAY;
}
