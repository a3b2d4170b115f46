import { sideSign } from '../../model/order.js';
import type { Guard } from '../guard.js';
import { exceeds, fitAbsolute, holdings, usableEquity } from './exposure.js';

export interface GrossExposureConfig {
  /** Largest gross exposure (sum of |position x price x multiplier|) over equity (default 2.0). */
  readonly maxGrossLeverage: number;
}

/**
 * Gross exposure: the sum over held symbols and this cycle's basket of |position x price x multiplier|, after the
 * order, over equity, must stay within maxGrossLeverage. At the limit: pass. An order that does not grow gross
 * exposure always passes (reductions, and exits while over the limit after a price move); one that would breach
 * is clipped to what fits, in whole lots, or rejected when no lot fits. No room at all when equity is not positive
 * or a held position has no price.
 *
 * @example
 * grossExposureGuard({ maxGrossLeverage: 1.5 })
 */
export function grossExposureGuard(config: GrossExposureConfig): Guard {
  return {
    name: 'gross-exposure',
    check(intent, view) {
      const book = holdings(intent, view);
      const own = book.find((h) => h.symbol === intent.symbol);
      const before = own?.quantity ?? 0;
      const unit = own?.unit ?? Number.NaN;
      const others = book.reduce((sum, h) => (h.symbol === intent.symbol ? sum : sum + Math.abs(h.quantity) * h.unit), 0);
      const sign = sideSign(intent.side);
      const after = before + sign * intent.quantity;
      const limit = config.maxGrossLeverage * usableEquity(view);
      const grossBefore = others + Math.abs(before) * unit;
      const grossAfter = others + Math.abs(after) * unit;
      const compared = { grossBefore, grossAfter, limit, equity: view.equity, maxGrossLeverage: config.maxGrossLeverage };
      if (Math.abs(after) <= Math.abs(before)) return { result: 'pass', compared };
      if (!(unit > 0) || !Number.isFinite(unit)) return { result: 'reject', reason: `reference price ${intent.referencePrice} is not a positive number: gross exposure cannot be valued`, compared };
      if (!Number.isFinite(others)) return { result: 'reject', reason: 'a held position has no usable price: gross exposure cannot be valued', compared };
      if (!exceeds(grossAfter, limit)) return { result: 'pass', compared };
      const quantity = fitAbsolute(before, sign, intent.quantity, (limit - others) / unit, view.instrument(intent.symbol)?.lotSize ?? 1);
      if (quantity <= 0) return { result: 'reject', reason: `gross exposure ${grossBefore.toFixed(0)} leaves no room under ${limit.toFixed(0)} (${config.maxGrossLeverage}x equity)`, compared };
      return { result: 'clip', quantity, reason: `gross exposure would reach ${grossAfter.toFixed(0)}, over ${limit.toFixed(0)} (${config.maxGrossLeverage}x equity): clipped to ${quantity}`, compared };
    },
  };
}
