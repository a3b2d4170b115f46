import { shError } from '../errors.js';
import type { SeriesData, SeriesId, SeriesSpec } from './series.js';
import type { EpochMs } from './time.js';

/** Where one series lives inside the arena: offsets are in float64 elements. */
export interface SeriesLayout {
  readonly spec: SeriesSpec;
  readonly length: number;
  readonly timeOffset: number;
  readonly availableOffset: number;
  readonly fieldOffsets: Readonly<Record<string, number>>;
}

/** What a worker needs to attach to a store without copying: the shared arena and its layout. */
export interface StoreHandle {
  readonly key: string;
  readonly buffer: SharedArrayBuffer;
  readonly layout: readonly SeriesLayout[];
}

/**
 * A read-only window of one series: the last `length` observations available at a decision time.
 * Columns are zero-copy views over shared memory. Do not write to them: the plugin test kit checks.
 */
export interface SeriesWindow {
  readonly id: SeriesId;
  readonly spec: SeriesSpec;
  readonly length: number;
  /** Time each observation describes. */
  readonly time: Float64Array;
  /** Time each observation became available (always <= the decision time). */
  readonly available: Float64Array;
  field(name: string): Float64Array;
  /** Last value of a field, NaN when the window is empty. */
  last(name: string): number;
}

/** A window of a bar series, with its OHLCV columns named. */
export interface BarWindow extends SeriesWindow {
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

let storeCounter = 0;

/**
 * The columnar series store: every series in one SharedArrayBuffer of float64, column by column, so worker threads
 * read windows without copies. Visibility is by availability time: a window at `now` never includes an observation
 * whose available time is after `now`. That is how the host makes look-ahead impossible.
 */
export class SeriesStore {
  readonly key: string;
  private readonly buffer: SharedArrayBuffer;
  private readonly arena: Float64Array;
  private readonly bySeries: Map<string, SeriesLayout>;
  private readonly layoutList: readonly SeriesLayout[];

  private constructor(key: string, buffer: SharedArrayBuffer, layout: readonly SeriesLayout[]) {
    this.key = key;
    this.buffer = buffer;
    this.arena = new Float64Array(buffer);
    this.layoutList = layout;
    this.bySeries = new Map(layout.map((l) => [l.spec.id, l]));
  }

  /** Build a store from adapter output. Validates ordering and availability; throws SH_ERR_DATA_* on bad input. */
  static build(data: readonly SeriesData[]): SeriesStore {
    let total = 0;
    const seen = new Set<string>();
    for (const d of data) {
      if (seen.has(d.spec.id)) {
        throw shError('SH_ERR_DATA_CATALOG_INVALID', `series ${d.spec.id} is provided twice`, { where: d.spec.id, received: d.spec.id, expected: 'each series id once' });
      }
      seen.add(d.spec.id);
      validateSeries(d);
      total += d.time.length * (2 + d.spec.fields.length);
    }
    const buffer = new SharedArrayBuffer(Math.max(8, total * 8));
    const arena = new Float64Array(buffer);
    const layout: SeriesLayout[] = [];
    let offset = 0;
    for (const d of data) {
      const n = d.time.length;
      const timeOffset = offset;
      arena.set(d.time, offset);
      offset += n;
      const availableOffset = offset;
      arena.set(d.available, offset);
      offset += n;
      const fieldOffsets: Record<string, number> = {};
      for (const f of d.spec.fields) {
        fieldOffsets[f] = offset;
        arena.set(d.columns[f] as Float64Array, offset);
        offset += n;
      }
      layout.push({ spec: d.spec, length: n, timeOffset, availableOffset, fieldOffsets });
    }
    storeCounter += 1;
    return new SeriesStore(`store-${process.pid}-${storeCounter}-${Date.now()}`, buffer, layout);
  }

  /** Attach to a store built elsewhere (in a worker), sharing its memory. */
  static attach(handle: StoreHandle): SeriesStore {
    return new SeriesStore(handle.key, handle.buffer, handle.layout);
  }

  handle(): StoreHandle {
    return { key: this.key, buffer: this.buffer, layout: this.layoutList };
  }

  ids(): SeriesId[] {
    return this.layoutList.map((l) => l.spec.id);
  }

  has(id: string): boolean {
    return this.bySeries.has(id);
  }

  spec(id: string): SeriesSpec {
    return this.layout(id).spec;
  }

  /** Number of observations of a series (all of them, regardless of availability). */
  length(id: string): number {
    return this.layout(id).length;
  }

  /** Every observation of a series, ignoring availability. For the host and tests only, never given to plugins. */
  full(id: string): SeriesWindow {
    const l = this.layout(id);
    return this.makeWindow(l, 0, l.length);
  }

  /** Number of observations available at `now` (available <= now). */
  countAvailable(id: string, now: EpochMs): number {
    const l = this.layout(id);
    return upperBound(this.arena, l.availableOffset, l.length, now);
  }

  /** The last `rows` observations available at `now` (fewer when history is short). */
  window(id: string, now: EpochMs, rows: number): SeriesWindow {
    const l = this.layout(id);
    const end = upperBound(this.arena, l.availableOffset, l.length, now);
    const start = Math.max(0, end - Math.max(0, Math.floor(rows)));
    return this.makeWindow(l, start, end);
  }

  /** Index of the observation describing exactly `time`, or -1. */
  indexOfTime(id: string, time: EpochMs): number {
    const l = this.layout(id);
    const i = lowerBound(this.arena, l.timeOffset, l.length, time);
    return i < l.length && this.arena[l.timeOffset + i] === time ? i : -1;
  }

  /** Value of a field at row `index` (ignoring availability: host use only). */
  valueAt(id: string, field: string, index: number): number {
    const l = this.layout(id);
    const off = l.fieldOffsets[field];
    if (off === undefined || index < 0 || index >= l.length) return Number.NaN;
    return this.arena[off + index] as number;
  }

  timeAt(id: string, index: number): EpochMs {
    const l = this.layout(id);
    return this.arena[l.timeOffset + index] as number;
  }

  availableAtIndex(id: string, index: number): EpochMs {
    const l = this.layout(id);
    return this.arena[l.availableOffset + index] as number;
  }

  private layout(id: string): SeriesLayout {
    const l = this.bySeries.get(id);
    if (!l) {
      throw shError('SH_ERR_DATA_SERIES_UNKNOWN', `series ${id} is not in the store`, {
        where: id,
        received: id,
        expected: `one of ${this.layoutList.length} series (e.g. ${this.layoutList.slice(0, 5).map((x) => x.spec.id).join(', ')})`,
      });
    }
    return l;
  }

  private makeWindow(l: SeriesLayout, start: number, end: number): SeriesWindow {
    return l.spec.kind === 'bar' ? new StoreBarWindow(this.arena, l, start, end) : new StoreWindow(this.arena, l, start, end);
  }
}

/**
 * A window over the arena: columns are zero-copy subarrays made on first use and kept. A class with prototype
 * getters, because a window is made for every series a plugin reads at every evaluation: closures and
 * Object.defineProperties per window cost more than the plugin's own arithmetic for light plugins.
 */
class StoreWindow implements SeriesWindow {
  readonly #arena: Float64Array;
  readonly #layout: SeriesLayout;
  readonly #start: number;
  readonly #end: number;
  #columns: Record<string, Float64Array> | undefined;
  #time: Float64Array | undefined;
  #available: Float64Array | undefined;
  readonly id: SeriesId;
  readonly spec: SeriesSpec;
  readonly length: number;

  constructor(arena: Float64Array, layout: SeriesLayout, start: number, end: number) {
    this.#arena = arena;
    this.#layout = layout;
    this.#start = start;
    this.#end = end;
    this.id = layout.spec.id;
    this.spec = layout.spec;
    this.length = end - start;
  }

  get time(): Float64Array {
    return (this.#time ??= this.#arena.subarray(this.#layout.timeOffset + this.#start, this.#layout.timeOffset + this.#end));
  }

  get available(): Float64Array {
    return (this.#available ??= this.#arena.subarray(this.#layout.availableOffset + this.#start, this.#layout.availableOffset + this.#end));
  }

  field(name: string): Float64Array {
    const columns = (this.#columns ??= {});
    let column = columns[name];
    if (column === undefined) {
      const off = this.#layout.fieldOffsets[name];
      if (off === undefined) {
        throw shError('SH_ERR_DATA_SERIES_UNKNOWN', `series ${this.#layout.spec.id} has no field ${name}`, {
          where: this.#layout.spec.id,
          received: name,
          expected: `one of ${this.#layout.spec.fields.join(', ')}`,
        });
      }
      column = this.#arena.subarray(off + this.#start, off + this.#end);
      columns[name] = column;
    }
    return column;
  }

  last(name: string): number {
    return this.length > 0 ? (this.field(name)[this.length - 1] as number) : Number.NaN;
  }
}

class StoreBarWindow extends StoreWindow implements BarWindow {
  get open(): Float64Array {
    return this.field('open');
  }
  get high(): Float64Array {
    return this.field('high');
  }
  get low(): Float64Array {
    return this.field('low');
  }
  get close(): Float64Array {
    return this.field('close');
  }
  get volume(): Float64Array {
    return this.field('volume');
  }
}

function validateSeries(d: SeriesData): void {
  const n = d.time.length;
  const where = d.spec.id;
  if (d.available.length !== n) {
    throw shError('SH_ERR_DATA_CATALOG_INVALID', `series ${where}: available has ${d.available.length} rows, time has ${n}`, { where, received: d.available.length, expected: String(n) });
  }
  for (const f of d.spec.fields) {
    const col = d.columns[f];
    if (!col || col.length !== n) {
      throw shError('SH_ERR_DATA_CATALOG_INVALID', `series ${where}: field ${f} is missing or has the wrong length`, { where, received: col?.length ?? 'missing', expected: String(n) });
    }
  }
  for (let i = 0; i < n; i++) {
    const t = d.time[i] as number;
    const a = d.available[i] as number;
    if (i > 0 && !(t > (d.time[i - 1] as number))) {
      throw shError('SH_ERR_DATA_CSV_INVALID', `series ${where}: times are not strictly increasing at row ${i}`, { where: `${where} row ${i}`, received: t, expected: `> ${d.time[i - 1]}` });
    }
    if (!(a >= t)) {
      throw shError('SH_ERR_DATA_CSV_INVALID', `series ${where}: observation available before the time it describes at row ${i}`, { where: `${where} row ${i}`, received: a, expected: `>= ${t}` });
    }
    if (i > 0 && a < (d.available[i - 1] as number)) {
      throw shError('SH_ERR_DATA_CSV_INVALID', `series ${where}: availability times go backwards at row ${i}`, { where: `${where} row ${i}`, received: a, expected: `>= ${d.available[i - 1]}` });
    }
  }
}

/** First index i in [0, n) with arena[off+i] > value (count of elements <= value). */
function upperBound(arena: Float64Array, off: number, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arena[off + mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i with arena[off+i] >= value. */
function lowerBound(arena: Float64Array, off: number, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arena[off + mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
