import type { Fill, Order, OrderType, Side, TimeInForce } from '../model/order.js';
import type { AccountSnapshot, Position } from '../model/position.js';
import type { EpochMs } from '../model/time.js';

/** What a broker can do; the conformance suite tests exactly these. */
export interface BrokerCapabilities {
  readonly orderTypes: readonly OrderType[];
  readonly shortSelling: boolean;
  readonly fractionalQuantities: boolean;
  /** True for simulators that fill against market data the host pushes (see SimulatedBroker). */
  readonly simulated: boolean;
}

/** An order as the host asks a broker to place it. */
export interface SubmitRequest {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  readonly limitPrice?: number;
  readonly timeInForce: TimeInForce;
  readonly time: EpochMs;
}

/** Something that happened to an order at the broker. */
export type ExecutionEvent =
  | { readonly type: 'accepted'; readonly order: Order }
  | { readonly type: 'fill'; readonly order: Order; readonly fill: Fill }
  | { readonly type: 'cancelled'; readonly order: Order }
  | { readonly type: 'rejected'; readonly order: Order; readonly reason: string };

export type ExecutionListener = (event: ExecutionEvent) => void;

/**
 * The port every broker adapter implements. Venue types never cross it: adapters convert at their edge.
 * `submit` resolves with the order as the broker acknowledged it (ACCEPTED or REJECTED); fills arrive as events.
 * A client order id is unique forever: a broker must reject its reuse.
 */
export interface BrokerAdapter {
  readonly id: string;
  readonly capabilities: BrokerCapabilities;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  submit(request: SubmitRequest): Promise<Order>;
  cancel(clientOrderId: string): Promise<Order>;
  openOrders(): Promise<Order[]>;
  positions(): Promise<Position[]>;
  account(): Promise<AccountSnapshot>;
  orderByClientId(clientOrderId: string): Promise<Order | undefined>;
  /** Subscribe to execution events; returns an unsubscribe function. */
  onExecution(listener: ExecutionListener): () => void;
}

/** One bar of one instrument, as a simulator consumes it. */
export interface MarketBar {
  readonly symbol: string;
  readonly time: EpochMs;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * A simulated broker fills against market data the host gives it, bar by bar. Orders submitted before
 * `advance(bars)` fill at those bars' open (market) or close (market-on-close), per the cost model.
 */
export interface SimulatedBroker extends BrokerAdapter {
  /** Fill working orders against these bars; execution events are emitted before the returned promise settles. */
  advance(bars: readonly MarketBar[]): void | Promise<void>;
  /** Last price known to the simulator, for marking positions. */
  lastPrice(symbol: string): number | undefined;
}

/** True when a broker is a simulator the host must feed with bars. */
export function isSimulatedBroker(broker: BrokerAdapter): broker is SimulatedBroker {
  return broker.capabilities.simulated && typeof (broker as Partial<SimulatedBroker>).advance === 'function';
}
