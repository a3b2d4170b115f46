import { roundToLot } from '../../model/instrument.js';
import { sideSign } from '../../model/order.js';
import type { Guard } from '../guard.js';
import { exceeds, holdings, usableEquity } from './exposure.js';

export interface NetExposureConfig {
  /** Largest |net exposure| (sum of signed position x price x multiplier) over equity (default 1.0). */
  readonly maxNetLeverage: number;
}

/**
 * Net exposure: the signed sum over held symbols and this cycle's basket of position x price x multiplier, after
 * the order, over equity, must stay within ±maxNetLeverage. At the limit: pass. An order that does not grow |net|
 * passes (a hedge), and so does one that reduces its own position even when that unbalances a hedge: exits are
 * never blocked. An order that would breach is clipped to what fits, in whole lots, or rejected when no lot fits.
 * No room when equity is not positive or a held position has no price.
 *
 * @example
 * netExposureGuard({ maxNetLeverage: 0.5 })
 */
export function netExposureGuard(config: NetExposureConfig): Guard {
  return {
    name: 'net-exposure',
    check(intent, view) {
      const book = holdings(intent, view);
      const own = book.find((h) => h.symbol === intent.symbol);
      const unit = own?.unit ?? Number.NaN;
      const positionBefore = own?.quantity ?? 0;
      const netBefore = book.reduce((sum, h) => sum + h.quantity * h.unit, 0);
      const sign = sideSign(intent.side);
      const netAfter = netBefore + sign * intent.quantity * unit;
      const limit = config.maxNetLeverage * usableEquity(view);
      const compared = { netBefore, netAfter, limit, equity: view.equity, maxNetLeverage: config.maxNetLeverage };
      if (Math.abs(positionBefore + sign * intent.quantity) <= Math.abs(positionBefore)) return { result: 'pass', compared };
      if (!(unit > 0) || !Number.isFinite(unit)) return { result: 'reject', reason: `reference price ${intent.referencePrice} is not a positive number: net exposure cannot be valued`, compared };
      if (!Number.isFinite(netBefore)) return { result: 'reject', reason: 'a held position has no usable price: net exposure cannot be valued', compared };
      if (Math.abs(netAfter) <= Math.abs(netBefore) || !exceeds(Math.abs(netAfter), limit)) return { result: 'pass', compared };
      // Largest k with |netBefore + sign k unit| <= max(limit, |netBefore|): an interval of k that contains 0.
      const bound = Math.max(limit, Math.abs(netBefore)) * (1 + 1e-9);
      const quantity = Math.min(intent.quantity, Math.max(0, roundToLot((bound - sign * netBefore) / unit, view.instrument(intent.symbol)?.lotSize ?? 1)));
      if (quantity <= 0) return { result: 'reject', reason: `net exposure ${netBefore.toFixed(0)} leaves no room under ±${limit.toFixed(0)} (${config.maxNetLeverage}x equity)`, compared };
      return { result: 'clip', quantity, reason: `net exposure would reach ${netAfter.toFixed(0)}, over ±${limit.toFixed(0)} (${config.maxNetLeverage}x equity): clipped to ${quantity}`, compared };
    },
  };
}
