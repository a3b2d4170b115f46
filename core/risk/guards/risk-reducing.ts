import type { OrderIntent } from '../../model/order.js';
import { sideSign } from '../../model/order.js';
import type { Compared, GuardVerdict, RiskView } from '../guard.js';

/** The book position an order starts from: the position plus what this cycle's basket already accepted. */
export function bookPosition(view: RiskView, symbol: string): number {
  return view.position(symbol) + view.acceptedInBasket(symbol);
}

/**
 * The part of an order that only reduces risk: the quantity that moves the position toward zero without crossing
 * it. It is measured against both the position the intent was built from (`positionBefore`, working orders
 * included) and the book position plus this basket; when they disagree (a second leg on the same symbol, a working
 * order the view does not see) the smaller part counts, so a guard errs on the side of less risk.
 */
export function reducingQuantity(intent: OrderIntent, view: RiskView): number {
  const sign = sideSign(intent.side);
  const part = (before: number): number => (Math.sign(before) === -sign ? Math.min(intent.quantity, Math.abs(before)) : 0);
  return Math.min(part(intent.positionBefore), part(bookPosition(view, intent.symbol)));
}

/** True when the whole order only reduces risk (see `reducingQuantity`). */
export function reducesRisk(intent: OrderIntent, view: RiskView): boolean {
  return reducingQuantity(intent, view) >= intent.quantity;
}

/**
 * The verdict of a guard that blocks new risk: a risk-reducing order passes, an order that crosses zero is clipped
 * to its risk-reducing part (it closes the position instead of reversing it), anything else is rejected.
 */
export function allowOnlyReducing(intent: OrderIntent, view: RiskView, reason: string, compared: Compared): GuardVerdict {
  const reducing = reducingQuantity(intent, view);
  const withQuantity = { ...compared, quantity: intent.quantity, reducingQuantity: reducing };
  if (reducing >= intent.quantity) return { result: 'pass', compared: withQuantity };
  if (reducing > 0) return { result: 'clip', quantity: reducing, reason: `${reason}: clipped to the risk-reducing ${reducing}`, compared: withQuantity };
  return { result: 'reject', reason, compared: withQuantity };
}
