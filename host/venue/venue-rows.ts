import type { VenueFill, VenueOrder } from './venue-types.js';

/** Rows of venue.sqlite's orders and fills tables, and their mapping to the venue's records (one column per field). */

export interface OrderRow {
  id: string;
  seq: number;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type: VenueOrder['type'];
  time_in_force: VenueOrder['timeInForce'];
  limit_price: number | null;
  source: VenueOrder['source'];
  submitted_at: number;
  received_at: number;
  status: VenueOrder['status'];
  filled_qty: number;
  filled_avg_price: number;
  updated_at: number;
  filled_at: number | null;
  canceled_at: number | null;
  failed_at: number | null;
  reject_reason: string | null;
}

export interface FillRow {
  seq: number;
  id: string;
  order_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  commission: number;
  time: number;
  cum_qty: number;
  cum_avg_price: number;
  order_status: VenueFill['orderStatus'];
}

export function orderToRow(order: VenueOrder): OrderRow {
  return {
    id: order.id,
    seq: order.seq,
    client_order_id: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    type: order.type,
    time_in_force: order.timeInForce,
    limit_price: order.limitPrice ?? null,
    source: order.source,
    submitted_at: order.submittedAt,
    received_at: order.receivedAt,
    status: order.status,
    filled_qty: order.filledQty,
    filled_avg_price: order.filledAvgPrice,
    updated_at: order.updatedAt,
    filled_at: order.filledAt ?? null,
    canceled_at: order.canceledAt ?? null,
    failed_at: order.failedAt ?? null,
    reject_reason: order.rejectReason ?? null,
  };
}

export function orderFromRow(row: OrderRow): VenueOrder {
  return {
    id: row.id,
    seq: row.seq,
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    qty: row.qty,
    type: row.type,
    timeInForce: row.time_in_force,
    ...(row.limit_price === null ? {} : { limitPrice: row.limit_price }),
    source: row.source,
    submittedAt: row.submitted_at,
    receivedAt: row.received_at,
    status: row.status,
    filledQty: row.filled_qty,
    filledAvgPrice: row.filled_avg_price,
    updatedAt: row.updated_at,
    ...(row.filled_at === null ? {} : { filledAt: row.filled_at }),
    ...(row.canceled_at === null ? {} : { canceledAt: row.canceled_at }),
    ...(row.failed_at === null ? {} : { failedAt: row.failed_at }),
    ...(row.reject_reason === null ? {} : { rejectReason: row.reject_reason }),
  };
}

export function fillToRow(fill: VenueFill): FillRow {
  return {
    seq: fill.seq,
    id: fill.id,
    order_id: fill.orderId,
    client_order_id: fill.clientOrderId,
    symbol: fill.symbol,
    side: fill.side,
    qty: fill.qty,
    price: fill.price,
    commission: fill.commission,
    time: fill.time,
    cum_qty: fill.cumQty,
    cum_avg_price: fill.cumAvgPrice,
    order_status: fill.orderStatus,
  };
}

export function fillFromRow(row: FillRow): VenueFill {
  return {
    seq: row.seq,
    id: row.id,
    orderId: row.order_id,
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    qty: row.qty,
    price: row.price,
    commission: row.commission,
    time: row.time,
    cumQty: row.cum_qty,
    cumAvgPrice: row.cum_avg_price,
    orderStatus: row.order_status,
  };
}
