import type { Guard } from '../guard.js';
import { bookPosition } from './risk-reducing.js';

export interface DuplicateIntentConfig {
  /** How far back an identical order makes an intent a duplicate, in ms (default 5 000). */
  readonly windowMs: number;
}

/**
 * Duplicate intents: rejects an intent whose client order id was accepted before (any time the view remembers),
 * or that matches an order accepted within the window (time > intent.time - windowMs) in symbol, side and quantity.
 * An identical order exactly windowMs ago is outside the window. Quantities are compared as the intent reaches
 * this guard (after earlier guards' clips) against accepted quantities. Applies to risk-reducing orders too: a
 * repeated exit overshoots into a new position.
 *
 * A planned follow-on is not a duplicate: when the match was accepted in this basket (same time) and the intent
 * was built on top of it (its `positionBefore` already equals the book position plus what the basket accepted on
 * the symbol, as the engine's market-on-close leg is built from the open leg's target), it passes. A repeated
 * intent still starts from the position before the basket and is caught.
 *
 * @example
 * duplicateIntentGuard({ windowMs: 2_000 })
 */
export function duplicateIntentGuard(config: DuplicateIntentConfig): Guard {
  return {
    name: 'duplicate-intent',
    check(intent, view) {
      const since = intent.time - config.windowMs;
      const orders = view.acceptedOrders();
      const sameId = orders.find((o) => o.clientOrderId === intent.clientOrderId);
      if (sameId) {
        return { result: 'reject', reason: `client order id ${intent.clientOrderId} was already accepted`, compared: { clientOrderId: intent.clientOrderId, acceptedAt: sameId.time, windowMs: config.windowMs } };
      }
      const followsBasket = view.acceptedInBasket(intent.symbol) !== 0 && intent.positionBefore === bookPosition(view, intent.symbol);
      const same = orders.find((o) => o.time > since && o.symbol === intent.symbol && o.side === intent.side && o.quantity === intent.quantity && !(followsBasket && o.time === intent.time));
      const compared = { windowMs: config.windowMs, quantity: intent.quantity, ...(same ? { duplicateOf: same.clientOrderId, ageMs: intent.time - same.time } : {}) };
      if (!same) return { result: 'pass', compared };
      return { result: 'reject', reason: `duplicate of ${same.clientOrderId}: ${intent.side} ${intent.quantity} ${intent.symbol} accepted ${intent.time - same.time} ms ago (window ${config.windowMs} ms)`, compared };
    },
  };
}
