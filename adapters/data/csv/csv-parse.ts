import { ShError, availableAt, parseDate, shError } from '../../../core/index.js';
import type { SeriesData, SeriesSpec } from '../../../core/index.js';
import type { CatalogEntry, RelaxableRule } from './catalog.js';

/** Rows a relaxed rule let through, kept as the source wrote them, so that a report can say how many. */
export interface RelaxedRows {
  readonly rule: RelaxableRule;
  readonly reason: string;
  readonly rows: number;
  readonly firstLine: number;
}

export interface ParsedSeries {
  readonly data: SeriesData;
  readonly relaxed: readonly RelaxedRows[];
}

/** Which CSV column feeds each field (-1: a stated constant 0, for absent volume). */
export interface ColumnPlan {
  readonly timeIndex: number;
  readonly fields: readonly string[];
  readonly sources: readonly number[];
}

/** At most this many row problems are listed per file; the count of all of them is in the message. */
const MAX_LISTED_PROBLEMS = 20;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const PRICE_FIELDS = new Set(['open', 'high', 'low', 'close', 'adj_close']);

function headerError(entry: CatalogEntry, message: string, received: unknown, expected: string): ShError {
  return shError('SH_ERR_DATA_CSV_INVALID', `${entry.file} line 1: rule header: ${message}`, {
    where: `${entry.file}:1`, path: entry.path, line: 1, rule: 'header', seriesId: entry.id, received, expected,
  });
}

/** Split the header line into column names (trimmed, BOM removed). */
export function parseHeader(line: string): string[] {
  return line.replace(/^\uFEFF/, '').replace(/\r$/, '').split(',').map((c) => c.trim());
}

/**
 * Map a file's header to the series fields of its catalog entry. Throws SH_ERR_DATA_CSV_INVALID (line 1, rule header)
 * when a required column is missing or a column name repeats.
 */
export function planColumns(entry: CatalogEntry, header: readonly string[]): ColumnPlan {
  const seen = new Set<string>();
  for (const column of header) {
    if (seen.has(column)) throw headerError(entry, `column ${column} appears twice`, header.join(','), 'unique column names');
    seen.add(column);
  }
  const column = (field: string): string => entry.columns[field] ?? field;
  const pairs: [string, string | undefined][] = [];
  if (entry.format === 'bar') {
    for (const f of ['open', 'high', 'low', 'close']) pairs.push([f, column(f)]);
    if (entry.volumeAbsent) {
      if (header.includes(column('volume'))) throw headerError(entry, `the catalog says volume is absent, but the file has column ${column('volume')}`, header.join(','), 'no volume column, or remove "volume": "absent"');
      pairs.push(['volume', undefined]);
    } else pairs.push(['volume', column('volume')]);
    for (const f of ['adj_close', 'dividends']) if (entry.columns[f] !== undefined || header.includes(f)) pairs.push([f, column(f)]);
  } else if (entry.format === 'ohlc') {
    pairs.push(['value', column('close')]);
    for (const f of ['open', 'high', 'low', 'close']) pairs.push([f, column(f)]);
  } else if (entry.format === 'value') {
    pairs.push(['value', column('value')]);
  } else if (Object.keys(entry.columns).length > 0) {
    for (const [f, c] of Object.entries(entry.columns)) pairs.push([f, c]);
  } else {
    for (const c of header) if (c !== entry.timeColumn) pairs.push([c, c]);
  }
  const required = [entry.timeColumn, ...pairs.map(([, c]) => c).filter((c): c is string => c !== undefined)];
  const missing = [...new Set(required)].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw headerError(entry, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the header was ${header.join(',')}`, header.join(','), `columns ${required.join(', ')}`);
  }
  if (pairs.length === 0) throw headerError(entry, 'no data columns', header.join(','), 'at least one column beside the time');
  return {
    timeIndex: header.indexOf(entry.timeColumn),
    fields: pairs.map(([f]) => f),
    sources: pairs.map(([, c]) => (c === undefined ? -1 : header.indexOf(c))),
  };
}

/** The series spec of an entry, given the plan of its file. */
export function specFor(entry: CatalogEntry, plan: ColumnPlan): SeriesSpec {
  return { id: entry.id, kind: entry.kind, fields: plan.fields, frequency: entry.frequency, availability: entry.availability, description: entry.description };
}

function twoOrFourDigits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** `YYYY-MM-DD` or an ISO timestamp with Z or an offset; NaN unless the calendar day exists (no 2021-02-30). */
export function parseTime(text: string): number {
  const year = twoOrFourDigits(text, 0, 4);
  const month = twoOrFourDigits(text, 5, 7);
  const day = twoOrFourDigits(text, 8, 10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || year < 1000 || month < 1 || month > 12 || day < 1) return Number.NaN;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return Number.NaN;
  return text.length === 10 ? Date.UTC(year, month - 1, day) : parseDate(text);
}

/**
 * Parse and validate a CSV file of one catalog entry. Every row becomes an observation or an error: nothing is dropped.
 * Throws SH_ERR_DATA_CSV_INVALID naming file, 1-based line, rule and value (up to 20 problems listed, all counted).
 */
export function parseCsvSeries(text: string, entry: CatalogEntry): ParsedSeries {
  const lines = text.split('\n');
  let end = lines.length;
  while (end > 1 && lines[end - 1]!.replace(/\r$/, '').trim() === '') end -= 1;
  const header = parseHeader(lines[0] ?? '');
  const plan = planColumns(entry, header);
  const spec = specFor(entry, plan);
  const rowCount = end - 1;
  const time = new Float64Array(rowCount);
  const columns = plan.fields.map(() => new Float64Array(rowCount));
  const row = new Float64Array(plan.fields.length);
  const fieldIndex = (f: string): number => plan.fields.indexOf(f);
  const [openAt, highAt, lowAt, closeAt] = ['open', 'high', 'low', 'close'].map(fieldIndex) as [number, number, number, number];
  const hasOhlc = entry.format === 'bar' || entry.format === 'ohlc';
  const positiveAt = plan.fields.flatMap((f, i) => ((hasOhlc && PRICE_FIELDS.has(f)) || (entry.format === 'value' && entry.positive) ? [i] : []));
  const nonNegativeAt = plan.fields.flatMap((f, i) => (hasOhlc && (f === 'volume' || f === 'dividends') ? [i] : []));
  const relaxedCounts = new Map<RelaxableRule, { rows: number; firstLine: number }>();
  const problems: ShError[] = [];
  let problemCount = 0;
  const fail = (line: number, rule: string, explanation: string, received: unknown, expected: string, column?: string): void => {
    problemCount += 1;
    if (problems.length >= MAX_LISTED_PROBLEMS) return;
    problems.push(shError('SH_ERR_DATA_CSV_INVALID', `${entry.file} line ${line}: rule ${rule}: ${explanation}`, {
      where: `${entry.file}:${line}`, path: entry.path, line, rule, seriesId: entry.id, ...(column ? { column } : {}), received, expected,
    }));
  };
  const barRule = (line: number, rule: RelaxableRule, explanation: string, received: unknown, expected: string): void => {
    if (!entry.relax.has(rule)) return fail(line, rule, explanation, received, expected);
    const count = relaxedCounts.get(rule);
    if (count) count.rows += 1;
    else relaxedCounts.set(rule, { rows: 1, firstLine: line });
  };

  let previousTime = Number.NEGATIVE_INFINITY;
  let previousText = '';
  let previousLine = 0;
  for (let r = 0; r < rowCount; r++) {
    const line = r + 2;
    let text = lines[r + 1] as string;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const cells = text.split(',');
    if (cells.length !== header.length) {
      fail(line, 'column-count', `${text.trim() === '' ? 'blank line' : `${cells.length} columns`}, expected ${header.length}`, cells.length, `${header.length} columns`);
      continue;
    }
    const timeText = (cells[plan.timeIndex] as string).trim();
    const t = parseTime(timeText);
    if (Number.isNaN(t)) {
      fail(line, 'time-parse', `${entry.timeColumn} ${JSON.stringify(timeText)} is not a valid YYYY-MM-DD date or ISO timestamp`, timeText, 'YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ', entry.timeColumn);
      continue;
    }
    if (t === previousTime) {
      fail(line, 'time-duplicate', `${timeText} repeats line ${previousLine}`, timeText, `a time after ${previousText}`, entry.timeColumn);
    } else if (t < previousTime) {
      fail(line, 'time-order', `${timeText} is before ${previousText} on line ${previousLine}: the file is not sorted`, timeText, `a time after ${previousText}`, entry.timeColumn);
    } else {
      previousTime = t;
      previousText = timeText;
      previousLine = line;
    }
    time[r] = t;

    let numbersOk = true;
    for (let k = 0; k < plan.fields.length; k++) {
      const source = plan.sources[k] as number;
      if (source < 0) {
        row[k] = 0;
        continue;
      }
      const cell = (cells[source] as string).trim();
      const value = NUMBER.test(cell) ? Number(cell) : Number.NaN;
      if (!Number.isFinite(value)) {
        numbersOk = false;
        fail(line, 'number', `${header[source]} ${cell === '' ? 'is empty' : `${JSON.stringify(cell)} is not a finite number`}`, cell, 'a finite decimal number', header[source]);
      }
      row[k] = value;
      (columns[k] as Float64Array)[r] = value;
    }
    if (!numbersOk) continue;
    for (const k of positiveAt) {
      if (!((row[k] as number) > 0)) fail(line, `${plan.fields[k]}>0`, `${plan.fields[k]} ${row[k]} <= 0`, row[k], '> 0', header[plan.sources[k] as number]);
    }
    for (const k of nonNegativeAt) {
      if ((row[k] as number) < 0) fail(line, `${plan.fields[k]}>=0`, `${plan.fields[k]} ${row[k]} < 0`, row[k], '>= 0', header[plan.sources[k] as number]);
    }
    if (hasOhlc) {
      const [o, h, l, c] = [row[openAt], row[highAt], row[lowAt], row[closeAt]] as [number, number, number, number];
      if (h < l) barRule(line, 'high>=low', `high ${h} < low ${l}`, { high: h, low: l }, 'high >= low');
      if (h < Math.max(o, c)) barRule(line, 'high>=max(open,close)', `high ${h} < max(open ${o}, close ${c})`, { open: o, high: h, close: c }, 'high >= max(open, close)');
      if (l > Math.min(o, c)) barRule(line, 'low<=min(open,close)', `low ${l} > min(open ${o}, close ${c})`, { open: o, low: l, close: c }, 'low <= min(open, close)');
    }
  }

  if (problemCount > 0) {
    const first = problems[0] as ShError;
    const more = problemCount > 1 ? ` (and ${problemCount - 1} more problem${problemCount > 2 ? 's' : ''} in ${entry.file}${problemCount > problems.length ? `, the first ${problems.length} listed` : ''})` : '';
    throw new ShError('SH_ERR_DATA_CSV_INVALID', `${first.message}${more}`, first.details, problems);
  }
  const available = new Float64Array(rowCount);
  for (let r = 0; r < rowCount; r++) available[r] = availableAt(time[r] as number, entry.availability);
  const data: SeriesData = { spec, time, available, columns: Object.fromEntries(plan.fields.map((f, k) => [f, columns[k] as Float64Array])) };
  const relaxed = [...relaxedCounts].map(([rule, count]) => ({ rule, reason: entry.relax.get(rule) as string, ...count }));
  return { data, relaxed };
}
