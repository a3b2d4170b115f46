// What the host does with a reconciliation's differences, as pure functions: which positions to adopt, how much of a
// position to close under the flatten policy, and the fills of its own orders it missed.
import type { Position } from '../model/position.js';
import type { PositionBookSnapshot } from '../portfolio/position-book.js';
import type { Difference, OrderValue, PositionValue, Reconciliation } from './reconcile.js';

/** True for the kinds about positions. */
export function isPositionDifference(difference: Difference): boolean {
  return difference.kind.startsWith('position-');
}

/**
 * The signed quantity to trade to close the part of the broker's position the host does not know, so a flatten never
 * increases exposure: toward the host's quantity when it lies between zero and the broker's, else toward zero.
 * 0 for order differences and for positions the broker holds less of than the host (nothing unknown to close).
 * `explained` is a signed quantity the host does know about though its position misses it: the fills of its own orders
 * it missed (missedFillQuantities), which are adopted, never flattened.
 * @example flattenQuantity(unknownLong100) // -100: sell 100
 * @example flattenQuantity(mismatch host 100, broker 150) // -50
 * @example flattenQuantity(unknownLong100, 100) // 0: the host's own order filled 100 without the host seeing it
 */
export function flattenQuantity(difference: Difference, explained = 0): number {
  if (!isPositionDifference(difference)) return 0;
  const host = ((difference.hostValue as PositionValue | null)?.quantity ?? 0) + explained;
  const broker = (difference.brokerValue as PositionValue | null)?.quantity ?? 0;
  const target = Math.sign(host) === Math.sign(broker) ? Math.sign(broker) * Math.min(Math.abs(host), Math.abs(broker)) : 0;
  return target - broker;
}

/**
 * Signed quantities per symbol that the broker filled on the host's own orders without the host seeing it: the
 * filled-quantity differences of `order-status-mismatch` differences (buys positive). They explain part of a position
 * difference, which is then the host's own trading, not an unknown position.
 * @example missedFillQuantities(result).get('GLD') // 100: a buy of 100 filled while the host believed it open
 */
export function missedFillQuantities(reconciliation: Reconciliation): Map<string, number> {
  const missed = new Map<string, number>();
  for (const d of reconciliation.differences) {
    if (d.kind !== 'order-status-mismatch' || d.hostValue === null || d.brokerValue === null) continue;
    const host = d.hostValue as OrderValue;
    const broker = d.brokerValue as OrderValue;
    const quantity = (broker.filledQuantity - host.filledQuantity) * (broker.side === 'buy' ? 1 : -1);
    if (quantity !== 0) missed.set(d.symbol, (missed.get(d.symbol) ?? 0) + quantity);
  }
  return missed;
}

/**
 * The positions the host adopts to match the broker, one per position difference: the broker's quantity and average
 * price (quantity 0 where the broker holds nothing). Adopting them twice changes nothing.
 */
export function adoptedPositions(reconciliation: Reconciliation): Position[] {
  return reconciliation.differences.filter(isPositionDifference).map((d) => {
    const broker = d.brokerValue as PositionValue | null;
    return { symbol: d.symbol, quantity: broker?.quantity ?? 0, averagePrice: broker?.quantity ? broker.averagePrice : 0 };
  });
}

/**
 * A position book snapshot with `positions` adopted: each one's quantity and average price replaced by the broker's,
 * realised P&L and commissions kept; a symbol new to the book gets `multiplier(symbol)` (default 1).
 * Restore it with PositionBook.restore (or PositionBook.fromSnapshot).
 * @example book.restore(adoptIntoSnapshot(book.snapshot(), outcome.adopt))
 */
export function adoptIntoSnapshot(snapshot: PositionBookSnapshot, positions: readonly Position[], multiplier: (symbol: string) => number = () => 1): PositionBookSnapshot {
  const entries = new Map(snapshot.entries.map((e) => [e.symbol, e]));
  for (const p of positions) {
    const entry = entries.get(p.symbol);
    const averagePrice = p.quantity === 0 ? 0 : p.averagePrice;
    entries.set(p.symbol, entry === undefined
      ? { symbol: p.symbol, quantity: p.quantity, averagePrice, multiplier: multiplier(p.symbol), realisedPnl: 0, commissions: 0 }
      : { ...entry, quantity: p.quantity, averagePrice });
  }
  return { version: 1, entries: [...entries.values()].sort((a, b) => compareText(a.symbol, b.symbol)) };
}

/** Code-unit order, not locale order: the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
