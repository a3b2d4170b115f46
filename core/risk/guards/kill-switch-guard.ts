import { roundToLot } from '../../model/instrument.js';
import type { Guard } from '../guard.js';
import { allowOnlyReducing, reducingQuantity } from './risk-reducing.js';

export interface KillSwitchGuardConfig {
  /** Size multiplier applied to risk-increasing orders in THROTTLE (default 0.5). */
  readonly throttleSizeFactor?: number;
}

/**
 * The kill-switch tier guard. ACTIVE and WARN pass; THROTTLE cuts the risk-increasing part of an order to
 * `throttleSizeFactor` of its size (rounded down to lots; risk-reducing orders pass whole); NO_NEW and FLATTEN_ALL
 * let only risk-reducing orders through, and clip an order that would cross zero to the part that closes the
 * position. Cancels never reach the chain: they always pass.
 *
 * @example
 * killSwitchGuard({ throttleSizeFactor: 0.25 }) // THROTTLE: orders at a quarter of their size
 */
export function killSwitchGuard(config: KillSwitchGuardConfig = {}): Guard {
  const factor = config.throttleSizeFactor ?? 0.5;
  return {
    name: 'kill-switch',
    check(intent, view) {
      const compared = { tier: view.tier };
      switch (view.tier) {
        case 'ACTIVE':
        case 'WARN':
          return { result: 'pass', compared };
        case 'THROTTLE': {
          const reducing = reducingQuantity(intent, view);
          const throttled = Math.max(reducing, roundToLot(intent.quantity * factor, view.instrument(intent.symbol)?.lotSize ?? 1));
          const withSizes = { ...compared, quantity: intent.quantity, reducingQuantity: reducing, throttleSizeFactor: factor };
          if (throttled >= intent.quantity) return { result: 'pass', compared: withSizes };
          if (throttled <= 0) return { result: 'reject', reason: `tier THROTTLE: ${factor * 100}% of ${intent.quantity} is less than one lot`, compared: withSizes };
          return { result: 'clip', quantity: throttled, reason: `tier THROTTLE: size cut to ${factor * 100}%`, compared: withSizes };
        }
        case 'NO_NEW':
        case 'FLATTEN_ALL':
          return allowOnlyReducing(intent, view, `tier ${view.tier}: only risk-reducing orders are allowed`, { ...compared, positionBefore: intent.positionBefore });
      }
    },
  };
}
