import { flattenQuantity, isPositionDifference, type Difference, type Order, type Reconciliation } from '../../core/index.js';
import type { DecidedDifference } from './reconciliation-log.js';
import type { ReconcilePolicy } from './reconcile-types.js';

/** A decided difference, with the signed quantity to trade for a flatten. */
export interface Decided extends DecidedDifference {
  readonly quantity?: number;
}

/**
 * The action a policy takes for one difference, keyed by a deterministic id, and whether an earlier pass of the same
 * episode (`acted`: the action ids the latest pass had taken) already took it. `missedFills` is the signed quantity of
 * the symbol that the host's own orders filled unseen: adopted, never flattened.
 * @example decide(unknownGld100, 'flatten', new Set(), 0) // { action: 'flatten', actionId: 'flatten:GLD:100:-100', quantity: -100, ... }
 */
export function decide(difference: Difference, policy: ReconcilePolicy, acted: ReadonlySet<string>, missedFills: number): Decided {
  let action: Decided['action'] = 'adopt';
  let actionId = `adopt:${difference.id}`;
  let detail: string | undefined;
  let quantity: number | undefined;
  if (policy === 'halt') {
    action = 'halt';
    actionId = `halt:${difference.id}`;
  } else if (policy === 'flatten' && isPositionDifference(difference) && flattenQuantity(difference, missedFills) !== 0) {
    quantity = flattenQuantity(difference, missedFills);
    action = 'flatten';
    // The broker quantity is part of the key: a position that changed since is a new difference to close.
    actionId = `flatten:${difference.symbol}:${brokerQuantity(difference)}:${quantity}`;
    detail = `${quantity > 0 ? 'buy' : 'sell'} ${Math.abs(quantity)} ${difference.symbol}`;
  } else if (policy === 'flatten' && difference.kind === 'order-unknown-to-host') {
    action = 'cancel';
    actionId = `cancel:${difference.clientOrderId}`;
  }
  return {
    difference,
    action,
    actionId,
    actionState: acted.has(actionId) ? 'taken-before' : 'taken',
    ...(detail === undefined ? {} : { detail }),
    ...(quantity === undefined ? {} : { quantity }),
  };
}

/** The broker's quantity in a position difference (0 where it holds nothing). */
export function brokerQuantity(difference: Difference): number {
  return (difference.brokerValue as { quantity?: number } | null)?.quantity ?? 0;
}

/**
 * The broker's version of each order that differs, for the host to take over; an order the broker has never seen comes
 * back REJECTED, as the order state machine resolves a lookup that finds nothing.
 */
export function brokerOrders(reconciliation: Reconciliation, brokerSide: readonly Order[], hostOpen: readonly Order[], time: number): Order[] {
  const byId = new Map(brokerSide.map((o) => [o.clientOrderId, o]));
  const hostById = new Map(hostOpen.map((o) => [o.clientOrderId, o]));
  const out: Order[] = [];
  for (const d of reconciliation.differences) {
    if (d.clientOrderId === undefined) continue;
    const order = byId.get(d.clientOrderId);
    if (order !== undefined) out.push(order);
    else {
      const host = hostById.get(d.clientOrderId);
      if (host !== undefined) out.push({ ...host, status: 'REJECTED', updatedAt: Math.max(host.updatedAt, time), rejectReason: 'the broker has no order with this client order id (reconciliation)' });
    }
  }
  return out;
}
