import type { BarWindow, SeriesWindow } from '../model/series-store.js';
import type { EpochMs } from '../model/time.js';

/**
 * What a plugin sees when it evaluates: market data available at `now`, nothing else. No orders, positions,
 * brokers or other plugins. Asking for a series the plugin did not declare in `needs` throws.
 */
export interface StrategyContext {
  readonly strategyId: string;
  /** The decision time. Every window holds only observations available at or before it. */
  readonly now: EpochMs;
  /** The last `needs().history` bars of a declared symbol. */
  bars(symbol: string): BarWindow;
  /** The last `needs().seriesHistory` (default: history) observations of a declared series. */
  series(id: string): SeriesWindow;
}
