import { runTag, ShError, symbolTag, type BrokerAdapter, type OrderStatus, type Position } from '../../core/index.js';
import type { Liquidation } from '../reconcile/configured-broker.js';

/** What the watchdog reaches the broker through. */
export interface FlattenTarget {
  readonly broker: BrokerAdapter;
  /** Cancel everything and close every position at once, when the broker offers it (the venue). */
  readonly liquidateAll?: () => Promise<Liquidation[]>;
}

/** One order the watchdog cancelled or sent, as the broker answered. */
export interface FlattenOrderLine {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly status: OrderStatus;
  readonly side?: 'buy' | 'sell';
  readonly quantity?: number;
  readonly filledQuantity?: number;
}

export interface FlattenReport {
  /** `liquidate`: the broker closed the positions itself; `closing-orders`: market orders the watchdog sent. */
  readonly method: 'liquidate' | 'closing-orders';
  readonly positionsBefore: readonly Position[];
  readonly cancelled: readonly FlattenOrderLine[];
  readonly closing: readonly FlattenOrderLine[];
  /** Positions the broker reports afterwards: empty when flat (closing orders may still be working on a simulator). */
  readonly positionsAfter: readonly Position[];
  /** What failed; the watchdog tries again at its next poll while this is not empty. */
  readonly errors: readonly string[];
}

/**
 * Cancel every open order and close every position, through the broker directly (the host is gone). With
 * `liquidateAll` the broker closes them itself (the venue fills at once); otherwise a market order per position, with
 * client order ids derived from `key` (the heartbeat acted on), so a retry can never send a second one: the broker
 * refuses a reused id.
 * @example const report = await cancelAndFlatten({ broker, liquidateAll }, 'r20260101t120000-ab12:4242:1767268800000', Date.now());
 */
export async function cancelAndFlatten(target: FlattenTarget, key: string, time: number): Promise<FlattenReport> {
  const { broker } = target;
  const errors: string[] = [];
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      errors.push(`${what}: ${error instanceof ShError ? `${error.code}: ${error.message}` : (error as Error).message}`);
      return undefined;
    }
  };
  const positionsBefore = (await attempt('list positions', () => broker.positions())) ?? [];
  const ownPrefix = `wd-${runTag(key)}-`;
  const cancelled: FlattenOrderLine[] = [];
  for (const order of (await attempt('list open orders', () => broker.openOrders())) ?? []) {
    // A closing order of an earlier attempt for the same heartbeat is kept: it is the flatten under way.
    if (order.clientOrderId.startsWith(ownPrefix)) continue;
    const answer = await attempt(`cancel ${order.clientOrderId}`, () => broker.cancel(order.clientOrderId));
    if (answer !== undefined) cancelled.push({ clientOrderId: answer.clientOrderId, symbol: answer.symbol, status: answer.status, filledQuantity: answer.filledQuantity });
  }
  const closing: FlattenOrderLine[] = [];
  const liquidateAll = target.liquidateAll;
  if (liquidateAll !== undefined) {
    for (const { symbol, order } of (await attempt('liquidate every position', liquidateAll)) ?? []) {
      closing.push({ clientOrderId: order.clientOrderId, symbol, status: order.status, side: order.side, quantity: order.quantity, filledQuantity: order.filledQuantity });
    }
  } else {
    for (const position of positionsBefore) {
      if (position.quantity === 0) continue;
      const clientOrderId = `${ownPrefix}${symbolTag(position.symbol)}`;
      const sent = await attempt(`look up ${clientOrderId}`, () => broker.orderByClientId(clientOrderId));
      if (sent !== undefined) {
        // Sent by an earlier attempt: never a second one.
        closing.push({ clientOrderId, symbol: position.symbol, status: sent.status, side: sent.side, quantity: sent.quantity, filledQuantity: sent.filledQuantity });
        continue;
      }
      const request = { clientOrderId, symbol: position.symbol, side: position.quantity > 0 ? 'sell' : 'buy', quantity: Math.abs(position.quantity), type: 'market', timeInForce: 'day', time } as const;
      const order = await attempt(`close ${position.symbol}`, () => broker.submit(request));
      if (order === undefined) continue;
      closing.push({ clientOrderId, symbol: position.symbol, status: order.status, side: request.side, quantity: request.quantity, filledQuantity: order.filledQuantity });
      if (order.status === 'REJECTED') errors.push(`close ${position.symbol}: rejected: ${order.rejectReason ?? 'no reason given'}`);
    }
  }
  const positionsAfter = (await attempt('list positions after', () => broker.positions())) ?? [];
  return { method: liquidateAll === undefined ? 'closing-orders' : 'liquidate', positionsBefore, cancelled, closing, positionsAfter: positionsAfter.filter((p) => p.quantity !== 0), errors };
}
