import type { EpochMs } from './time.js';

export type Side = 'buy' | 'sell';

/** How an order executes. `next-open` is the backtest default: a market order filled at the next bar's open. */
export type OrderType = 'market' | 'limit' | 'market-on-open' | 'market-on-close';

export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls';

/**
 * What the host wants to trade, before risk. `quantity` is always positive; `side` gives the direction.
 * Attribution lists the plugins whose targets produced the intent.
 */
export interface OrderIntent {
  readonly clientOrderId: string;
  readonly runId: string;
  readonly cycle: number;
  readonly time: EpochMs;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  readonly limitPrice?: number;
  readonly timeInForce: TimeInForce;
  /** Position before the order and the target it moves toward: guards use them to tell risk-reducing orders. */
  readonly positionBefore: number;
  readonly targetPosition: number;
  /** Reference price used for sizing (the last close available). */
  readonly referencePrice: number;
  readonly attribution: readonly string[];
  readonly reason: string;
}

export type OrderStatus =
  | 'INTENT'
  | 'SUBMITTED'
  | 'ACCEPTED'
  | 'PARTIALLY_FILLED'
  | 'FILLED'
  | 'CANCELLED'
  | 'REJECTED'
  | 'UNKNOWN';

/** An order as a broker knows it, in core terms. */
export interface Order {
  readonly clientOrderId: string;
  readonly brokerOrderId?: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  readonly limitPrice?: number;
  readonly timeInForce: TimeInForce;
  readonly status: OrderStatus;
  readonly filledQuantity: number;
  readonly averagePrice: number;
  readonly submittedAt: EpochMs;
  readonly updatedAt: EpochMs;
  /** Broker the router meant it for, and broker that executed it (they differ only after a fallback). */
  readonly routedTo?: string;
  readonly executedBy?: string;
  readonly rejectReason?: string;
}

/** One execution. */
export interface Fill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly commission: number;
  readonly time: EpochMs;
  readonly broker: string;
}

/** Signed quantity of a side: buy +1, sell -1. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}
