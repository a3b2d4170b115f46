import { sideSign } from '../../model/order.js';
import type { Guard } from '../guard.js';
import { exceeds, fitAbsolute } from './exposure.js';
import { bookPosition } from './risk-reducing.js';

export interface PositionLimitConfig {
  /** Largest absolute position notional per instrument, in account currency. */
  readonly maxPositionNotional: number;
  /** Per-symbol overrides of the notional limit. */
  readonly perSymbol?: Readonly<Record<string, number>>;
}

/**
 * Position limit per instrument, counting the position, what this cycle's basket already accepted, and the order,
 * valued at the order's reference price. Orders that do not grow the absolute position always pass; an increase
 * past the limit is clipped to reach it (in whole lots), or rejected when no lot fits. At the limit: pass.
 *
 * @example
 * positionLimitGuard({ maxPositionNotional: 400_000, perSymbol: { SLV: 100_000 } })
 */
export function positionLimitGuard(config: PositionLimitConfig): Guard {
  return {
    name: 'position-limit',
    check(intent, view) {
      const instrument = view.instrument(intent.symbol);
      const lot = instrument?.lotSize ?? 1;
      const limit = config.perSymbol?.[intent.symbol] ?? config.maxPositionNotional;
      const unit = intent.referencePrice * (instrument?.multiplier ?? 1);
      const before = bookPosition(view, intent.symbol);
      const sign = sideSign(intent.side);
      const after = before + sign * intent.quantity;
      const compared = { positionBefore: before, positionAfter: after, notionalAfter: Math.abs(after) * unit, limit };
      if (Math.abs(after) <= Math.abs(before)) return { result: 'pass', compared };
      if (!(unit > 0) || !Number.isFinite(unit)) return { result: 'reject', reason: `reference price ${intent.referencePrice} is not a positive number: the position cannot be valued`, compared };
      if (!exceeds(Math.abs(after) * unit, limit)) return { result: 'pass', compared };
      const quantity = fitAbsolute(before, sign, intent.quantity, limit / unit, lot);
      if (quantity <= 0) return { result: 'reject', reason: `position limit ${limit} reached`, compared };
      return { result: 'clip', quantity, reason: `position would exceed ${limit}: clipped to ${quantity}`, compared };
    },
  };
}
