import { adversePrice, type Side } from '../../../core/index.js';

export { adversePrice, impactBps, orderCommission, takerCostBps, type CostModel } from '../../../core/index.js';

/** Paper-specific pieces of the cost model; the shared ones live in core/portfolio/cost-model.ts. */

/** The most a bar can fill across all orders of its symbol; Infinity when the cap is disabled (0 or Infinity). */
export function participationCapacity(maxParticipation: number, barVolume: number): number {
  if (maxParticipation === 0 || maxParticipation === Infinity) return Infinity;
  return Math.max(0, Math.floor(maxParticipation * barVolume));
}

/**
 * Update an EWMA of absolute daily log returns with a new close. `decay` is the weight kept on the old estimate.
 * The estimate is the mean absolute return, about 0.8 sigma for normal returns: a conservative-enough scale for impact.
 */
export function updateVolatility(previous: number, previousClose: number | undefined, close: number, decay: number): number {
  if (previousClose === undefined || !(previousClose > 0) || !(close > 0)) return previous;
  return decay * previous + (1 - decay) * Math.abs(Math.log(close / previousClose));
}

/** Where a working order executes on a bar, before taker costs: the open, the close, or resting at its limit. */
export type Execution = { readonly at: 'open' | 'close'; readonly reference: number } | { readonly at: 'limit'; readonly reference: number };

/** Bar prices a fill decision needs. */
export interface BarPrices {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/**
 * Decide whether and where an order executes on a bar. Market and market-on-open take the open, market-on-close the
 * close; a limit order marketable at the open takes the open, otherwise it fills at its limit when the bar trades
 * through it (low <= limit for a buy, high >= limit for a sell). Undefined when it does not execute on this bar.
 */
export function executionOn(type: string, side: Side, limitPrice: number | undefined, bar: BarPrices): Execution | undefined {
  switch (type) {
    case 'market':
    case 'market-on-open':
      return { at: 'open', reference: bar.open };
    case 'market-on-close':
      return { at: 'close', reference: bar.close };
    case 'limit': {
      if (limitPrice === undefined) return undefined;
      const marketableAtOpen = side === 'buy' ? bar.open <= limitPrice : bar.open >= limitPrice;
      if (marketableAtOpen) return { at: 'open', reference: bar.open };
      const touched = side === 'buy' ? bar.low <= limitPrice : bar.high >= limitPrice;
      return touched ? { at: 'limit', reference: limitPrice } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The fill price of an execution: the open or close moved by taker costs; a limit order never pays more (buy) or
 * receives less (sell) than its limit, and a resting limit fills exactly at its limit (no improvement, no cost).
 */
export function fillPrice(execution: Execution, side: Side, limitPrice: number | undefined, costBps: number): number {
  if (execution.at === 'limit') return execution.reference;
  const price = adversePrice(execution.reference, side, costBps);
  if (limitPrice === undefined) return price;
  return side === 'buy' ? Math.min(price, limitPrice) : Math.max(price, limitPrice);
}
