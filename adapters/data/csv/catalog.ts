import * as path from 'node:path';
import { COT_AVAILABILITY, DAILY_CLOSE_LAG_MS, MS_PER_HOUR, NEXT_MORNING_LAG_MS, ShError, instrument, parseSeriesId, shError } from '../../../core/index.js';
import type { AssetClass, Availability, Frequency, Instrument, SeriesId, SeriesKind } from '../../../core/index.js';

/**
 * How a file maps to fields:
 * - `bar`: OHLCV of a tradable instrument (`bar:` ids only), plus adj_close and dividends when the file has them;
 * - `ohlc`: OHLC of an index that is not traded (macro:VIX, macro:DXY): fields value (= close), open, high, low, close;
 * - `value`: one `value` column;
 * - `table`: every non-time column becomes a field (COT reports).
 */
export type CatalogFormat = 'bar' | 'ohlc' | 'value' | 'table';
export const CATALOG_FORMATS: readonly CatalogFormat[] = ['bar', 'ohlc', 'value', 'table'];

/** Named availability rules, so a catalog says "close" rather than a number of milliseconds. */
export const AVAILABILITY_PRESETS = {
  /** Daily bars at the New York close, 21:00 UTC. */
  close: { rule: 'lag', lagMs: DAILY_CLOSE_LAG_MS },
  /** FRED daily values: 13:00 UTC the next day. */
  'next-morning': { rule: 'lag', lagMs: NEXT_MORNING_LAG_MS },
  /** COT: Tuesday positions, published Friday 20:30 UTC. */
  'cot-friday': COT_AVAILABILITY,
  /** LBMA gold AM price: 10:30 London (written as UTC: exact in winter, an hour late in summer). */
  'lbma-am': { rule: 'lag', lagMs: 10.5 * MS_PER_HOUR },
  /** LBMA silver price: 12:00 London. */
  'lbma-silver': { rule: 'lag', lagMs: 12 * MS_PER_HOUR },
  /** LBMA gold PM price: 15:00 London. */
  'lbma-pm': { rule: 'lag', lagMs: 15 * MS_PER_HOUR },
  /** A UTC-day crypto bar stamped at its open: complete at the next midnight. */
  'utc-day-close': { rule: 'lag', lagMs: 24 * MS_PER_HOUR },
  /** An hourly bar stamped at its open: complete an hour later. */
  'hour-close': { rule: 'lag', lagMs: MS_PER_HOUR },
} as const satisfies Record<string, Availability>;
export type AvailabilityPreset = keyof typeof AVAILABILITY_PRESETS;

/** Bar rules a catalog entry may relax, each with a stated reason. The rows are kept as the source wrote them. */
export const RELAXABLE_RULES = ['high>=low', 'high>=max(open,close)', 'low<=min(open,close)'] as const;
export type RelaxableRule = (typeof RELAXABLE_RULES)[number];

/** One catalog entry as written in JSON. */
export interface CatalogEntryInput {
  readonly id: string;
  readonly file: string;
  readonly format: CatalogFormat;
  /** Default `date`; `timestamp` for intraday files. */
  readonly timeColumn?: string;
  /** `{ field: csvColumn }`, overriding the defaults of the format (a table with columns takes only those). */
  readonly columns?: Readonly<Record<string, string>>;
  /** Default `daily`. */
  readonly frequency?: Frequency;
  readonly availability: Availability | AvailabilityPreset;
  /** Bars only: asset class, currency, multiplier, tick and lot size, tags. Defaults as core `instrument()`. */
  readonly instrument?: Partial<Omit<Instrument, 'symbol'>>;
  /** What gaps the source has (exchange holidays, weekends): stated, never silently filled. */
  readonly gaps?: string;
  readonly notes?: string;
  /** Value format: enforce value > 0 (prices). Rates can be negative, so the default is false. */
  readonly positive?: boolean;
  /** Bars: `"absent"` when the file has no volume; volume is then 0. */
  readonly volume?: 'absent';
  /** Bar and ohlc formats: rules to relax, each with the reason (`{ "high>=max(open,close)": "settlement vs last" }`). */
  readonly relax?: Readonly<Partial<Record<RelaxableRule, string>>>;
}

/** A catalog as written in JSON. `root` is relative to the catalog file (or to `baseDir`), or absolute. */
export interface DataCatalog {
  readonly root?: string;
  readonly description?: string;
  readonly series: readonly CatalogEntryInput[];
}

/** A validated catalog entry with its paths resolved and defaults applied. */
export interface CatalogEntry {
  readonly index: number;
  readonly id: SeriesId;
  readonly kind: SeriesKind;
  readonly name: string;
  /** The file as the catalog names it (used in messages). */
  readonly file: string;
  /** The resolved path. */
  readonly path: string;
  readonly format: CatalogFormat;
  readonly timeColumn: string;
  readonly columns: Readonly<Record<string, string>>;
  readonly frequency: Frequency;
  readonly availability: Availability;
  readonly instrument: Instrument | undefined;
  readonly positive: boolean;
  readonly volumeAbsent: boolean;
  readonly relax: ReadonlyMap<RelaxableRule, string>;
  readonly description: string;
}

const FREQUENCIES: readonly Frequency[] = ['intraday', 'daily', 'weekly', 'monthly', 'quarterly', 'irregular'];
const ASSET_CLASSES: readonly AssetClass[] = ['etf', 'equity', 'future', 'crypto', 'fx', 'option', 'index'];
const ENTRY_KEYS = new Set(['id', 'file', 'format', 'timeColumn', 'columns', 'frequency', 'availability', 'instrument', 'gaps', 'notes', 'positive', 'volume', 'relax', '$comment']);
const CATALOG_KEYS = new Set(['root', 'description', 'series', '$comment']);
const FORMAT_FIELDS: Record<CatalogFormat, readonly string[] | undefined> = {
  bar: ['open', 'high', 'low', 'close', 'volume', 'adj_close', 'dividends'],
  ohlc: ['open', 'high', 'low', 'close'],
  value: ['value'],
  table: undefined,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validate a catalog and resolve its paths; throws SH_ERR_DATA_CATALOG_INVALID listing every problem, each naming the
 * entry index, id and field.
 * @param source where the catalog came from, for messages (its path, or "inline catalog").
 * @param baseDir the directory `root` is relative to.
 */
export function validateCatalog(raw: unknown, source: string, baseDir: string): CatalogEntry[] {
  const problems: ShError[] = [];
  const problem = (where: string, message: string, received: unknown, expected: string): void => {
    problems.push(shError('SH_ERR_DATA_CATALOG_INVALID', `${where}: ${message}`, { where: `${source} ${where}`, received, expected }));
  };
  if (!isRecord(raw)) {
    problem('catalog', 'must be an object with "series"', raw, '{ "root": "...", "series": [ ... ] }');
    throw summarise(source, problems);
  }
  for (const key of Object.keys(raw)) if (!CATALOG_KEYS.has(key)) problem(`catalog.${key}`, 'unknown key', key, `one of ${[...CATALOG_KEYS].join(', ')}`);
  if (raw.root !== undefined && (typeof raw.root !== 'string' || raw.root === '')) problem('catalog.root', 'must be a non-empty string', raw.root, 'a directory');
  const root = path.resolve(baseDir, typeof raw.root === 'string' ? raw.root : '.');
  if (!Array.isArray(raw.series) || raw.series.length === 0) {
    problem('catalog.series', 'must be a non-empty array', raw.series, 'an array of series entries');
    throw summarise(source, problems);
  }
  const entries: CatalogEntry[] = [];
  const seen = new Map<string, number>();
  raw.series.forEach((input: unknown, index: number) => {
    const before = problems.length;
    const label = isRecord(input) && typeof input.id === 'string' ? input.id : '?';
    const at = (field: string): string => `series[${index}] (${label}).${field}`;
    if (!isRecord(input)) {
      problem(`series[${index}]`, 'must be an object', input, 'a series entry');
      return;
    }
    for (const key of Object.keys(input)) if (!ENTRY_KEYS.has(key)) problem(at(key), 'unknown key', key, `one of ${[...ENTRY_KEYS].join(', ')}`);

    const parsedId = typeof input.id === 'string' ? parseSeriesId(input.id) : undefined;
    if (!parsedId) problem(at('id'), 'must be a series id <kind>:<name>', input.id, 'e.g. bar:GLD, macro:DFII10, cot:GC');
    else if (seen.has(input.id as string)) problem(at('id'), `duplicates series[${seen.get(input.id as string)}]`, input.id, 'each id once');
    else seen.set(input.id as string, index);

    if (typeof input.file !== 'string' || input.file === '') problem(at('file'), 'is missing', input.file, 'a CSV file name, relative to root or absolute');
    const format = input.format as CatalogFormat;
    if (!CATALOG_FORMATS.includes(format)) problem(at('format'), 'unknown format', input.format, `one of ${CATALOG_FORMATS.join(', ')}`);
    else if (parsedId && (parsedId.kind === 'bar') !== (format === 'bar')) {
      problem(at('format'), parsedId.kind === 'bar' ? 'a bar: series needs format "bar"' : 'format "bar" is for bar: series; use "ohlc" for an index', format, parsedId.kind === 'bar' ? 'bar' : 'ohlc, value or table');
    }
    if (input.timeColumn !== undefined && (typeof input.timeColumn !== 'string' || input.timeColumn === '')) problem(at('timeColumn'), 'must be a column name', input.timeColumn, 'date or timestamp');
    const columns = validateColumns(input.columns, format, at('columns'), problem);
    if (input.frequency !== undefined && !FREQUENCIES.includes(input.frequency as Frequency)) problem(at('frequency'), 'unknown frequency', input.frequency, `one of ${FREQUENCIES.join(', ')}`);
    const availability = validateAvailability(input.availability, at('availability'), problem);
    if (input.instrument !== undefined && format !== 'bar') problem(at('instrument'), 'only bar series describe an instrument', input.instrument, 'no instrument');
    const instrumentFields = validateInstrument(input.instrument, at('instrument'), problem);
    for (const key of ['gaps', 'notes'] as const) if (input[key] !== undefined && typeof input[key] !== 'string') problem(at(key), 'must be text', input[key], 'a string');
    if (input.positive !== undefined && (typeof input.positive !== 'boolean' || format !== 'value')) problem(at('positive'), 'is a boolean for value series', input.positive, 'true or false, format value');
    if (input.volume !== undefined && (input.volume !== 'absent' || format !== 'bar')) problem(at('volume'), 'only "absent" is allowed, for bar series', input.volume, '"absent"');
    const relax = validateRelax(input.relax, format, at('relax'), problem);

    if (problems.length > before || !parsedId) return;
    const symbol = parsedId.name;
    const description = [
      input.gaps ? `Gaps: ${input.gaps as string}` : '',
      (input.notes as string | undefined) ?? '',
      input.volume === 'absent' ? 'The source has no volume: volume is 0.' : '',
      ...[...relax].map(([rule, reason]) => `Rule ${rule} relaxed (rows kept as published): ${reason}`),
    ].filter((s) => s !== '').join(' ');
    entries.push({
      index,
      id: input.id as SeriesId,
      kind: parsedId.kind,
      name: symbol,
      file: input.file as string,
      path: path.resolve(root, input.file as string),
      format,
      timeColumn: (input.timeColumn as string | undefined) ?? 'date',
      columns,
      frequency: (input.frequency as Frequency | undefined) ?? 'daily',
      availability: availability as Availability,
      instrument: format === 'bar' ? instrument(symbol, instrumentFields) : undefined,
      positive: input.positive === true,
      volumeAbsent: input.volume === 'absent',
      relax,
      description,
    });
  });
  if (problems.length > 0) throw summarise(source, problems);
  return entries;
}

type Problem = (where: string, message: string, received: unknown, expected: string) => void;

function validateColumns(value: unknown, format: CatalogFormat, where: string, problem: Problem): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problem(where, 'must map field names to CSV column names', value, '{ "close": "Close" }');
    return {};
  }
  const allowed = FORMAT_FIELDS[format];
  const out: Record<string, string> = {};
  for (const [field, column] of Object.entries(value)) {
    if (allowed && !allowed.includes(field)) problem(`${where}.${field}`, `is not a field of format ${format}`, field, `one of ${allowed.join(', ')}`);
    else if (typeof column !== 'string' || column === '') problem(`${where}.${field}`, 'must name a CSV column', column, 'a column name');
    else out[field] = column;
  }
  return out;
}

function validateAvailability(value: unknown, where: string, problem: Problem): Availability | undefined {
  const presets = Object.keys(AVAILABILITY_PRESETS).join(', ');
  if (typeof value === 'string') {
    if (value in AVAILABILITY_PRESETS) return AVAILABILITY_PRESETS[value as AvailabilityPreset];
    problem(where, 'unknown preset', value, `one of ${presets}, or { rule, ... }`);
    return undefined;
  }
  if (isRecord(value) && value.rule === 'lag') {
    if (typeof value.lagMs === 'number' && Number.isFinite(value.lagMs) && value.lagMs >= 0) return { rule: 'lag', lagMs: value.lagMs };
    problem(`${where}.lagMs`, 'must be a finite number of milliseconds >= 0', value.lagMs, 'e.g. 75600000 (21 hours)');
    return undefined;
  }
  if (isRecord(value) && value.rule === 'next-weekday') {
    const { weekday, atHourUtc } = value;
    const weekdayOk = typeof weekday === 'number' && Number.isInteger(weekday) && weekday >= 0 && weekday <= 6;
    const hourOk = typeof atHourUtc === 'number' && atHourUtc >= 0 && atHourUtc < 24;
    if (!weekdayOk) problem(`${where}.weekday`, 'must be an integer 0 (Sunday) to 6', weekday, '0..6');
    if (!hourOk) problem(`${where}.atHourUtc`, 'must be an hour in [0, 24)', atHourUtc, 'e.g. 20.5');
    return weekdayOk && hourOk ? { rule: 'next-weekday', weekday, atHourUtc } : undefined;
  }
  problem(where, 'is missing or malformed', value, `a preset (${presets}), { "rule": "lag", "lagMs": n } or { "rule": "next-weekday", "weekday": d, "atHourUtc": h }`);
  return undefined;
}

function validateInstrument(value: unknown, where: string, problem: Problem): Partial<Omit<Instrument, 'symbol'>> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problem(where, 'must be an object', value, '{ assetClass, currency, multiplier, tickSize, lotSize, tags }');
    return {};
  }
  for (const key of Object.keys(value)) {
    if (!['assetClass', 'currency', 'multiplier', 'tickSize', 'lotSize', 'tags'].includes(key)) problem(`${where}.${key}`, 'unknown key', key, 'assetClass, currency, multiplier, tickSize, lotSize or tags');
  }
  if (value.assetClass !== undefined && !ASSET_CLASSES.includes(value.assetClass as AssetClass)) problem(`${where}.assetClass`, 'unknown asset class', value.assetClass, `one of ${ASSET_CLASSES.join(', ')}`);
  if (value.currency !== undefined && (typeof value.currency !== 'string' || !/^[A-Z]{3,5}$/.test(value.currency))) problem(`${where}.currency`, 'must be a currency code', value.currency, 'e.g. USD');
  for (const key of ['multiplier', 'tickSize', 'lotSize'] as const) {
    const v = value[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) problem(`${where}.${key}`, 'must be a number > 0', v, 'a positive number');
  }
  if (value.tags !== undefined && !(isRecord(value.tags) && Object.values(value.tags).every((t) => typeof t === 'string'))) problem(`${where}.tags`, 'must map tag names to strings', value.tags, '{ "metal": "gold" }');
  return value as Partial<Omit<Instrument, 'symbol'>>;
}

function validateRelax(value: unknown, format: CatalogFormat, where: string, problem: Problem): Map<RelaxableRule, string> {
  const out = new Map<RelaxableRule, string>();
  if (value === undefined) return out;
  if (!isRecord(value) || (format !== 'bar' && format !== 'ohlc')) {
    problem(where, 'must map bar rules to the reason they are relaxed, for bar or ohlc series', value, `{ "${RELAXABLE_RULES[1]}": "why" }`);
    return out;
  }
  for (const [rule, reason] of Object.entries(value)) {
    if (!RELAXABLE_RULES.includes(rule as RelaxableRule)) problem(`${where}.${rule}`, 'is not a rule that can be relaxed', rule, `one of ${RELAXABLE_RULES.join(', ')}`);
    else if (typeof reason !== 'string' || reason.trim() === '') problem(`${where}.${rule}`, 'needs the reason, as text', reason, 'a non-empty string');
    else out.set(rule as RelaxableRule, reason);
  }
  return out;
}

function summarise(source: string, problems: ShError[]): ShError {
  const first = problems[0] as ShError;
  const message = `catalog ${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.map((p) => p.message).join('; ')}`;
  return new ShError('SH_ERR_DATA_CATALOG_INVALID', message, first.details, problems);
}
