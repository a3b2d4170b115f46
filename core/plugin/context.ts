import type { BarWindow, SeriesWindow } from '../model/series-store.js';
import type { EpochMs } from '../model/time.js';

/**
 * Model outputs for the rows a plugin's `features()` returned this evaluation: per output name, `rowCount x width`
 * values, row-major, in the order of the rows.
 */
export interface ModelScores {
  readonly rowCount: number;
  readonly outputs: Readonly<Record<string, { readonly width: number; readonly values: Float32Array }>>;
}

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
  /**
   * The scores of the rows this plugin's `features()` returned for `modelId` at this decision time. The host scored
   * them (batched with every other plugin's rows) before calling `evaluate`, so this is synchronous.
   */
  score(modelId: string): ModelScores;
}
