import type { Frequency } from '../../model/series.js';
import { MS_PER_DAY, MS_PER_HOUR, type EpochMs } from '../../model/time.js';
import type { DataDependency, Guard } from '../guard.js';
import { allowOnlyReducing } from './risk-reducing.js';

export interface StaleDataConfig {
  /** How many expected intervals may pass before a series is stale (default 3). */
  readonly maxAgeMultiple: number;
  /** Expected interval between observations per frequency; a frequency left out (default: irregular) is never stale. */
  readonly intervalsMs: Readonly<Partial<Record<Frequency, number>>>;
  /** Added to every allowed age for market holidays and, intraday, the overnight close (default 1 day). */
  readonly holidayAllowanceMs: number;
  /** Count only Monday-Friday (UTC) time in a series' age, so weekends never make data stale (default true). */
  readonly excludeWeekends: boolean;
}

/** Expected intervals: an hour intraday, a (business) day, a week, 31 days, 92 days. */
export const DEFAULT_INTERVALS_MS: Readonly<Partial<Record<Frequency, number>>> = {
  intraday: MS_PER_HOUR,
  daily: MS_PER_DAY,
  weekly: 7 * MS_PER_DAY,
  monthly: 31 * MS_PER_DAY,
  quarterly: 92 * MS_PER_DAY,
};

export const DEFAULT_STALE_DATA: StaleDataConfig = { maxAgeMultiple: 3, intervalsMs: DEFAULT_INTERVALS_MS, holidayAllowanceMs: MS_PER_DAY, excludeWeekends: true };

/**
 * Age of a series at `now`: the time since its last observation became available, weekends excluded when
 * configured; NaN when it has no observation yet. Never negative.
 */
export function dataAge(lastAvailable: EpochMs, now: EpochMs, excludeWeekends = true): number {
  if (Number.isNaN(lastAvailable)) return Number.NaN;
  const age = excludeWeekends ? weekdayTime(now) - weekdayTime(lastAvailable) : now - lastAvailable;
  return Math.max(0, age);
}

/** The largest age allowed for a frequency, or undefined when that frequency is not checked. */
export function maxDataAge(frequency: Frequency, config: StaleDataConfig = DEFAULT_STALE_DATA): number | undefined {
  const interval = config.intervalsMs[frequency];
  return interval === undefined ? undefined : config.maxAgeMultiple * interval + config.holidayAllowanceMs;
}

/**
 * True when a dependency is stale at `now`: it has no observation yet, or its age is over the allowed age of its
 * frequency (at the allowed age exactly it is still fresh). The engine uses this for the stale-data breaker too.
 *
 * @example
 * isStale({ seriesId: 'bar:GLD', lastAvailable: friday21h, frequency: 'daily' }, nextMonday21h) // false: 1 weekday
 */
export function isStale(dependency: DataDependency, now: EpochMs, config: StaleDataConfig = DEFAULT_STALE_DATA): boolean {
  const allowed = maxDataAge(dependency.frequency, config);
  if (allowed === undefined) return false;
  const age = dataAge(dependency.lastAvailable, now, config.excludeWeekends);
  return Number.isNaN(age) || age > allowed;
}

/**
 * The stale-data guard: a risk-increasing order is rejected when any series its instrument depends on is stale
 * (see `isStale`), naming the series; risk-reducing orders pass, and an order that would reverse a position is
 * clipped to close it. A stale series blocks new entries for the instruments that depend on it, never exits.
 *
 * @example
 * staleDataGuard({ ...DEFAULT_STALE_DATA, maxAgeMultiple: 5 })
 */
export function staleDataGuard(config: StaleDataConfig = DEFAULT_STALE_DATA): Guard {
  return {
    name: 'stale-data',
    check(intent, view) {
      const dependencies = view.dataDependencies(intent.symbol);
      const stale: string[] = [];
      let worst = { seriesId: '', ageMs: 0, maxAgeMs: 0, ratio: -1 };
      for (const dependency of dependencies) {
        const allowed = maxDataAge(dependency.frequency, config);
        if (allowed === undefined) continue;
        const age = dataAge(dependency.lastAvailable, view.time, config.excludeWeekends);
        const ratio = Number.isNaN(age) ? Number.POSITIVE_INFINITY : age / allowed;
        if (ratio > worst.ratio) worst = { seriesId: dependency.seriesId, ageMs: age, maxAgeMs: allowed, ratio };
        if (isStale(dependency, view.time, config)) stale.push(dependency.seriesId);
      }
      const compared = { dependencies: dependencies.length, oldestSeries: worst.seriesId, ageMs: worst.ageMs, maxAgeMs: worst.maxAgeMs };
      if (stale.length === 0) return { result: 'pass', compared };
      return allowOnlyReducing(intent, view, `stale data: ${stale.join(', ')} (no new risk in ${intent.symbol} until it updates)`, { ...compared, staleSeries: stale.join(',') });
    },
  };
}

/** Monday-Friday milliseconds from the epoch to `time` (the epoch was a Thursday). */
function weekdayTime(time: EpochMs): number {
  const week = 7 * MS_PER_DAY;
  const fromMonday = time + 3 * MS_PER_DAY;
  const weeks = Math.floor(fromMonday / week);
  return weeks * 5 * MS_PER_DAY + Math.min(fromMonday - weeks * week, 5 * MS_PER_DAY);
}
