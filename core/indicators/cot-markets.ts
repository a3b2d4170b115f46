import { MAX_REASON_LENGTH, type Signal } from '../model/signal.js';
import type { SeriesWindow } from '../model/series-store.js';
import { formatDate } from '../model/time.js';
import type { StrategyContext } from '../plugin/context.js';
import type { StrategyNeeds } from '../plugin/define-strategy.js';
import type { ParamProblem, ParamSpecOf } from '../plugin/params.js';
import { reportIsStale } from './cot.js';

/*
 * Plugins that read a weekly COT series per futures market (GC, SI) and trade each market through an ETF: what they
 * need, the loop over the selected markets, and the reasons a market is flat before its signal can be read. What a
 * plugin measures in the report and how it turns that into a weight stays in the plugin.
 */

/** A futures market: the COT series read for it and the ETF it is traded through. */
export interface CotMarket {
  /** e.g. `cot:GC` (legacy report) or `cot:GC-MM` (managed money). */
  readonly cot: string;
  /** e.g. `GLD`. */
  readonly symbol: string;
}

/** The markets a plugin can read, by name: `{ GC: { cot: 'cot:GC', symbol: 'GLD' }, ... }`. */
export type CotMarkets = Readonly<Record<string, CotMarket>>;

/** The param specs of the per-market plumbing, as a plugin declares them. */
export interface CotMarketParams {
  readonly volTarget: ParamSpecOf<'number'>;
  readonly volDays: ParamSpecOf<'int'>;
  readonly maxReportAgeDays: ParamSpecOf<'int'>;
}

/**
 * The params every weekly COT plugin sizes and gates its markets with, to spread at the end of its params: volTarget
 * (0.01..1, default 0.1: each market sized to volTarget / n of annualised volatility, weight capped at 1), volDays
 * (10..260, default 60: the ETF's volatility window, see cotMarketNeeds) and maxReportAgeDays (7..90, default 21: see
 * staleReportReason).
 */
export const COT_MARKET_PARAMS: CotMarketParams = {
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility target of the plugin; each market gets volTarget / n, weight capped at 1.' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in each ETF\'s volatility estimate.' },
  maxReportAgeDays: { type: 'int', min: 7, max: 90, default: 21, description: 'Flat when the latest report describes a Tuesday older than this many days (a series that has stopped).' },
};

/** A market's weight, set when a new report arrives and held until the next one. */
export interface WeeklyPosition {
  readonly weight: number;
  /** Time (the Tuesday) of the report the weight was set on; null before the first. */
  readonly report: number | null;
}

/**
 * The names among `selected` that `markets` does not hold, in the order selected.
 *
 * @example unknownMarkets({ GC: { cot: 'cot:GC', symbol: 'GLD' } }, ['GC', 'HG']) // ['HG']
 */
export function unknownMarkets(markets: CotMarkets, selected: readonly string[]): string[] {
  return selected.filter((name) => !(name in markets));
}

/**
 * The problem of a `markets` param that names a market outside `markets` (for `throwIfParamProblems`), or none.
 *
 * @example marketsProblems(MARKETS, ['GC', 'HG']) // [{ name: 'markets', received: ['GC', 'HG'], expected: 'markets among GC, SI' }]
 */
export function marketsProblems(markets: CotMarkets, selected: readonly string[]): ParamProblem[] {
  return unknownMarkets(markets, selected).length > 0 ? [{ name: 'markets', received: selected, expected: `markets among ${Object.keys(markets).join(', ')}` }] : [];
}

/**
 * What a plugin trading the selected markets needs: each market's ETF bars (volDays + 1 of them, for the volatility
 * of volDays daily returns) and `reports` rows of each market's COT series.
 *
 * @example cotMarketNeeds(MARKETS, ['GC'], 60, 156) // { bars: ['GLD'], series: ['cot:GC'], history: 61, seriesHistory: 156 }
 */
export function cotMarketNeeds(markets: CotMarkets, selected: readonly string[], volDays: number, reports: number): StrategyNeeds {
  return {
    bars: selected.map((name) => (markets[name] as CotMarket).symbol),
    series: selected.map((name) => (markets[name] as CotMarket).cot),
    history: volDays + 1,
    seriesHistory: reports,
  };
}

/** What one market's evaluation reads: the market's COT window and its ETF's closes. */
export interface CotMarketView {
  readonly cot: SeriesWindow;
  readonly close: Float64Array;
}

/** One market's evaluation: the position kept in the state (its weight is the signal's), the confidence and why. */
export interface CotMarketOutcome<P extends { readonly weight: number }> {
  readonly position: P;
  readonly confidence: number;
  readonly reason: string;
}

/** The params of a COT plugin that say which markets it trades and when a market's series has stopped. */
export interface CotMarketSelection {
  readonly markets: readonly string[];
  readonly maxReportAgeDays: number;
}

/**
 * Evaluate each selected market and build one signal per market, for its ETF. A market whose latest report is older
 * than maxReportAgeDays is `flat`, with the reason from `staleReportReason`; any other is `evaluateMarket` from its
 * previous position (`flat` for a market without one). Each signal has the outcome's weight and confidence and the
 * reason `<label> <market> <reason>`, cut to MAX_REASON_LENGTH characters. Returns the signals and the positions by
 * market, for the next state.
 *
 * @example
 * const { signals, positions } = evaluateCotMarkets(ctx, MARKETS, p, state.positions, FLAT, 'cot', (market, previous) => evaluateMarket(market, p, previous));
 */
export function evaluateCotMarkets<P extends { readonly weight: number }>(
  ctx: Pick<StrategyContext, 'now' | 'bars' | 'series'>,
  markets: CotMarkets,
  params: CotMarketSelection,
  previous: Readonly<Record<string, P>>,
  flat: P,
  label: string,
  evaluateMarket: (market: CotMarketView, previous: P) => CotMarketOutcome<P>,
): { signals: Signal[]; positions: Record<string, P> } {
  const positions: Record<string, P> = {};
  const signals = params.markets.map((name): Signal => {
    const { cot, symbol } = markets[name] as CotMarket;
    const window = ctx.series(cot);
    const stale = staleReportReason(ctx.now, window, params.maxReportAgeDays);
    const outcome = stale !== undefined ? { position: flat, confidence: 0, reason: stale } : evaluateMarket({ cot: window, close: ctx.bars(symbol).close }, previous[name] ?? flat);
    positions[name] = outcome.position;
    return { symbol, weight: outcome.position.weight, confidence: outcome.confidence, reason: `${label} ${name} ${outcome.reason}`.slice(0, MAX_REASON_LENGTH) };
  });
  return { signals, positions };
}

/**
 * Why a market is flat because its COT series has stopped: `stale: last report 2026-03-10, older than 21d` when the
 * latest report describes a day more than `maxReportAgeDays` before `now`; undefined otherwise (an empty window is
 * not stale, it is waiting).
 *
 * @example staleReportReason(ctx.now, ctx.series('cot:GC'), 21) // undefined while the reports are recent
 */
export function staleReportReason(now: number, cot: Pick<SeriesWindow, 'length' | 'time'>, maxReportAgeDays: number): string | undefined {
  if (!reportIsStale(now, cot, maxReportAgeDays)) return undefined;
  return `stale: last report ${formatDate(cot.time[cot.length - 1] as number)}, older than ${maxReportAgeDays}d`;
}

/**
 * Why a market is flat for lack of history: `waiting for history: 80 of 156 reports`, followed by `, 30 of 61 bars`
 * when the ETF's bars are short too.
 *
 * @example waitingForHistoryReason(cot.length, 156, close.length, p.volDays + 1)
 */
export function waitingForHistoryReason(reports: number, neededReports: number, bars: number, neededBars: number): string {
  const barsShort = bars < neededBars ? `, ${bars} of ${neededBars} bars` : '';
  return `waiting for history: ${reports} of ${neededReports} reports${barsShort}`;
}

/**
 * A held weight in words: `flat`, or `long` / `short` and its absolute value to two decimals. The side defaults to
 * the weight's sign; pass it where a position has a side of its own (a side with a weight of 0 reads `long 0.00`).
 *
 * @example describeWeight(-0.356) // 'short 0.36'
 */
export function describeWeight(weight: number, side: number = Math.sign(weight)): string {
  return side === 0 ? 'flat' : `${side > 0 ? 'long' : 'short'} ${Math.abs(weight).toFixed(2)}`;
}
