import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DAILY_CLOSE_LAG_MS, MS_PER_DAY, MS_PER_HOUR, SeriesStore, ShError, dayOfWeek, isShError } from '../../../core/index.js';
import type { ErrorCode } from '../../../core/index.js';
import { CsvDataAdapter, parseTime } from './index.js';
import type { CatalogEntryInput } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const repoRoot = path.resolve(here, '../../..');
const ALL = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };

/** An adapter over one fixture file. */
function adapterFor(entry: Partial<CatalogEntryInput> & { file: string }): CsvDataAdapter {
  const series = { id: 'bar:TEST', format: 'bar', availability: 'close', ...entry } as CatalogEntryInput;
  return new CsvDataAdapter({ catalog: { root: 'fixtures', series: [series] }, baseDir: here });
}

async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<ShError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isShError(error, code), `expected ${code}, was ${String(error)}`).toBe(true);
  return error as ShError;
}

function thrown(action: () => unknown, code: ErrorCode): ShError {
  try {
    action();
  } catch (error) {
    expect(isShError(error, code), `expected ${code}, was ${String(error)}`).toBe(true);
    return error as ShError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('CsvDataAdapter: a valid bar file', () => {
  it('reads OHLCV plus adj_close and dividends, with availability at the close', async () => {
    const adapter = adapterFor({ file: 'good_bars.csv', instrument: { assetClass: 'etf', tags: { metal: 'gold' } } });
    const [spec] = await adapter.catalog();
    expect(spec?.fields).toEqual(['open', 'high', 'low', 'close', 'volume', 'adj_close', 'dividends']);
    const [bars] = await adapter.history({ ids: ['bar:TEST'], ...ALL });
    expect(Array.from(bars!.time)).toEqual([4, 5, 6, 7, 8].map((d) => Date.UTC(2021, 0, d)));
    expect(Array.from(bars!.available)).toEqual([4, 5, 6, 7, 8].map((d) => Date.UTC(2021, 0, d) + DAILY_CLOSE_LAG_MS));
    expect(Array.from(bars!.columns.close!)).toEqual([41.8, 42.1, 41.3, 41.7, 41.5]);
    expect(Array.from(bars!.columns.adj_close!)).toEqual([41.8, 42.1, 41.3, 41.6, 41.5]);
    expect(Array.from(bars!.columns.dividends!)).toEqual([0, 0, 0, 0.1, 0]);
    expect(bars!.columns.volume![4]).toBe(0);
    expect(await adapter.instruments()).toEqual([{ symbol: 'TEST', assetClass: 'etf', currency: 'USD', multiplier: 1, tickSize: 0.01, lotSize: 1, tags: { metal: 'gold' } }]);
    const [week] = await adapter.history({ ids: ['bar:TEST'], from: Date.UTC(2021, 0, 5), to: Date.UTC(2021, 0, 7) });
    expect(Array.from(week!.columns.open!)).toEqual([41.8, 42.1, 41.3]);
  });

  it('fills an absent volume with 0 only when the catalog says so, and says it in the description', async () => {
    const adapter = adapterFor({ file: 'no_volume.csv', volume: 'absent' });
    const [bars] = await adapter.history({ ids: ['bar:TEST'], ...ALL });
    expect(Array.from(bars!.columns.volume!)).toEqual([0, 0, 0]);
    expect(bars!.spec.description).toContain('no volume');
    const undeclared = await failure(adapterFor({ file: 'no_volume.csv' }).history({ ids: ['bar:TEST'], ...ALL }), 'SH_ERR_DATA_CSV_INVALID');
    expect(undeclared.message).toContain('no_volume.csv line 1: rule header: missing column volume');
    const wrong = await failure(adapterFor({ file: 'good_bars.csv', volume: 'absent' }).history({ ids: ['bar:TEST'], ...ALL }), 'SH_ERR_DATA_CSV_INVALID');
    expect(wrong.message).toContain('the catalog says volume is absent, but the file has column volume');
  });

  it('reads an index with OHLC as value = close plus open, high, low, close', async () => {
    const adapter = adapterFor({ id: 'macro:IDX', file: 'no_volume.csv', format: 'ohlc' });
    const [index] = await adapter.history({ ids: ['macro:IDX'], ...ALL });
    expect(index!.spec.fields).toEqual(['value', 'open', 'high', 'low', 'close']);
    expect(Array.from(index!.columns.value!)).toEqual([1905.1, 1918.4, 1918.4]);
    expect(Array.from(index!.columns.high!)).toEqual([1910.0, 1920.3, 1918.4]);
  });

  it('reads tables, signed values, and hourly timestamps with CRLF line ends', async () => {
    const [cot] = await adapterFor({ id: 'cot:X', file: 'cot.csv', format: 'table', availability: 'cot-friday', frequency: 'weekly' }).history({ ids: ['cot:X'], ...ALL });
    expect(cot!.spec.fields).toEqual(['spec_long', 'spec_short', 'spec_net']);
    expect(Array.from(cot!.columns.spec_net!)).toEqual([240000, 245000, 235000]);
    expect(cot!.available[0]).toBe(Date.UTC(2021, 0, 8, 20, 30));

    const [real] = await adapterFor({ id: 'macro:R', file: 'real_yield.csv', format: 'value', availability: 'next-morning' }).history({ ids: ['macro:R'], ...ALL });
    expect(Array.from(real!.columns.value!)).toEqual([-0.95, -0.97, -0.92]);
    expect(real!.available[0]! - real!.time[0]!).toBe(37 * MS_PER_HOUR);

    const hourly = adapterFor({ file: 'hourly_crlf.csv', timeColumn: 'timestamp', frequency: 'intraday', availability: 'hour-close' });
    const [bars] = await hourly.history({ ids: ['bar:TEST'], ...ALL });
    expect(Array.from(bars!.time)).toEqual([0, 1, 2].map((h) => Date.UTC(2022, 0, 1, h)));
    expect(Array.from(bars!.available)).toEqual([1, 2, 3].map((h) => Date.UTC(2022, 0, 1, h)));
    expect(bars!.columns.close![2]).toBe(46811.77);
  });

  it('parses only real calendar days', () => {
    expect(parseTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('2023-02-29')).toBeNaN();
    expect(parseTime('2021-13-01')).toBeNaN();
    expect(parseTime('2021-1-01')).toBeNaN();
    expect(parseTime('2022-01-01T05:00:00Z')).toBe(Date.UTC(2022, 0, 1, 5));
    expect(parseTime('2022-01-01 05:00:00')).toBeNaN();
  });
});

describe('CsvDataAdapter: row rules fail loudly with file, line, rule and value', () => {
  const cases: { file: string; line: number; rule: string; shows: string; entry?: Partial<CatalogEntryInput> }[] = [
    { file: 'high_below_low.csv', line: 4, rule: 'high>=low', shows: 'high 41.2 < low 41.5' },
    { file: 'high_below_close.csv', line: 3, rule: 'high>=max(open,close)', shows: 'high 42 < max(open 41.8, close 42.1)' },
    { file: 'low_above_open.csv', line: 5, rule: 'low<=min(open,close)', shows: 'low 41.1 > min(open 41, close 41.7)' },
    { file: 'unsorted.csv', line: 4, rule: 'time-order', shows: '2021-01-05 is before 2021-01-06 on line 3' },
    { file: 'duplicate.csv', line: 5, rule: 'time-duplicate', shows: '2021-01-06 repeats line 4' },
    { file: 'nan_value.csv', line: 3, rule: 'number', shows: 'high "NaN" is not a finite number' },
    { file: 'empty_cell.csv', line: 6, rule: 'number', shows: 'close is empty' },
    { file: 'zero_price.csv', line: 3, rule: 'open>0', shows: 'open 0 <= 0' },
    { file: 'negative_volume.csv', line: 3, rule: 'volume>=0', shows: 'volume -5 < 0' },
    { file: 'bad_date.csv', line: 3, rule: 'time-parse', shows: 'date "2021-02-30" is not a valid' },
    { file: 'missing_column.csv', line: 1, rule: 'header', shows: 'missing column low' },
    { file: 'ragged.csv', line: 3, rule: 'column-count', shows: '7 columns, expected 8' },
    { file: 'blank_line.csv', line: 3, rule: 'column-count', shows: 'blank line' },
    { file: 'real_yield.csv', line: 2, rule: 'value>0', shows: 'value -0.95 <= 0', entry: { id: 'macro:R', format: 'value', positive: true } },
  ];

  it.each(cases)('$file: line $line, rule $rule', async ({ file, line, rule, shows, entry }) => {
    const adapter = adapterFor({ file, ...entry });
    const id = entry?.id ?? 'bar:TEST';
    const error = await failure(adapter.history({ ids: [id], ...ALL }), 'SH_ERR_DATA_CSV_INVALID');
    expect(error.message.startsWith(`${file} line ${line}: rule ${rule}: ${shows}`), error.message).toBe(true);
    expect(error.details).toMatchObject({ line, rule, where: `${file}:${line}`, path: path.join(fixtures, file), seriesId: id });
  });

  it('lists every problem of a file, not only the first', async () => {
    const error = await failure(adapterFor({ file: 'many_problems.csv' }).history({ ids: ['bar:TEST'], ...ALL }), 'SH_ERR_DATA_CSV_INVALID');
    expect(error.problems.map((p) => [p.details.line, p.details.rule])).toEqual([
      [3, 'number'],
      [4, 'high>=low'],
      [4, 'high>=max(open,close)'],
      [5, 'time-duplicate'],
    ]);
    expect(error.message).toContain('(and 3 more problems in many_problems.csv)');
  });

  it('keeps rows that break a relaxed rule, counts them, and states the reason', async () => {
    const relax = { 'high>=low': 'source quirk A', 'high>=max(open,close)': 'source quirk B', 'low<=min(open,close)': 'source quirk C' };
    const adapter = adapterFor({ file: 'high_below_low.csv', relax });
    const [bars] = await adapter.history({ ids: ['bar:TEST'], ...ALL });
    expect(bars!.time.length).toBe(3);
    expect(bars!.columns.high![2]).toBe(41.2);
    expect(bars!.spec.description).toContain('Rule high>=low relaxed (rows kept as published): source quirk A');
    const [report] = await adapter.validate();
    expect(report?.relaxed).toEqual([
      { rule: 'high>=low', reason: 'source quirk A', rows: 1, firstLine: 4 },
      { rule: 'high>=max(open,close)', reason: 'source quirk B', rows: 1, firstLine: 4 },
      { rule: 'low<=min(open,close)', reason: 'source quirk C', rows: 1, firstLine: 4 },
    ]);
    // Relaxing one rule does not relax the others.
    const partly = adapterFor({ file: 'high_below_low.csv', relax: { 'high>=low': 'quirk' } });
    const error = await failure(partly.history({ ids: ['bar:TEST'], ...ALL }), 'SH_ERR_DATA_CSV_INVALID');
    expect(error.details.rule).toBe('high>=max(open,close)');
  });

  it('reports an unreadable file with its path, and an unknown id with what is available', async () => {
    const missing = await failure(adapterFor({ file: 'does_not_exist.csv' }).history({ ids: ['bar:TEST'], ...ALL }), 'SH_ERR_DATA_FILE_UNREADABLE');
    expect(missing.message).toContain(path.join(fixtures, 'does_not_exist.csv'));
    expect(missing.message).toContain('ENOENT');
    const unknown = await failure(adapterFor({ file: 'good_bars.csv' }).history({ ids: ['bar:NOPE'], ...ALL }), 'SH_ERR_DATA_SERIES_UNKNOWN');
    expect(unknown.message).toContain('bar:NOPE');
    expect(unknown.message).toContain('available: bar:TEST');
  });
});

describe('CsvDataAdapter: catalog validation', () => {
  it('lists every problem at once, each with entry index, id and field', () => {
    const catalog = {
      root: 'fixtures',
      series: [
        { id: 'bar:A', file: 'a.csv', format: 'candles', availability: 'close' },
        { id: 'macro:B', format: 'value', availability: 'close' },
        { id: 'macro:C', file: 'c.csv', format: 'value', availability: { rule: 'lag', lagMs: -5 } },
        { id: 'macro:D', file: 'd.csv', format: 'value', availability: 'whenever' },
        { id: 'macro:E', file: 'e.csv', format: 'bar', availability: 'close' },
        { id: 'macro:B', file: 'b2.csv', format: 'value', availability: 'close', frequency: 'hourly' },
        { id: 'cot:F', file: 'f.csv', format: 'table', availability: { rule: 'next-weekday', weekday: 9, atHourUtc: 20.5 } },
        { id: 'bar:G', file: 'g.csv', format: 'bar', availability: 'close', availabilty: 'close', relax: { 'close>0': 'no' } },
        { id: 'GLD', file: 'h.csv', format: 'value', availability: 'close' },
      ],
    };
    const error = thrown(() => new CsvDataAdapter({ catalog: catalog as never, baseDir: here }), 'SH_ERR_DATA_CATALOG_INVALID');
    const wheres = error.problems.map((p) => p.message.slice(0, p.message.indexOf(':', p.message.indexOf(')'))));
    expect(wheres).toEqual([
      'series[0] (bar:A).format',
      'series[1] (macro:B).file',
      'series[2] (macro:C).availability.lagMs',
      'series[3] (macro:D).availability',
      'series[4] (macro:E).format',
      'series[5] (macro:B).id',
      'series[5] (macro:B).frequency',
      'series[6] (cot:F).availability.weekday',
      'series[7] (bar:G).availabilty',
      'series[7] (bar:G).relax.close>0',
      'series[8] (GLD).id',
    ]);
    expect(error.message).toContain('catalog inline catalog has 11 problems');
    expect(error.message).toContain('series[0] (bar:A).format: unknown format');
    expect(error.message).toContain('series[8] (GLD).id');
    expect(error.problems[0]?.details.received).toBe('candles');
  });

  it('rejects a missing catalog file and a catalog that is not JSON', () => {
    const missing = thrown(() => new CsvDataAdapter({ catalogPath: path.join(fixtures, 'nope.json') }), 'SH_ERR_DATA_FILE_UNREADABLE');
    expect(missing.message).toContain('nope.json');
    const notJson = thrown(() => new CsvDataAdapter({ catalogPath: path.join(fixtures, 'cot.csv') }), 'SH_ERR_DATA_CATALOG_INVALID');
    expect(notJson.message).toContain('is not valid JSON');
  });
});

describe('config/catalogs/real.json over shared/data/real', () => {
  const shared = path.resolve(repoRoot, '../shared/data/real');
  const catalogPath = path.join(repoRoot, 'config/catalogs/real.json');

  function requireShared(): void {
    if (!existsSync(shared)) {
      throw new Error(`the real data directory ${shared} does not exist: it must sit beside the repository as ../shared/data/real (CI provides it)`);
    }
  }

  it('covers every CSV file of the directory', () => {
    requireShared();
    const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as { series: { file: string }[] };
    const files = readdirSync(shared).filter((f) => f.endsWith('.csv')).sort();
    expect(files).toHaveLength(28);
    expect(catalog.series.map((s) => s.file).sort()).toEqual(files);
  });

  it('reads every entry, row for row, and the store accepts the result', async () => {
    requireShared();
    const adapter = new CsvDataAdapter({ catalogPath });
    const specs = await adapter.catalog();
    const data = await adapter.history({ ids: specs.map((s) => s.id), ...ALL });
    for (const series of data) {
      const entry = adapter.entries.find((e) => e.id === series.spec.id)!;
      const lines = readFileSync(path.join(shared, entry.file), 'utf8').split('\n').filter((l) => l.trim() !== '');
      expect(series.time.length, `${series.spec.id} rows`).toBe(lines.length - 1);
    }
    const store = SeriesStore.build(data);
    expect(store.ids()).toHaveLength(28);
    const gld = data.find((d) => d.spec.id === 'bar:GLD')!;
    expect(gld.time[0]).toBe(Date.UTC(2005, 0, 3));
    expect(gld.columns.close![0]).toBe(43.02000045776367);
    expect(gld.spec.fields).toEqual(['open', 'high', 'low', 'close', 'volume', 'adj_close', 'dividends']);
    const vix = data.find((d) => d.spec.id === 'macro:VIX')!;
    expect(Array.from(vix.columns.value!)).toEqual(Array.from(vix.columns.close!));
  });

  it('makes COT available the Friday after its as-of day at 20:30 UTC, FRED the next morning', async () => {
    requireShared();
    const adapter = new CsvDataAdapter({ catalogPath });
    const [cot, real] = await adapter.history({ ids: ['cot:GC', 'macro:DFII10'], ...ALL });
    for (let i = 0; i < cot!.time.length; i++) {
      const t = cot!.time[i]!;
      const a = cot!.available[i]!;
      expect(dayOfWeek(a)).toBe(5);
      expect(a - t).toBeGreaterThan(0);
      expect(a - t).toBeLessThanOrEqual(7 * MS_PER_DAY);
      expect(a % MS_PER_DAY).toBe(20.5 * MS_PER_HOUR);
      if (dayOfWeek(t) === 2) expect(a - t).toBe(3 * MS_PER_DAY + 20.5 * MS_PER_HOUR);
    }
    expect(real!.available[0]! - real!.time[0]!).toBe(37 * MS_PER_HOUR);
  });

  it('describes the instruments of the bar series and parses the hourly file fast', async () => {
    requireShared();
    const adapter = new CsvDataAdapter({ catalogPath });
    const by = new Map((await adapter.instruments()).map((i) => [i.symbol, i]));
    expect(by.size).toBe(14);
    expect(by.get('GC')).toMatchObject({ assetClass: 'future', multiplier: 100, tickSize: 0.1, tags: { metal: 'gold' } });
    expect(by.get('SI')).toMatchObject({ assetClass: 'future', multiplier: 5000 });
    expect(by.get('GDX')?.tags).toEqual({ metal: 'gold', sector: 'gold-miners' });
    const started = performance.now();
    const [hourly] = await adapter.history({ ids: ['bar:BTCUSDT-1H'], ...ALL });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(hourly!.time.length).toBe(34348);
  });
});
