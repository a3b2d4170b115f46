import { roundToLot } from '../../model/instrument.js';
import type { Guard } from '../guard.js';

export interface PositionLimitConfig {
  /** Largest absolute position notional per instrument, in account currency. */
  readonly maxPositionNotional: number;
  /** Per-symbol overrides of the notional limit. */
  readonly perSymbol?: Readonly<Record<string, number>>;
}

/**
 * Position limit per instrument, counting the position, what this cycle's basket already accepted, and the order.
 * Orders that reduce the absolute position always pass; an increase past the limit is clipped to reach it exactly.
 */
export function positionLimitGuard(config: PositionLimitConfig): Guard {
  return {
    name: 'position-limit',
    check(intent, view) {
      const instrument = view.instrument(intent.symbol);
      const multiplier = instrument?.multiplier ?? 1;
      const lot = instrument?.lotSize ?? 1;
      const limit = config.perSymbol?.[intent.symbol] ?? config.maxPositionNotional;
      const unit = intent.referencePrice * multiplier;
      const before = view.position(intent.symbol) + view.acceptedInBasket(intent.symbol);
      const signed = intent.side === 'buy' ? intent.quantity : -intent.quantity;
      const after = before + signed;
      const compared = { positionBefore: before, positionAfter: after, notionalAfter: Math.abs(after) * unit, limit };
      if (Math.abs(after) <= Math.abs(before) || Math.abs(after) * unit <= limit) return { result: 'pass', compared };
      const maxAbs = roundToLot(limit / unit, lot);
      const room = Math.sign(signed) > 0 ? maxAbs - before : before + maxAbs;
      const quantity = roundToLot(Math.max(0, room), lot);
      if (quantity <= 0) return { result: 'reject', reason: `position limit ${limit} reached`, compared };
      return { result: 'clip', quantity, reason: `position would exceed ${limit}: clipped to ${quantity}`, compared };
    },
  };
}
