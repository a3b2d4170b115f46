import type { Guard } from '../guard.js';
import { exceeds } from './exposure.js';

export interface PriceCollarConfig {
  /** Largest relative distance between the order's price and the reference price (default 0.05: ±5%). */
  readonly maxDeviation: number;
}

/**
 * The price collar, an erroneous-order check: the order's price (its limit price when it has one, else the
 * reference price it was sized at) must lie within ±maxDeviation of the independent reference `view.price(symbol)`.
 * At the edge of the collar: pass; outside: reject. A reference that is not a positive number rejects too (the order
 * cannot be checked). Applies to every order, risk-reducing ones included: a wrong price is wrong either way.
 *
 * @example
 * priceCollarGuard({ maxDeviation: 0.02 }) // a limit price 3% off the last trade is rejected
 */
export function priceCollarGuard(config: PriceCollarConfig): Guard {
  return {
    name: 'price-collar',
    check(intent, view) {
      const reference = view.price(intent.symbol);
      const price = intent.limitPrice ?? intent.referencePrice;
      const deviation = Math.abs(price - reference) / reference;
      const compared = { price, reference, deviation, maxDeviation: config.maxDeviation };
      if (!(reference > 0) || !Number.isFinite(reference)) return { result: 'reject', reason: `no usable reference price for ${intent.symbol} (was ${reference})`, compared };
      if (!(price > 0) || !Number.isFinite(price)) return { result: 'reject', reason: `order price ${price} is not a positive number`, compared };
      if (exceeds(deviation, config.maxDeviation)) {
        return { result: 'reject', reason: `order price ${price} is ${(deviation * 100).toFixed(2)}% from the reference ${reference}, over the ${config.maxDeviation * 100}% collar`, compared };
      }
      return { result: 'pass', compared };
    },
  };
}
