import { ShError } from '../../../core/index.js';
import type { AccountSnapshot, Fill, Order, OrderStatus, OrderType, Position, Side, SubmitRequest, TimeInForce } from '../../../core/index.js';

/**
 * The edge between Alpaca's JSON (numbers as strings, ISO times, Alpaca statuses) and core's Order, Fill, Position and
 * AccountSnapshot. Venue types never cross it. A field that cannot be read is a broken answer: it throws
 * SH_ERR_BROKER_UNREACHABLE (no usable answer), naming the field and the value.
 */

/** The Alpaca order fields this adapter reads. */
export interface AlpacaOrder {
  readonly id: string;
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: string;
  readonly qty: string | null;
  readonly type: string;
  readonly time_in_force: string;
  readonly limit_price: string | null;
  readonly status: string;
  readonly filled_qty: string;
  readonly filled_avg_price: string | null;
  readonly created_at: string;
  readonly submitted_at: string | null;
  readonly updated_at: string | null;
  readonly reject_reason?: string;
}

/** A fill of the venue's /sim extension (shaped like a trade_updates fill frame). */
export interface AlpacaFill {
  readonly seq: number;
  readonly id: string;
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: string;
  readonly qty: string;
  readonly price: string;
  readonly commission: string;
  readonly transaction_time: string;
  readonly order: AlpacaOrder;
}

export interface AlpacaPosition {
  readonly symbol: string;
  readonly qty: string;
  readonly side: string;
  readonly avg_entry_price: string;
}

export interface AlpacaAccount {
  readonly cash: string;
  readonly equity: string;
  readonly currency: string;
}

/** The body of POST /v2/orders. */
export interface AlpacaOrderRequest {
  readonly symbol: string;
  readonly qty: string;
  readonly side: Side;
  readonly type: 'market' | 'limit';
  readonly time_in_force: TimeInForce;
  readonly limit_price?: string;
  readonly client_order_id: string;
}

/**
 * Alpaca statuses -> core statuses. Working statuses give ACCEPTED, or PARTIALLY_FILLED once something filled
 * (`working`); the final ones map directly. An expired, replaced or done-and-cancelled order is CANCELLED for the host:
 * it will not fill further.
 */
const STATUS: Readonly<Record<string, OrderStatus | 'working'>> = {
  new: 'working',
  accepted: 'working',
  pending_new: 'working',
  accepted_for_bidding: 'working',
  held: 'working',
  calculated: 'working',
  done_for_day: 'working',
  pending_cancel: 'working',
  pending_replace: 'working',
  stopped: 'working',
  suspended: 'working',
  partially_filled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  canceled: 'CANCELLED',
  expired: 'CANCELLED',
  replaced: 'CANCELLED',
  rejected: 'REJECTED',
};

/**
 * The core status of an Alpaca status; UNKNOWN for a status this table does not know (resolved later by lookup).
 * @example statusFromAlpaca('new', 0) // 'ACCEPTED'; statusFromAlpaca('expired', 10) // 'CANCELLED'
 */
export function statusFromAlpaca(status: string, filledQuantity: number): OrderStatus {
  const mapped = STATUS[status];
  if (mapped === undefined) return 'UNKNOWN';
  if (mapped === 'working') return filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED';
  return mapped;
}

/**
 * Core order type -> Alpaca type and time in force. The core type decides how it executes: market-on-open is
 * market + opg, market-on-close market + cls; a plain market order keeps day or gtc (opg/cls would change where it
 * fills, so they become day).
 */
export function alpacaOrderRequest(request: SubmitRequest): AlpacaOrderRequest {
  const base = { symbol: request.symbol, qty: String(request.quantity), side: request.side, client_order_id: request.clientOrderId };
  switch (request.type) {
    case 'market-on-open':
      return { ...base, type: 'market', time_in_force: 'opg' };
    case 'market-on-close':
      return { ...base, type: 'market', time_in_force: 'cls' };
    case 'limit':
      return { ...base, type: 'limit', time_in_force: request.timeInForce, ...(request.limitPrice === undefined ? {} : { limit_price: String(request.limitPrice) }) };
    default:
      return { ...base, type: 'market', time_in_force: request.timeInForce === 'gtc' ? 'gtc' : 'day' };
  }
}

/** Alpaca type + time in force -> core order type (the inverse of alpacaOrderRequest). */
export function orderTypeFromAlpaca(type: string, timeInForce: string): OrderType {
  if (type === 'limit') return 'limit';
  if (timeInForce === 'opg') return 'market-on-open';
  if (timeInForce === 'cls') return 'market-on-close';
  return 'market';
}

const TIMES_IN_FORCE: readonly string[] = ['day', 'gtc', 'opg', 'cls'];

export function orderFromAlpaca(json: AlpacaOrder, brokerId: string): Order {
  const filledQuantity = decimal(json.filled_qty, 'filled_qty');
  const submittedAt = time(json.submitted_at ?? json.created_at, 'submitted_at');
  return {
    clientOrderId: text(json.client_order_id, 'client_order_id'),
    brokerOrderId: text(json.id, 'id'),
    symbol: text(json.symbol, 'symbol'),
    side: side(json.side),
    quantity: decimal(json.qty, 'qty'),
    type: orderTypeFromAlpaca(json.type, json.time_in_force),
    ...(json.limit_price === null || json.limit_price === undefined ? {} : { limitPrice: decimal(json.limit_price, 'limit_price') }),
    timeInForce: (TIMES_IN_FORCE.includes(json.time_in_force) ? json.time_in_force : 'day') as TimeInForce,
    status: statusFromAlpaca(json.status, filledQuantity),
    filledQuantity,
    averagePrice: json.filled_avg_price === null || json.filled_avg_price === undefined ? 0 : decimal(json.filled_avg_price, 'filled_avg_price'),
    submittedAt,
    updatedAt: json.updated_at === null || json.updated_at === undefined ? submittedAt : time(json.updated_at, 'updated_at'),
    executedBy: brokerId,
    ...(json.reject_reason === undefined ? {} : { rejectReason: json.reject_reason }),
  };
}

export function fillFromAlpaca(json: AlpacaFill, brokerId: string): Fill {
  return {
    fillId: text(json.id, 'fill id'),
    clientOrderId: text(json.client_order_id, 'client_order_id'),
    symbol: text(json.symbol, 'symbol'),
    side: side(json.side),
    quantity: decimal(json.qty, 'qty'),
    price: decimal(json.price, 'price'),
    commission: decimal(json.commission, 'commission'),
    time: time(json.transaction_time, 'transaction_time'),
    broker: brokerId,
  };
}

/** Signed quantity: Alpaca writes shorts with a negative qty and side short; either is enough. */
export function positionFromAlpaca(json: AlpacaPosition): Position {
  const quantity = Math.abs(decimal(json.qty, 'qty'));
  const short = json.side === 'short' || decimal(json.qty, 'qty') < 0;
  return { symbol: text(json.symbol, 'symbol'), quantity: short ? -quantity : quantity, averagePrice: decimal(json.avg_entry_price, 'avg_entry_price') };
}

export function accountFromAlpaca(json: AlpacaAccount): AccountSnapshot {
  return { cash: decimal(json.cash, 'cash'), equity: decimal(json.equity, 'equity'), currency: text(json.currency, 'currency') };
}

function decimal(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw malformed(field, value, 'a decimal number (as a string)');
  return n;
}

function time(value: unknown, field: string): number {
  const n = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(n)) throw malformed(field, value, 'an ISO 8601 timestamp');
  return n;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw malformed(field, value, 'a non-empty string');
  return value;
}

function side(value: unknown): Side {
  if (value !== 'buy' && value !== 'sell') throw malformed('side', value, 'buy or sell');
  return value;
}

function malformed(field: string, received: unknown, expected: string): ShError {
  return new ShError('SH_ERR_BROKER_UNREACHABLE', `the venue answered with a malformed ${field}`, { where: `venue answer field ${field}`, received, expected });
}
