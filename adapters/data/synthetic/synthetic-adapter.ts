import { ShError, formatDate, parseDate, shError } from '../../../core/index.js';
import type { HistoryRequest, Instrument, MarketDataAdapter, SeriesData, SeriesSpec } from '../../../core/index.js';
import { barsGenerator } from './bars.js';
import { cotGenerator, silverManagedMoneyGenerator } from './cot.js';
import type { SeriesGenerator } from './generator.js';
import { SYNTHETIC_INSTRUMENTS } from './instruments.js';
import { macroGenerator } from './macro.js';
import { generateWorld } from './world.js';
import type { World } from './world.js';

/** The modules of the default world, in catalog order. */
export const DEFAULT_GENERATORS: readonly SeriesGenerator[] = [barsGenerator, macroGenerator, cotGenerator, silverManagedMoneyGenerator];

export interface SyntheticDataOptions {
  /** Seed of every random stream. Default 42. Same seed, bit-identical data. */
  readonly seed?: number;
  /** First day, `YYYY-MM-DD`. Default 2015-01-01. */
  readonly start?: string;
  /** Last day, inclusive, `YYYY-MM-DD`. Default 2019-12-31. */
  readonly end?: string;
  /** Generator modules; default DEFAULT_GENERATORS. Add modules to provide further series kinds. */
  readonly generators?: readonly SeriesGenerator[];
  /** Instruments for the bar series; default SYNTHETIC_INSTRUMENTS. */
  readonly instruments?: readonly Instrument[];
}

/**
 * The embedded default data source: a deterministic, seeded synthetic world (calm and stressed regimes, slow trend
 * regimes, fat-tailed correlated factors) with bars, macro series and COT positions. The whole world is generated once,
 * on first use, and sliced per request.
 * @example
 * const data = new SyntheticDataAdapter({ seed: 7, start: '2018-01-01', end: '2019-12-31' });
 * const [gld] = await data.history({ ids: ['bar:GLD'], from: Date.parse('2019-01-01'), to: Date.parse('2019-06-30') });
 */
export class SyntheticDataAdapter implements MarketDataAdapter {
  readonly id = 'synthetic';
  readonly seed: number;
  readonly start: number;
  readonly end: number;
  private readonly generators: readonly SeriesGenerator[];
  private readonly instrumentList: readonly Instrument[];
  private readonly specs: readonly SeriesSpec[];
  private cachedWorld: World | undefined;
  private cachedSeries: Map<string, SeriesData> | undefined;

  constructor(options: SyntheticDataOptions = {}) {
    const problems: ShError[] = [];
    const seed = options.seed ?? 42;
    if (!Number.isSafeInteger(seed)) {
      problems.push(shError('SH_ERR_CONFIG_INVALID', `synthetic seed must be an integer, was ${String(seed)}`, { where: 'synthetic.seed', received: seed, expected: 'an integer' }));
    }
    const start = parseDay(options.start ?? '2015-01-01', 'start', problems);
    const end = parseDay(options.end ?? '2019-12-31', 'end', problems);
    if (problems.length === 0 && end < start) {
      problems.push(shError('SH_ERR_CONFIG_INVALID', `synthetic end ${options.end} is before start ${options.start}`, { where: 'synthetic.end', received: options.end, expected: `a day on or after ${options.start}` }));
    }
    if (problems.length > 0) {
      const message = problems.length === 1 ? (problems[0] as ShError).message : `synthetic data options have ${problems.length} problems`;
      throw new ShError('SH_ERR_CONFIG_INVALID', message, (problems[0] as ShError).details, problems);
    }
    this.seed = seed;
    this.start = start;
    this.end = end;
    this.generators = options.generators ?? DEFAULT_GENERATORS;
    this.instrumentList = options.instruments ?? SYNTHETIC_INSTRUMENTS;
    this.specs = this.generators.flatMap((g) => g.specs);
    const seen = new Set<string>();
    for (const spec of this.specs) {
      if (seen.has(spec.id)) {
        throw shError('SH_ERR_DATA_CATALOG_INVALID', `synthetic series ${spec.id} is provided by two generator modules`, { where: spec.id, received: spec.id, expected: 'each series id from one module' });
      }
      seen.add(spec.id);
    }
  }

  async catalog(): Promise<readonly SeriesSpec[]> {
    return this.specs;
  }

  async instruments(): Promise<readonly Instrument[]> {
    return this.instrumentList;
  }

  async history(request: HistoryRequest): Promise<readonly SeriesData[]> {
    const all = this.series();
    const unknown = request.ids.filter((id) => !all.has(id));
    if (unknown.length > 0) {
      throw shError('SH_ERR_DATA_SERIES_UNKNOWN', `synthetic data has no series ${unknown.join(', ')}; available: ${[...all.keys()].join(', ')}`, {
        where: 'synthetic',
        received: unknown,
        expected: `one of ${[...all.keys()].join(', ')}`,
      });
    }
    return [...new Set(request.ids)].map((id) => sliceSeries(all.get(id) as SeriesData, request.from, request.to));
  }

  /** The latent state (factors, regimes) behind the data: for generator modules, diagnostics and tests. */
  world(): World {
    this.cachedWorld ??= generateWorld(this.seed, this.start, this.end);
    return this.cachedWorld;
  }

  /** Every series of the world, whole, keyed by id (generated on first call). Callers must not mutate the columns. */
  series(): ReadonlyMap<string, SeriesData> {
    if (!this.cachedSeries) {
      const world = this.world();
      const map = new Map<string, SeriesData>();
      for (const generator of this.generators) for (const data of generator.generate(world)) map.set(data.spec.id, data);
      this.cachedSeries = map;
    }
    return this.cachedSeries;
  }
}

function parseDay(text: string, name: 'start' | 'end', problems: ShError[]): number {
  const time = parseDate(text);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(time) || formatDate(time) !== text) {
    problems.push(shError('SH_ERR_CONFIG_INVALID', `synthetic ${name} must be a day YYYY-MM-DD, was ${JSON.stringify(text)}`, { where: `synthetic.${name}`, received: text, expected: 'YYYY-MM-DD' }));
  }
  return time;
}

/** A copy of the observations describing times in [from, to]: callers may keep or change it freely. */
function sliceSeries(data: SeriesData, from: number, to: number): SeriesData {
  const first = lowerBound(data.time, from);
  const last = lowerBound(data.time, to, true);
  const columns: Record<string, Float64Array> = {};
  for (const field of data.spec.fields) columns[field] = (data.columns[field] as Float64Array).slice(first, last);
  return { spec: data.spec, time: data.time.slice(first, last), available: data.available.slice(first, last), columns };
}

/** First index with time >= value (or > value when `after`). */
function lowerBound(times: Float64Array, value: number, after = false): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const t = times[mid] as number;
    if (t < value || (after && t === value)) low = mid + 1;
    else high = mid;
  }
  return low;
}
