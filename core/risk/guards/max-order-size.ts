import { roundToLot } from '../../model/instrument.js';
import type { Guard } from '../guard.js';

export interface MaxOrderSizeConfig {
  /** Largest notional (price x quantity x multiplier) of one order, in account currency. */
  readonly maxNotional: number;
  /** Largest quantity of one order (default: unlimited). */
  readonly maxQuantity?: number;
}

/**
 * Max quantity and notional per order. An order over a limit is clipped to the limit (rounded down to lots);
 * at the limit it passes. Applies to risk-reducing orders too: a limit on order size is about erroneous orders.
 */
export function maxOrderSizeGuard(config: MaxOrderSizeConfig): Guard {
  return {
    name: 'max-order-size',
    check(intent, view) {
      const instrument = view.instrument(intent.symbol);
      const multiplier = instrument?.multiplier ?? 1;
      const lot = instrument?.lotSize ?? 1;
      const price = intent.referencePrice;
      const notional = intent.quantity * price * multiplier;
      let allowed = intent.quantity;
      if (notional > config.maxNotional) allowed = Math.min(allowed, roundToLot(config.maxNotional / (price * multiplier), lot));
      if (config.maxQuantity !== undefined && intent.quantity > config.maxQuantity) allowed = Math.min(allowed, roundToLot(config.maxQuantity, lot));
      const compared = { notional, maxNotional: config.maxNotional, quantity: intent.quantity, maxQuantity: config.maxQuantity ?? Number.POSITIVE_INFINITY };
      if (allowed >= intent.quantity) return { result: 'pass', compared };
      if (allowed <= 0) return { result: 'reject', reason: 'one lot exceeds the per-order limit', compared };
      return { result: 'clip', quantity: allowed, reason: `order over the per-order limit: clipped to ${allowed}`, compared };
    },
  };
}
