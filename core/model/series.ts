import type { EpochMs } from './time.js';

/**
 * Every input is a series with a stable id `<kind>:<name>`: `bar:GLD`, `macro:DFII10`, `cot:GC`, `curve:GC`,
 * `iv:GLD`, `flow:GLD`, `inventory:COMEX-GOLD`, `event:FOMC`.
 */
export type SeriesKind = 'bar' | 'macro' | 'cot' | 'curve' | 'iv' | 'flow' | 'inventory' | 'event';

export const SERIES_KINDS: readonly SeriesKind[] = ['bar', 'macro', 'cot', 'curve', 'iv', 'flow', 'inventory', 'event'];

export type SeriesId = `${SeriesKind}:${string}`;

/** Bars always carry these fields; other kinds declare their own (`value` for a single macro series). */
export const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

export type Frequency = 'intraday' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'irregular';

/**
 * When an observation becomes available, relative to the time it describes.
 * - `lagMs`: available = time + lagMs (a daily bar at its close: 21h after midnight UTC; FRED: next morning).
 * - `weekdayOffset`: available = the given weekday after `time`, at `atHourUtc` (COT: Tuesday data, Friday 20:30 UTC).
 */
export type Availability =
  | { readonly rule: 'lag'; readonly lagMs: number }
  | { readonly rule: 'next-weekday'; readonly weekday: number; readonly atHourUtc: number };

/** Metadata of a series: what it is, its fields, how often it comes, when it becomes visible. */
export interface SeriesSpec {
  readonly id: SeriesId;
  readonly kind: SeriesKind;
  readonly fields: readonly string[];
  readonly frequency: Frequency;
  readonly availability: Availability;
  /** Gaps the source allows (holidays, weekends) are stated here, never silently dropped. */
  readonly description?: string;
}

/** A column-oriented batch of observations for one series, as adapters deliver it to the store. */
export interface SeriesData {
  readonly spec: SeriesSpec;
  /** The time each observation describes. Strictly increasing. */
  readonly time: Float64Array;
  /** The time each observation became available. Non-decreasing, and >= time. */
  readonly available: Float64Array;
  /** One column per field of spec.fields, same length as time. */
  readonly columns: Readonly<Record<string, Float64Array>>;
}

/** Split a series id into kind and name; undefined when malformed. */
export function parseSeriesId(id: string): { kind: SeriesKind; name: string } | undefined {
  const at = id.indexOf(':');
  if (at <= 0 || at === id.length - 1) return undefined;
  const kind = id.slice(0, at) as SeriesKind;
  if (!SERIES_KINDS.includes(kind)) return undefined;
  return { kind, name: id.slice(at + 1) };
}

/** `bar:<symbol>` for a symbol. */
export function barId(symbol: string): SeriesId {
  return `bar:${symbol}`;
}

/** The availability time of an observation describing `time`. */
export function availableAt(time: EpochMs, availability: Availability): EpochMs {
  if (availability.rule === 'lag') return time + availability.lagMs;
  const day = 86_400_000;
  const start = Math.floor(time / day) * day;
  const weekday = new Date(start).getUTCDay();
  let ahead = (availability.weekday - weekday + 7) % 7;
  if (ahead === 0) ahead = 7;
  return start + ahead * day + availability.atHourUtc * 3_600_000;
}

/** Daily bars become available at the close, 21:00 UTC (16:00 New York in winter; a fixed convention). */
export const DAILY_CLOSE_LAG_MS = 21 * 3_600_000;
/** FRED daily values are published the next morning: 13:00 UTC next day. */
export const NEXT_MORNING_LAG_MS = 37 * 3_600_000;
/** COT: Tuesday positions, published Friday 15:30 New York = 20:30 UTC. */
export const COT_AVAILABILITY: Availability = { rule: 'next-weekday', weekday: 5, atHourUtc: 20.5 };
