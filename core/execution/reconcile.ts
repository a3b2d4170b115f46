import { shError } from '../errors.js';
import type { Order, OrderStatus, Side } from '../model/order.js';
import type { Position } from '../model/position.js';
import { isWorking } from './order-state.js';

/**
 * Reconciliation (DESIGN.md §6): the host's positions and open orders against a broker's. The broker is the truth;
 * this module only finds and values the differences, the host decides what to do (host/reconcile/reconciler.ts).
 *
 * Pure and deterministic: the same views give the same differences in the same order, whatever the order of the
 * inputs, so running it twice on unchanged state gives the same answer (idempotent by construction).
 */

/** The kinds of difference, in the order they are listed. */
export const DIFFERENCE_KINDS = [
  'position-mismatch',
  'position-unknown-to-host',
  'position-missing-at-broker',
  'order-unknown-to-host',
  'order-missing-at-broker',
  'order-status-mismatch',
] as const;

/**
 * - `position-mismatch`: both hold the symbol, in different quantities.
 * - `position-unknown-to-host`: the broker holds a position the host does not know.
 * - `position-missing-at-broker`: the host believes it holds a position the broker does not have.
 * - `order-unknown-to-host`: an open order at the broker that the host never sent (EXTERNAL, in NautilusTrader's terms):
 *   a manual order, another system's, or one of ours the host has lost.
 * - `order-missing-at-broker`: the host believes an order works; the broker has no such order at all.
 * - `order-status-mismatch`: both know the order, with another status or filled quantity (a missed fill, a missed cancel).
 */
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** A position as one side sees it. */
export interface PositionValue {
  readonly quantity: number;
  readonly averagePrice: number;
}

/** An order as one side sees it. */
export interface OrderValue {
  readonly status: OrderStatus;
  readonly side: Side;
  readonly quantity: number;
  readonly filledQuantity: number;
}

export interface Difference {
  /** Deterministic key: `<kind>:<symbol>` for a position, `<kind>:<clientOrderId>` for an order. */
  readonly id: string;
  readonly kind: DifferenceKind;
  readonly symbol: string;
  readonly clientOrderId?: string;
  /** What the host believes; null when the host knows nothing (unknown to host). */
  readonly hostValue: PositionValue | OrderValue | null;
  /** What the broker says; null when the broker has nothing (missing at broker). */
  readonly brokerValue: PositionValue | OrderValue | null;
  /**
   * Value at stake, in account currency: |broker - host| quantity for a position; for an order, the quantity that may
   * still trade on one side and not on the other. NaN when no price is known: such a difference is never within tolerance.
   */
  readonly notional: number;
}

/** One side's view. */
export interface ReconcileView {
  readonly positions: readonly Position[];
  /** Orders believed working (SUBMITTED, ACCEPTED, PARTIALLY_FILLED, UNKNOWN). */
  readonly openOrders: readonly Order[];
}

export interface HostReconcileView extends ReconcileView {
  /**
   * Orders the host knows that are no longer working. Optional: with it, a broker order the host believes final
   * (a missed fill or cancel the other way round) is an `order-status-mismatch` rather than `order-unknown-to-host`.
   */
  readonly orders?: readonly Order[];
}

export interface BrokerReconcileView extends ReconcileView {
  /**
   * The broker's answers to a lookup by client order id of the host's open orders that are not in `openOrders`
   * (BrokerAdapter.orderByClientId). Optional: with it, a missed fill is an `order-status-mismatch` (host ACCEPTED,
   * broker FILLED); without it, every such order is `order-missing-at-broker`.
   */
  readonly orders?: readonly Order[];
}

export interface ReconcileOptions {
  /** Position quantities within this of each other are equal (lot rounding). Default 0 (plus float dust). */
  readonly quantityTolerance?: number;
  /** Total notional of the differences up to which the books are within tolerance (inclusive). Default 1000. */
  readonly notionalTolerance?: number;
  /**
   * Prices for valuing differences, by symbol. When missing, the broker's then the host's average price of the
   * position, then the order's limit or average price; when none is known the difference's notional is NaN.
   */
  readonly prices?: ReadonlyMap<string, number> | ((symbol: string) => number | undefined);
}

export interface Reconciliation {
  /** Sorted by kind (in DIFFERENCE_KINDS order), symbol, then client order id. */
  readonly differences: readonly Difference[];
  /** Sum of the differences' finite notionals. */
  readonly totalNotional: number;
  /** Symbols of differences that could not be valued (no price), sorted. */
  readonly unpriced: readonly string[];
  /** totalNotional <= notionalTolerance and every difference valued. */
  readonly withinTolerance: boolean;
}

export const DEFAULT_QUANTITY_TOLERANCE = 0;
export const DEFAULT_NOTIONAL_TOLERANCE = 1000;

/** Relative size below which two quantities are the same number (0.1 + 0.2 vs 0.3). */
const QUANTITY_EPSILON = 1e-9;

/**
 * Compare the host's view with the broker's. Positions are netted by symbol; zero positions count as none.
 * Throws SH_ERR_CONFIG_INVALID for a negative or non-finite tolerance.
 * @example
 * const result = reconcile(
 *   { positions: [{ symbol: 'GLD', quantity: 100, averagePrice: 180 }], openOrders: [] },
 *   { positions: [{ symbol: 'GLD', quantity: 150, averagePrice: 180 }], openOrders: [] },
 *   { prices: new Map([['GLD', 181]]) },
 * );
 * result.differences[0]; // { kind: 'position-mismatch', symbol: 'GLD', notional: 9050, ... }
 * result.withinTolerance; // false: 9050 > 1000
 */
export function reconcile(host: HostReconcileView, broker: BrokerReconcileView, options: ReconcileOptions = {}): Reconciliation {
  const quantityTolerance = tolerance('quantityTolerance', options.quantityTolerance ?? DEFAULT_QUANTITY_TOLERANCE);
  const notionalTolerance = tolerance('notionalTolerance', options.notionalTolerance ?? DEFAULT_NOTIONAL_TOLERANCE);
  const hostPositions = netPositions(host.positions);
  const brokerPositions = netPositions(broker.positions);
  // Sorted, so the fallback price of an order does not depend on the order of the inputs.
  const allOrders = [...host.openOrders, ...(host.orders ?? []), ...broker.openOrders, ...(broker.orders ?? [])].sort(
    (a, b) => compareText(a.clientOrderId, b.clientOrderId) || a.updatedAt - b.updatedAt || a.filledQuantity - b.filledQuantity,
  );
  const price = priceOf(options.prices, hostPositions, brokerPositions, allOrders);
  const same = (a: number, b: number): boolean => Math.abs(a - b) <= quantityTolerance + QUANTITY_EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
  const differences: Difference[] = [];

  for (const symbol of new Set([...hostPositions.keys(), ...brokerPositions.keys()])) {
    const h = hostPositions.get(symbol);
    const b = brokerPositions.get(symbol);
    const hostQuantity = h?.quantity ?? 0;
    const brokerQuantity = b?.quantity ?? 0;
    if (same(hostQuantity, brokerQuantity)) continue;
    const kind: DifferenceKind = h === undefined ? 'position-unknown-to-host' : b === undefined ? 'position-missing-at-broker' : 'position-mismatch';
    differences.push({
      id: `${kind}:${symbol}`,
      kind,
      symbol,
      hostValue: h === undefined ? null : { quantity: h.quantity, averagePrice: h.averagePrice },
      brokerValue: b === undefined ? null : { quantity: b.quantity, averagePrice: b.averagePrice },
      notional: Math.abs(brokerQuantity - hostQuantity) * price(symbol),
    });
  }

  const hostOpen = byClientOrderId(host.openOrders);
  const hostFinal = byClientOrderId(host.orders ?? []);
  const brokerOpen = byClientOrderId(broker.openOrders);
  const brokerLookedUp = byClientOrderId(broker.orders ?? []);
  const orderDifference = (kind: DifferenceKind, order: Order, hostOrder: Order | undefined, brokerOrder: Order | undefined): Difference => {
    const stake = Math.abs(remaining(brokerOrder) - remaining(hostOrder));
    return {
      id: `${kind}:${order.clientOrderId}`,
      kind,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      hostValue: hostOrder === undefined ? null : orderValue(hostOrder),
      brokerValue: brokerOrder === undefined ? null : orderValue(brokerOrder),
      notional: stake === 0 ? 0 : stake * price(order.symbol),
    };
  };
  for (const [id, hostOrder] of hostOpen) {
    const brokerOrder = brokerOpen.get(id) ?? brokerLookedUp.get(id);
    if (brokerOrder === undefined) differences.push(orderDifference('order-missing-at-broker', hostOrder, hostOrder, undefined));
    else if (brokerOrder.status !== hostOrder.status || !same(brokerOrder.filledQuantity, hostOrder.filledQuantity)) {
      differences.push(orderDifference('order-status-mismatch', hostOrder, hostOrder, brokerOrder));
    }
  }
  for (const [id, brokerOrder] of brokerOpen) {
    if (hostOpen.has(id)) continue;
    const known = hostFinal.get(id);
    differences.push(orderDifference(known === undefined ? 'order-unknown-to-host' : 'order-status-mismatch', brokerOrder, known, brokerOrder));
  }

  differences.sort(compareDifferences);
  let totalNotional = 0;
  const unpriced = new Set<string>();
  for (const d of differences) {
    if (Number.isFinite(d.notional)) totalNotional += d.notional;
    else unpriced.add(d.symbol);
  }
  return { differences, totalNotional, unpriced: [...unpriced].sort(), withinTolerance: unpriced.size === 0 && totalNotional <= notionalTolerance };
}

function compareDifferences(a: Difference, b: Difference): number {
  return DIFFERENCE_KINDS.indexOf(a.kind) - DIFFERENCE_KINDS.indexOf(b.kind) || compareText(a.symbol, b.symbol) || compareText(a.clientOrderId ?? '', b.clientOrderId ?? '');
}

/** Code-unit order, not locale order: the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function netPositions(positions: readonly Position[]): Map<string, PositionValue> {
  const sums = new Map<string, { quantity: number; cost: number }>();
  for (const p of positions) {
    const sum = sums.get(p.symbol) ?? { quantity: 0, cost: 0 };
    sum.quantity += p.quantity;
    sum.cost += p.quantity * p.averagePrice;
    sums.set(p.symbol, sum);
  }
  const net = new Map<string, PositionValue>();
  for (const [symbol, { quantity, cost }] of [...sums].sort(([a], [b]) => compareText(a, b))) {
    if (quantity !== 0) net.set(symbol, { quantity, averagePrice: cost / quantity });
  }
  return net;
}

/** Orders by client order id; a repeated id keeps its latest version (highest updatedAt, then filled quantity). */
function byClientOrderId(orders: readonly Order[]): Map<string, Order> {
  const map = new Map<string, Order>();
  for (const order of orders) {
    const seen = map.get(order.clientOrderId);
    if (seen === undefined || order.updatedAt > seen.updatedAt || (order.updatedAt === seen.updatedAt && order.filledQuantity > seen.filledQuantity)) map.set(order.clientOrderId, order);
  }
  return new Map([...map].sort(([a], [b]) => compareText(a, b)));
}

/** Quantity that may still trade: what is left of a working order, 0 for a final one or none. */
function remaining(order: Order | undefined): number {
  return order !== undefined && isWorking(order.status) ? Math.max(0, order.quantity - order.filledQuantity) : 0;
}

function orderValue(order: Order): OrderValue {
  return { status: order.status, side: order.side, quantity: order.quantity, filledQuantity: order.filledQuantity };
}

function priceOf(
  prices: ReconcileOptions['prices'],
  host: ReadonlyMap<string, PositionValue>,
  broker: ReadonlyMap<string, PositionValue>,
  orders: readonly Order[],
): (symbol: string) => number {
  const given = typeof prices === 'function' ? prices : (symbol: string): number | undefined => prices?.get(symbol);
  const usable = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value) && value > 0;
  return (symbol) => {
    const candidates = [given(symbol), broker.get(symbol)?.averagePrice, host.get(symbol)?.averagePrice];
    for (const order of orders) if (order.symbol === symbol) candidates.push(order.limitPrice, order.averagePrice);
    return candidates.find(usable) ?? Number.NaN;
  };
}

function tolerance(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw shError('SH_ERR_CONFIG_INVALID', `reconciliation option ${name} is invalid`, { where: `reconcile options.${name}`, received: String(value), expected: 'a finite number >= 0' });
  }
  return value;
}
