import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ShError, shError } from '../../../core/index.js';
import type { HistoryRequest, Instrument, MarketDataAdapter, SeriesData, SeriesSpec } from '../../../core/index.js';
import { validateCatalog } from './catalog.js';
import type { CatalogEntry, DataCatalog } from './catalog.js';
import { parseCsvSeries, parseHeader, planColumns, specFor } from './csv-parse.js';
import type { ParsedSeries, RelaxedRows } from './csv-parse.js';

/** Either a catalog file, or a catalog object and the directory its `root` is relative to. */
export interface CsvDataOptions {
  /** Path of a catalog JSON file; its `root` is relative to the file's directory. */
  readonly catalogPath?: string;
  /** An inline catalog (validated like a file). */
  readonly catalog?: DataCatalog;
  /** Directory an inline catalog's `root` is relative to. Default: the working directory. */
  readonly baseDir?: string;
}

/** What loading one series found: its rows and range, and the rows kept under a relaxed rule. */
export interface CsvSeriesReport {
  readonly id: string;
  readonly file: string;
  readonly rows: number;
  readonly first: number;
  readonly last: number;
  readonly relaxed: readonly RelaxedRows[];
}

/**
 * Real files through a catalog that maps each file to a series id, its format, columns, availability rule and stated
 * gaps. Files are read on first request and cached; every row is validated, and a bad row fails the load with file,
 * line, rule and value.
 * @example
 * const data = new CsvDataAdapter({ catalogPath: 'config/catalogs/real.json' });
 * const [gld] = await data.history({ ids: ['bar:GLD'], from: Date.parse('2020-01-01'), to: Date.parse('2020-12-31') });
 */
export class CsvDataAdapter implements MarketDataAdapter {
  readonly id = 'csv';
  /** The validated catalog entries, in catalog order. */
  readonly entries: readonly CatalogEntry[];
  private readonly byId: ReadonlyMap<string, CatalogEntry>;
  private readonly loads = new Map<string, Promise<ParsedSeries>>();
  private specs: Promise<readonly SeriesSpec[]> | undefined;

  constructor(options: CsvDataOptions) {
    if (options.catalogPath !== undefined) {
      const catalogPath = path.resolve(options.catalogPath);
      this.entries = validateCatalog(readCatalogFile(catalogPath), options.catalogPath, path.dirname(catalogPath));
    } else if (options.catalog !== undefined) {
      this.entries = validateCatalog(options.catalog, 'inline catalog', path.resolve(options.baseDir ?? '.'));
    } else {
      throw shError('SH_ERR_DATA_CATALOG_INVALID', 'the csv data adapter needs { catalogPath } or { catalog, baseDir }', {
        where: 'csv adapter options', received: Object.keys(options), expected: 'catalogPath, or catalog and baseDir',
      });
    }
    this.byId = new Map(this.entries.map((e) => [e.id, e]));
  }

  /** The series specs. Reads the header line of every file (fields of bar and table files depend on it). */
  async catalog(): Promise<readonly SeriesSpec[]> {
    this.specs ??= Promise.all(this.entries.map(async (entry) => specFor(entry, planColumns(entry, parseHeader(await readFirstLine(entry))))));
    try {
      return await this.specs;
    } catch (error) {
      this.specs = undefined;
      throw error;
    }
  }

  async instruments(): Promise<readonly Instrument[]> {
    return this.entries.flatMap((e) => (e.instrument ? [e.instrument] : []));
  }

  async history(request: HistoryRequest): Promise<readonly SeriesData[]> {
    const unknown = request.ids.filter((id) => !this.byId.has(id));
    if (unknown.length > 0) {
      const ids = this.entries.map((e) => e.id).join(', ');
      throw shError('SH_ERR_DATA_SERIES_UNKNOWN', `the csv catalog has no series ${unknown.join(', ')}; available: ${ids}`, {
        where: 'csv catalog', received: unknown, expected: `one of ${ids}`,
      });
    }
    const ids = [...new Set(request.ids)];
    const parsed = await Promise.all(ids.map((id) => this.load(this.byId.get(id) as CatalogEntry)));
    return parsed.map((p) => sliceSeries(p.data, request.from, request.to));
  }

  /** Load and validate every series of the catalog (or those named): rows, range and relaxed rows of each. */
  async validate(ids: readonly string[] = this.entries.map((e) => e.id)): Promise<CsvSeriesReport[]> {
    await this.history({ ids, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY });
    return Promise.all(
      ids.map(async (id) => {
        const entry = this.byId.get(id) as CatalogEntry;
        const { data, relaxed } = await this.load(entry);
        const rows = data.time.length;
        return { id, file: entry.file, rows, first: rows > 0 ? (data.time[0] as number) : Number.NaN, last: rows > 0 ? (data.time[rows - 1] as number) : Number.NaN, relaxed };
      }),
    );
  }

  private load(entry: CatalogEntry): Promise<ParsedSeries> {
    let pending = this.loads.get(entry.id);
    if (!pending) {
      pending = readText(entry).then((text) => parseCsvSeries(text, entry));
      // A failed load is not cached: fixing the file and asking again works.
      pending.catch(() => this.loads.delete(entry.id));
      this.loads.set(entry.id, pending);
    }
    return pending;
  }
}

function readCatalogFile(catalogPath: string): unknown {
  let text: string;
  try {
    text = readFileSync(catalogPath, 'utf8');
  } catch (error) {
    throw unreadable(catalogPath, catalogPath, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw shError('SH_ERR_DATA_CATALOG_INVALID', `catalog ${catalogPath} is not valid JSON: ${(error as Error).message}`, {
      where: catalogPath, received: (error as Error).message, expected: 'a JSON catalog { "root": ..., "series": [...] }',
    });
  }
}

function unreadable(label: string, filePath: string, error: unknown): ShError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return shError('SH_ERR_DATA_FILE_UNREADABLE', `${label}: cannot read ${filePath} (${reason})`, { where: label, path: filePath, received: reason, expected: 'a readable file' });
}

async function readText(entry: CatalogEntry): Promise<string> {
  try {
    return await readFile(entry.path, 'utf8');
  } catch (error) {
    throw unreadable(entry.file, entry.path, error);
  }
}

/** The first line of a file, without reading the rest. */
async function readFirstLine(entry: CatalogEntry): Promise<string> {
  let handle;
  try {
    handle = await open(entry.path, 'r');
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const buffer = Buffer.alloc(4096);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      const chunk = buffer.subarray(0, bytesRead);
      const newline = chunk.indexOf(10);
      chunks.push(newline >= 0 ? chunk.subarray(0, newline) : chunk);
      if (newline >= 0 || bytesRead === 0) break;
      position += bytesRead;
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw unreadable(entry.file, entry.path, error);
  } finally {
    await handle?.close();
  }
}

/** A copy of the observations describing times in [from, to]. */
function sliceSeries(data: SeriesData, from: number, to: number): SeriesData {
  let first = 0;
  while (first < data.time.length && (data.time[first] as number) < from) first += 1;
  let last = data.time.length;
  while (last > first && (data.time[last - 1] as number) > to) last -= 1;
  const columns: Record<string, Float64Array> = {};
  for (const field of data.spec.fields) columns[field] = (data.columns[field] as Float64Array).slice(first, last);
  return { spec: data.spec, time: data.time.slice(first, last), available: data.available.slice(first, last), columns };
}
