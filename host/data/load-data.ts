import {
  parseDate,
  seriesOf,
  SeriesStore,
  ShError,
  MS_PER_DAY,
  type Instrument,
  type MarketDataAdapter,
} from '../../core/index.js';
import type { LoadedPlugin } from '../plugins/loader.js';

export interface LoadedData {
  readonly store: SeriesStore;
  readonly instruments: Map<string, Instrument>;
}

/**
 * Load every series the enabled plugins need, from warm-up before `start` to `end`, into one columnar store.
 * A series no adapter provides is an error naming the plugins that need it (all of them at once).
 */
export async function loadData(adapter: MarketDataAdapter, plugins: readonly LoadedPlugin[], range: { start: string; end: string; warmupDays: number }): Promise<LoadedData> {
  const catalog = new Set((await adapter.catalog()).map((s) => s.id as string));
  const wanted = new Map<string, string[]>();
  for (const p of plugins) {
    if (p.mode === 'disabled') continue;
    for (const id of seriesOf(p.prepared.needs)) wanted.set(id, [...(wanted.get(id) ?? []), p.id]);
  }
  const missing = [...wanted.entries()].filter(([id]) => !catalog.has(id));
  if (missing.length > 0) {
    const problems = missing.map(
      ([id, users]) =>
        new ShError('SH_ERR_DATA_SERIES_UNKNOWN', `series ${id} is needed by ${users.join(', ')} but data source ${adapter.id} does not provide it`, {
          where: `data.source=${adapter.id}`,
          received: id,
          expected: `a series of the source (${[...catalog].slice(0, 8).join(', ')}${catalog.size > 8 ? ', ...' : ''})`,
          fix: `Add ${id} to the data catalog, or disable ${users.join(', ')}.`,
        }),
    );
    throw new ShError('SH_ERR_DATA_SERIES_UNKNOWN', `${missing.length} series needed by plugins are not provided by ${adapter.id}`, { where: 'data' }, problems);
  }
  const from = parseDate(range.start) - range.warmupDays * MS_PER_DAY;
  const to = parseDate(range.end) + MS_PER_DAY;
  const data = await adapter.history({ ids: [...wanted.keys()].sort(), from, to });
  const store = SeriesStore.build(data);
  const instruments = new Map((await adapter.instruments()).map((i) => [i.symbol, i]));
  return { store, instruments };
}
