import { ShError } from '../errors.js';
import {
  availableAt,
  BAR_FIELDS,
  barId,
  COT_AVAILABILITY,
  DAILY_CLOSE_LAG_MS,
  NEXT_MORNING_LAG_MS,
  parseSeriesId,
  type Availability,
  type Frequency,
  type SeriesData,
  type SeriesId,
} from '../model/series.js';
import type { SeriesStore } from '../model/series-store.js';
import { dayOfWeek, MS_PER_DAY, MS_PER_HOUR, parseDate, type EpochMs } from '../model/time.js';

/* Data builders of the plugin test kit: constructed bars and series for plugin tests. */

export interface BarsOptions {
  /** First day, `YYYY-MM-DD` (moved to the next weekday if it is a weekend). Default `2020-01-01`. */
  readonly start?: string;
  /** High and low sit this many percent beyond the open/close range. Default 0.5. */
  readonly spreadPct?: number;
}

/**
 * Daily bars (business days, Saturdays and Sundays skipped) from a list of closes: open = previous close,
 * volume 1e6, each bar available at its close (DAILY_CLOSE_LAG_MS after midnight UTC).
 *
 * @example barsFromCloses('GLD', [100, 101, 102.5], { start: '2021-03-01' })
 */
export function barsFromCloses(symbol: string, closes: readonly number[], options: BarsOptions = {}): SeriesData {
  const spread = (options.spreadPct ?? 0.5) / 100;
  closes.forEach((close, i) => {
    if (!(Number.isFinite(close) && close > 0)) {
      throw new ShError('SH_ERR_DATA_CSV_INVALID', `barsFromCloses(${symbol}): close ${i} is not a positive price`, { where: `bar:${symbol} row ${i}`, received: close, expected: 'a finite price > 0' });
    }
  });
  const n = closes.length;
  const time = businessDays(startDay(options.start), n);
  const columns = { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: Float64Array.from(closes), volume: new Float64Array(n).fill(1e6) };
  for (let i = 0; i < n; i++) {
    const close = closes[i] as number;
    const open = i === 0 ? close : (closes[i - 1] as number);
    columns.open[i] = open;
    columns.high[i] = Math.max(open, close) * (1 + spread);
    columns.low[i] = Math.min(open, close) * (1 - spread);
  }
  const availability: Availability = { rule: 'lag', lagMs: DAILY_CLOSE_LAG_MS };
  return { spec: { id: barId(symbol), kind: 'bar', fields: BAR_FIELDS, frequency: 'daily', availability }, time, available: time.map((t) => availableAt(t, availability)), columns };
}

export interface SeriesOptions {
  /** First observation, `YYYY-MM-DD`. Default `2020-01-01`. Ignored when `days` is given. */
  readonly start?: string;
  /** Spacing of generated dates: daily/irregular = business days, weekly = 7 days, monthly, quarterly, intraday = hourly. Default daily. */
  readonly frequency?: Frequency;
  /** Default: published the next morning (NEXT_MORNING_LAG_MS), like FRED. */
  readonly availability?: Availability;
  /** Field name. Default `value`. */
  readonly field?: string;
  /** Explicit dates (`YYYY-MM-DD`), one per value. */
  readonly days?: readonly string[];
}

/**
 * A single-field series (macro-like), e.g. `macro:VIX`. NaN values are kept: they stand for gaps in the source.
 *
 * @example seriesFromValues('macro:DFII10', [1.1, 1.2, 1.15])
 */
export function seriesFromValues(id: string, values: readonly number[], options: SeriesOptions = {}): SeriesData {
  const field = options.field ?? 'value';
  const frequency = options.frequency ?? 'daily';
  const time = options.days ? datesOf(id, options.days, values.length) : generatedTimes(startDay(options.start), values.length, frequency);
  return makeSeries(id, time, { [field]: Float64Array.from(values) }, frequency, options.availability ?? { rule: 'lag', lagMs: NEXT_MORNING_LAG_MS });
}

/**
 * A weekly multi-field series observed on Tuesdays (COT-like), available per COT_AVAILABILITY (Friday 20:30 UTC)
 * unless `availability` says otherwise. Fields are the keys of the first row; every row must have them all.
 *
 * @example weeklySeries('cot:GC', [{ long: 250_000, short: 80_000, openInterest: 500_000 }])
 */
export function weeklySeries(id: string, rows: readonly Readonly<Record<string, number>>[], options: { readonly start?: string; readonly availability?: Availability } = {}): SeriesData {
  const fields = Object.keys(rows[0] ?? {});
  const columns: Record<string, Float64Array> = {};
  for (const f of fields) columns[f] = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    for (const f of fields) {
      if (typeof row[f] !== 'number') throw new ShError('SH_ERR_DATA_CATALOG_INVALID', `weeklySeries(${id}): row ${i} has no number for ${f}`, { where: `${id} row ${i}`, received: row, expected: `numbers for ${fields.join(', ')}` });
      (columns[f] as Float64Array)[i] = row[f] as number;
    }
  });
  let tuesday = startDay(options.start);
  while (dayOfWeek(tuesday) !== 2) tuesday += MS_PER_DAY;
  const time = Float64Array.from(rows, (_, i) => tuesday + i * 7 * MS_PER_DAY);
  return makeSeries(id, time, columns, 'weekly', options.availability ?? COT_AVAILABILITY);
}

/**
 * Closes of a geometric random walk from a seeded generator: reproducible test prices.
 * `drift` and `volatility` are per day, in log terms. Defaults: start 100, drift 0, volatility 0.01, seed 1.
 *
 * @example barsFromCloses('GLD', pricePath(300, { drift: 0.001, seed: 7 }))
 */
export function pricePath(days: number, options: { readonly start?: number; readonly drift?: number; readonly volatility?: number; readonly seed?: number } = {}): number[] {
  const noise = seededNormals(options.seed ?? 1, days);
  const closes: number[] = [];
  let price = options.start ?? 100;
  for (let i = 0; i < days; i++) {
    price *= Math.exp((options.drift ?? 0) + (options.volatility ?? 0.01) * (noise[i] as number));
    closes.push(price);
  }
  return closes;
}

/** `n` standard normal draws from a seeded generator (mulberry32 + Box-Muller): the same seed gives the same draws. */
export function seededNormals(seed: number, n: number): number[] {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: number[] = [];
  while (out.length < n) {
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v));
  }
  return out.slice(0, n);
}

/** Sorted union of the availability times of the bar series of `symbols`: the daily decision times. */
export function decisionTimes(store: SeriesStore, symbols: readonly string[]): number[] {
  return unionOfAvailability(store, symbols.map(barId));
}

/** Sorted union of the availability times of the given series. */
export function unionOfAvailability(store: SeriesStore, ids: readonly string[]): number[] {
  const all = new Set<number>();
  for (const id of ids) for (const t of store.full(id).available) all.add(t);
  return [...all].sort((a, b) => a - b);
}

function makeSeries(id: string, time: Float64Array, columns: Record<string, Float64Array>, frequency: Frequency, availability: Availability): SeriesData {
  const parsed = parseSeriesId(id);
  if (!parsed) throw new ShError('SH_ERR_DATA_CATALOG_INVALID', `series id ${JSON.stringify(id)} is malformed`, { where: id, received: id, expected: '<kind>:<name>, e.g. macro:VIX' });
  return { spec: { id: id as SeriesId, kind: parsed.kind, fields: Object.keys(columns), frequency, availability }, time, available: time.map((t) => availableAt(t, availability)), columns };
}

function startDay(start: string | undefined): EpochMs {
  const time = parseDate(start ?? '2020-01-01');
  if (Number.isNaN(time)) throw new ShError('SH_ERR_DATA_CATALOG_INVALID', `start date ${JSON.stringify(start)} is malformed`, { received: start, expected: 'YYYY-MM-DD' });
  return time;
}

function businessDays(from: EpochMs, n: number): Float64Array {
  const out = new Float64Array(n);
  let t = from;
  for (let i = 0; i < n; i++) {
    while (dayOfWeek(t) === 0 || dayOfWeek(t) === 6) t += MS_PER_DAY;
    out[i] = t;
    t += MS_PER_DAY;
  }
  return out;
}

function generatedTimes(from: EpochMs, n: number, frequency: Frequency): Float64Array {
  if (frequency === 'daily' || frequency === 'irregular') return businessDays(from, n);
  if (frequency === 'intraday') return Float64Array.from({ length: n }, (_, i) => from + i * MS_PER_HOUR);
  if (frequency === 'weekly') return Float64Array.from({ length: n }, (_, i) => from + i * 7 * MS_PER_DAY);
  const step = frequency === 'monthly' ? 1 : 3;
  const d = new Date(from);
  // Day clamped to 28 so that every month has it and dates stay evenly spaced.
  return Float64Array.from({ length: n }, (_, i) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + i * step, Math.min(28, d.getUTCDate())));
}

function datesOf(id: string, days: readonly string[], n: number): Float64Array {
  if (days.length !== n) throw new ShError('SH_ERR_DATA_CATALOG_INVALID', `series ${id}: ${days.length} days for ${n} values`, { where: id, received: days.length, expected: String(n) });
  return Float64Array.from(days, (day) => {
    const t = parseDate(day);
    if (Number.isNaN(t)) throw new ShError('SH_ERR_DATA_CATALOG_INVALID', `series ${id}: day ${JSON.stringify(day)} is malformed`, { where: id, received: day, expected: 'YYYY-MM-DD' });
    return t;
  });
}
