import { barId, type MarketBar, type SeriesStore } from '../../core/index.js';

/** The decision times of a run and the bars that complete at each. */
export interface MarketClock {
  readonly times: Float64Array;
  /** Bars that became available exactly at times[i]. */
  barsAt(i: number): readonly MarketBar[];
}

/**
 * Decision times are the availability times (closes) of the traded instruments' bars inside [from, to]; each
 * decision time carries the bars that completed then. Built once per run from the store.
 */
export function buildMarketClock(store: SeriesStore, symbols: readonly string[], from: number, to: number): MarketClock {
  const byTime = new Map<number, MarketBar[]>();
  for (const symbol of symbols) {
    const id = barId(symbol);
    if (!store.has(id)) continue;
    const n = store.length(id);
    for (let i = 0; i < n; i++) {
      const available = store.availableAtIndex(id, i);
      if (available < from || available > to) continue;
      const bar: MarketBar = {
        symbol,
        time: store.timeAt(id, i),
        open: store.valueAt(id, 'open', i),
        high: store.valueAt(id, 'high', i),
        low: store.valueAt(id, 'low', i),
        close: store.valueAt(id, 'close', i),
        volume: store.valueAt(id, 'volume', i),
      };
      const list = byTime.get(available);
      if (list) list.push(bar);
      else byTime.set(available, [bar]);
    }
  }
  const times = Float64Array.from([...byTime.keys()].sort((a, b) => a - b));
  return { times, barsAt: (i) => byTime.get(times[i] as number) ?? [] };
}
