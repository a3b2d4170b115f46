import type { BarWindow, SeriesWindow } from '../model/series-store.js';
import {
  alignedLogRatio,
  lastFinite,
  levelChange,
  logChange,
  logReturn,
  movingAverageGap,
  realisedVolatility,
  speculatorNetShare,
  standardisedReturn,
  zScoreOfLast,
} from './features.js';

/**
 * What a feature builder reads: the windows of a decision time. A plugin's StrategyContext is one; the fitting tool
 * makes one from a SeriesStore at each past decision time, so fitting and scoring compute identical rows.
 */
export interface FeatureView {
  bars(symbol: string): BarWindow;
  series(id: string): SeriesWindow;
}

/**
 * A named, versioned list of features for one instrument: the columns of a model's input, in the model card's order.
 * A model is fitted on rows of one set and scored on rows of the same set; changing a set means refitting.
 */
export interface FeatureSet {
  readonly id: string;
  readonly description: string;
  /** Column names, in order: a model card's `features`. */
  readonly names: readonly string[];
  /** Rows of bar history `build` reads (per symbol). */
  readonly barHistory: number;
  /** Rows of history `build` reads from each non-bar series (daily macro and weekly COT alike). */
  readonly seriesHistory: number;
  /** Bar symbols `build` reads for an instrument, the instrument first. */
  barsFor(symbol: string): readonly string[];
  /** Non-bar series `build` reads for an instrument. */
  seriesFor(symbol: string): readonly string[];
  /** The row for `symbol` at the view's decision time, or undefined while some feature lacks history (or is not finite). */
  build(view: FeatureView, symbol: string): number[] | undefined;
}

/** The legacy COT report that positions each instrument: gold instruments read COMEX gold, silver ones COMEX silver. */
export const COT_SERIES_FOR: Readonly<Record<string, string>> = { GLD: 'cot:GC', IAU: 'cot:GC', GC: 'cot:GC', GDX: 'cot:GC', SLV: 'cot:SI', SI: 'cot:SI' };

/** The pair whose log price ratio (gold over silver) is a feature of the ensemble. */
export const GOLD_SILVER_PAIR = ['GLD', 'SLV'] as const;

const finiteRow = (row: number[]): number[] | undefined => (row.every(Number.isFinite) ? row : undefined);
const logOf = (x: number): number => (x > 0 ? Math.log(x) : Number.NaN);

/** Side of the 50/200-day moving-average rule: +1 when the 50-day average is at or above the 200-day one, else -1. */
export function movingAverageSide(close: ArrayLike<number>): number {
  const gap = movingAverageGap(close, 50, 200);
  return Number.isNaN(gap) ? Number.NaN : gap >= 0 ? 1 : -1;
}

/**
 * Regime features: the 20-day log return, the log of 20-day realised volatility and the log of VIX. Calm and stressed
 * markets differ most in the last two (volatility clusters, and VIX jumps in stress).
 */
export const REGIME_FEATURES: FeatureSet = {
  id: 'regime-v1',
  description: '20-day log return, log 20-day realised volatility (annualised), log VIX (last published value)',
  names: ['ret_20d', 'log_vol_20d', 'log_vix'],
  barHistory: 21,
  seriesHistory: 10,
  barsFor: (symbol) => [symbol],
  seriesFor: () => ['macro:VIX'],
  build(view, symbol) {
    const close = view.bars(symbol).close;
    return finiteRow([logReturn(close, 20), logOf(realisedVolatility(close, 20)), logOf(lastFinite(view.series('macro:VIX').field('value')))]);
  },
};

/**
 * Meta-labelling features of the 50/200-day moving-average rule: its side, then features signed by that side (so a
 * positive value always favours the trade) and unsigned context (volatility, VIX).
 */
export const META_LABEL_FEATURES: FeatureSet = {
  id: 'meta-label-v1',
  description:
    'side of the 50/200-day MA rule (+1/-1); side x log(MA50/MA200) / vol60; side x 20-day return in sd units; log vol60; log(vol20/vol120); log VIX; side x 20-observation change of DFII10',
  names: ['side', 'trend_strength', 'momentum_20d', 'log_vol_60d', 'vol_ratio_20_120', 'log_vix', 'real_yield_change_20d'],
  barHistory: 200,
  seriesHistory: 30,
  barsFor: (symbol) => [symbol],
  seriesFor: () => ['macro:VIX', 'macro:DFII10'],
  build(view, symbol) {
    const close = view.bars(symbol).close;
    const side = movingAverageSide(close);
    const vol60 = realisedVolatility(close, 60);
    return finiteRow([
      side,
      (side * movingAverageGap(close, 50, 200)) / vol60,
      side * standardisedReturn(close, 20, 60),
      logOf(vol60),
      logOf(realisedVolatility(close, 20) / realisedVolatility(close, 120)),
      logOf(lastFinite(view.series('macro:VIX').field('value'))),
      side * levelChange(view.series('macro:DFII10').field('value'), 20),
    ]);
  },
};

/**
 * Ensemble features: returns over 5 to 250 days in units of their standard deviation, volatility level and term,
 * VIX level and change, real-yield and dollar changes, speculators' COT positioning against its last year, and the
 * gold/silver ratio against its last year.
 */
export const ENSEMBLE_FEATURES: FeatureSet = {
  id: 'ensemble-v1',
  description:
    '5/20/60/250-day returns in sd units (vol60); log vol20; log(vol20/vol120); log VIX; 20-obs log change of VIX; 20-obs change of DFII10; 20-obs log change of DTWEXBGS; z of speculators net/OI over 52 reports; z of log(GLD/SLV) over 250 days',
  names: ['ret_5d_z', 'ret_20d_z', 'ret_60d_z', 'ret_250d_z', 'log_vol_20d', 'vol_ratio_20_120', 'log_vix', 'vix_change_20d', 'real_yield_change_20d', 'dollar_change_20d', 'cot_net_z_52w', 'gold_silver_z_250d'],
  barHistory: 251,
  seriesHistory: 60,
  barsFor: (symbol) => [symbol, ...GOLD_SILVER_PAIR.filter((s) => s !== symbol)],
  seriesFor: (symbol) => ['macro:VIX', 'macro:DFII10', 'macro:DTWEXBGS', ...(COT_SERIES_FOR[symbol] ? [COT_SERIES_FOR[symbol] as string] : [])],
  build(view, symbol) {
    const cot = COT_SERIES_FOR[symbol];
    if (cot === undefined) return undefined;
    const close = view.bars(symbol).close;
    const vix = view.series('macro:VIX').field('value');
    return finiteRow([
      standardisedReturn(close, 5, 60),
      standardisedReturn(close, 20, 60),
      standardisedReturn(close, 60, 60),
      standardisedReturn(close, 250, 60),
      logOf(realisedVolatility(close, 20)),
      logOf(realisedVolatility(close, 20) / realisedVolatility(close, 120)),
      logOf(lastFinite(vix)),
      logChange(vix, 20),
      levelChange(view.series('macro:DFII10').field('value'), 20),
      logChange(view.series('macro:DTWEXBGS').field('value'), 20),
      zScoreOfLast(speculatorNetShare(view.series(cot)), 52),
      zScoreOfLast(alignedLogRatio(view.bars(GOLD_SILVER_PAIR[0]), view.bars(GOLD_SILVER_PAIR[1]), 250), 250),
    ]);
  },
};

/**
 * Forecasting features, from the instrument's own bars only: raw 20/60/250-day log returns, 20- and 60-day
 * annualised volatility (raw, so that quantile spreads can scale with them) and the 50/200-day MA gap.
 */
export const FORECAST_FEATURES: FeatureSet = {
  id: 'forecast-v1',
  description: '20/60/250-day log returns; annualised realised volatility over 20 and 60 days; log(MA50/MA200)',
  names: ['ret_20d', 'ret_60d', 'ret_250d', 'vol_20d', 'vol_60d', 'ma_gap_50_200'],
  barHistory: 251,
  seriesHistory: 1,
  barsFor: (symbol) => [symbol],
  seriesFor: () => [],
  build(view, symbol) {
    const close = view.bars(symbol).close;
    return finiteRow([logReturn(close, 20), logReturn(close, 60), logReturn(close, 250), realisedVolatility(close, 20), realisedVolatility(close, 60), movingAverageGap(close, 50, 200)]);
  },
};

/** Every feature set, by id. */
export const FEATURE_SETS: Readonly<Record<string, FeatureSet>> = Object.fromEntries(
  [REGIME_FEATURES, META_LABEL_FEATURES, ENSEMBLE_FEATURES, FORECAST_FEATURES].map((set) => [set.id, set]),
);

/** The data a feature set reads for some instruments, as `needs()` declares it (bars de-duplicated, in order). */
export interface FeatureNeeds {
  readonly bars: string[];
  readonly series: string[];
  readonly history: number;
  readonly seriesHistory: number;
}

/**
 * The bars, series and history a feature set reads for `symbols`: what a model plugin declares in `needs()` (plus
 * anything its own rule reads).
 *
 * @example featureNeeds(REGIME_FEATURES, ['GLD']) // { bars: ['GLD'], series: ['macro:VIX'], history: 21, seriesHistory: 10 }
 */
export function featureNeeds(set: FeatureSet, symbols: readonly string[]): FeatureNeeds {
  const bars = [...new Set(symbols.flatMap((s) => set.barsFor(s)))];
  const series = [...new Set(symbols.flatMap((s) => set.seriesFor(s)))];
  return { bars, series, history: set.barHistory, seriesHistory: set.seriesHistory };
}

/**
 * One row per instrument that has enough history, in `symbols` order, and the instruments those rows belong to. Call
 * it from both `features()` and `evaluate()`: the same context gives the same rows, so row r of `ctx.score()` belongs
 * to `symbols[r]`.
 */
export function featureRows(set: FeatureSet, view: FeatureView, symbols: readonly string[]): { symbols: string[]; rows: number[][] } {
  const out: { symbols: string[]; rows: number[][] } = { symbols: [], rows: [] };
  for (const symbol of symbols) {
    const row = set.build(view, symbol);
    if (row) {
      out.symbols.push(symbol);
      out.rows.push(row);
    }
  }
  return out;
}
