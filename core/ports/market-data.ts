import type { Instrument } from '../model/instrument.js';
import type { SeriesData, SeriesSpec } from '../model/series.js';
import type { EpochMs } from '../model/time.js';

/** A request for history: inclusive range of the times observations describe. */
export interface HistoryRequest {
  readonly ids: readonly string[];
  readonly from: EpochMs;
  readonly to: EpochMs;
}

/**
 * The port every market data adapter implements. `catalog` says what it can provide (and its availability rules);
 * `history` delivers columns in core types. Bad data fails loudly with file, row and rule: nothing is dropped silently.
 */
export interface MarketDataAdapter {
  readonly id: string;
  catalog(): Promise<readonly SeriesSpec[]>;
  /** Instrument definitions for the bar series it provides. */
  instruments(): Promise<readonly Instrument[]>;
  history(request: HistoryRequest): Promise<readonly SeriesData[]>;
}
