/** Times are epoch milliseconds, UTC. A day is an ISO date `YYYY-MM-DD`. */
export type EpochMs = number;

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Parse `YYYY-MM-DD` (or a full ISO timestamp) to epoch ms UTC; NaN when malformed. */
export function parseDate(text: string): EpochMs {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return Date.parse(text);
  return Number.NaN;
}

/** Format epoch ms as `YYYY-MM-DD` (UTC). */
export function formatDate(time: EpochMs): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Format epoch ms as an ISO timestamp. */
export function formatTime(time: EpochMs): string {
  return new Date(time).toISOString();
}

/** Midnight UTC of the day containing `time`. */
export function startOfDay(time: EpochMs): EpochMs {
  return Math.floor(time / MS_PER_DAY) * MS_PER_DAY;
}

/** Day of week, 0 = Sunday (UTC). */
export function dayOfWeek(time: EpochMs): number {
  return new Date(time).getUTCDay();
}

/** Month 1..12 (UTC). */
export function monthOf(time: EpochMs): number {
  return new Date(time).getUTCMonth() + 1;
}

/** The next weekday (Mon-Fri) strictly after the day of `time`, at midnight UTC. */
export function nextWeekday(time: EpochMs): EpochMs {
  let t = startOfDay(time) + MS_PER_DAY;
  while (dayOfWeek(t) === 0 || dayOfWeek(t) === 6) t += MS_PER_DAY;
  return t;
}
