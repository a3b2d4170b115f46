import { roundToLot } from '../../model/instrument.js';
import type { OrderIntent } from '../../model/order.js';
import type { RiskView } from '../guard.js';
import { bookPosition } from './risk-reducing.js';

/** Relative slack on limit comparisons, so that an order landing exactly on a limit is not lost to rounding. */
const TOLERANCE = 1e-9;

/** True when `value` is over `limit` by more than rounding. */
export function exceeds(value: number, limit: number): boolean {
  return value > limit + TOLERANCE * Math.max(1, Math.abs(limit));
}

/** One position of the book after this basket, valued. */
export interface Holding {
  readonly symbol: string;
  readonly quantity: number;
  /** Value of one unit: price x multiplier (NaN when the price is missing). */
  readonly unit: number;
}

/**
 * Every position the order is measured against: held symbols, symbols this basket traded, and the order's own
 * symbol, each at the book position plus the basket. The order's symbol is valued at the intent's reference price
 * (the price it was sized at), the others at `view.price`.
 */
export function holdings(intent: OrderIntent, view: RiskView): Holding[] {
  // acceptedOrders holds this basket's orders, so their symbols are found there (earlier cycles' add zeros).
  const symbols = new Set<string>(view.heldSymbols());
  for (const order of view.acceptedOrders()) symbols.add(order.symbol);
  symbols.add(intent.symbol);
  const out: Holding[] = [];
  for (const symbol of symbols) {
    const quantity = bookPosition(view, symbol);
    if (quantity === 0 && symbol !== intent.symbol) continue;
    const price = symbol === intent.symbol ? intent.referencePrice : view.price(symbol);
    out.push({ symbol, quantity, unit: price * (view.instrument(symbol)?.multiplier ?? 1) });
  }
  return out;
}

/**
 * The largest quantity, at most `requested` and in whole lots, that an order of direction `sign` may trade from
 * position `before` so that the absolute position stays within `maxAbs`, or within |before| when that is larger
 * (an order that does not grow the position always fits). A NaN `maxAbs` means no room: only reductions fit.
 */
export function fitAbsolute(before: number, sign: 1 | -1, requested: number, maxAbs: number, lot: number): number {
  const bound = Math.max(Number.isNaN(maxAbs) ? 0 : maxAbs, Math.abs(before));
  const room = bound * (1 + TOLERANCE) - sign * before;
  if (room >= requested) return requested;
  return Math.max(0, roundToLot(room, lot));
}

/** Account equity usable as a denominator: NaN, zero or negative equity leaves no room for new risk. */
export function usableEquity(view: RiskView): number {
  return Number.isFinite(view.equity) && view.equity > 0 ? view.equity : 0;
}
