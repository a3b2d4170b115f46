import type { Guard } from '../guard.js';

export interface OrderRateConfig {
  /** Most orders accepted in any window of `windowMs` (default 50). */
  readonly maxOrders: number;
  /** Length of the sliding window in ms (default 60 000). */
  readonly windowMs: number;
  /** In tier THROTTLE the limit is floor(maxOrders x throttleFactor) (default 0.5). */
  readonly throttleFactor: number;
}

/**
 * The order-rate throttle: counts orders accepted with time > intent.time - windowMs (earlier cycles and this
 * basket) and rejects the order when it would be one too many. It denies, never queues: a denied order is gone,
 * and the next cycle builds a fresh intent from the positions, so sent + denied = offered. Every order counts,
 * risk-reducing ones too, so in no window are more than the limit sent. In THROTTLE the limit is lowered to
 * floor(maxOrders x throttleFactor). Cancels never reach the chain.
 *
 * @example
 * orderRateGuard({ maxOrders: 10, windowMs: 1_000, throttleFactor: 0.5 })
 */
export function orderRateGuard(config: OrderRateConfig): Guard {
  return {
    name: 'order-rate',
    check(intent, view) {
      const limit = view.tier === 'THROTTLE' ? Math.floor(config.maxOrders * config.throttleFactor) : config.maxOrders;
      const since = intent.time - config.windowMs;
      // Every order is scanned, not just the newest: the count must not depend on the list being sorted.
      const count = view.acceptedOrders().reduce((n, order) => (order.time > since ? n + 1 : n), 0);
      const compared = { ordersInWindow: count, limit, windowMs: config.windowMs, tier: view.tier };
      if (count + 1 <= limit) return { result: 'pass', compared };
      return { result: 'reject', reason: `${count} orders in the last ${config.windowMs} ms: the limit is ${limit}${view.tier === 'THROTTLE' ? ' (THROTTLE)' : ''}; denied, not queued`, compared };
    },
  };
}
