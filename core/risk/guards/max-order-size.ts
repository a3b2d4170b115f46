import { roundToLot } from '../../model/instrument.js';
import type { Guard } from '../guard.js';
import { exceeds } from './exposure.js';

export interface MaxOrderSizeConfig {
  /** Largest notional (price x quantity x multiplier) of one order, in account currency. */
  readonly maxNotional: number;
  /** Largest quantity of one order (default: unlimited). */
  readonly maxQuantity?: number;
}

/**
 * Max quantity and notional per order. An order over a limit is clipped to the limit (rounded down to lots);
 * at the limit it passes; when not even one lot fits, or the reference price is not a positive number, it is
 * rejected. Applies to risk-reducing orders too: a limit on order size is about erroneous orders. Per order only:
 * a basket of many orders is bounded by the exposure guards, not this one.
 *
 * @example
 * maxOrderSizeGuard({ maxNotional: 250_000, maxQuantity: 10_000 })
 */
export function maxOrderSizeGuard(config: MaxOrderSizeConfig): Guard {
  const maxQuantity = config.maxQuantity ?? Number.POSITIVE_INFINITY;
  return {
    name: 'max-order-size',
    check(intent, view) {
      const instrument = view.instrument(intent.symbol);
      const multiplier = instrument?.multiplier ?? 1;
      const lot = instrument?.lotSize ?? 1;
      const unit = intent.referencePrice * multiplier;
      const notional = intent.quantity * unit;
      const compared = { notional, maxNotional: config.maxNotional, quantity: intent.quantity, maxQuantity };
      if (!(unit > 0) || !Number.isFinite(unit)) return { result: 'reject', reason: `reference price ${intent.referencePrice} is not a positive number: the notional cannot be bounded`, compared };
      let allowed = intent.quantity;
      if (exceeds(notional, config.maxNotional)) allowed = Math.min(allowed, roundToLot(config.maxNotional / unit, lot));
      if (exceeds(intent.quantity, maxQuantity)) allowed = Math.min(allowed, roundToLot(maxQuantity, lot));
      if (allowed >= intent.quantity) return { result: 'pass', compared };
      if (allowed <= 0) return { result: 'reject', reason: 'one lot exceeds the per-order limit', compared };
      return { result: 'clip', quantity: allowed, reason: `order over the per-order limit: clipped to ${allowed}`, compared };
    },
  };
}
