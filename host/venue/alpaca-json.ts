import type { EpochMs } from '../../core/index.js';
import { assetId } from './venue-ids.js';
import type { VenueAccount, VenuePosition } from './paper-venue.js';
import type { VenueFill, VenueOrder, VenueRefusal, VenueSettings } from './venue-types.js';

/**
 * Alpaca v2 trading JSON, as Alpaca writes it: numbers as decimal strings, times as ISO 8601, absent values as null.
 * Numbers are written with JavaScript's shortest round-trip form, so `Number(json.filled_avg_price)` is exactly the
 * price the simulator computed (a client can compare it with a PaperBroker bit for bit).
 */

/** A number as Alpaca writes it: a string. -0 is written "0". */
export function decimal(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

export function isoTime(time: EpochMs): string {
  return new Date(time).toISOString();
}

const optionalTime = (time: EpochMs | undefined): string | null => (time === undefined ? null : isoTime(time));

/** GET /v2/orders/{id} and friends. */
export function orderJson(order: VenueOrder): Record<string, unknown> {
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    created_at: isoTime(order.submittedAt),
    updated_at: isoTime(order.updatedAt),
    submitted_at: isoTime(order.submittedAt),
    filled_at: optionalTime(order.filledAt),
    expired_at: null,
    canceled_at: optionalTime(order.canceledAt),
    failed_at: optionalTime(order.failedAt),
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: assetId(order.symbol),
    symbol: order.symbol,
    asset_class: 'us_equity',
    notional: null,
    qty: decimal(order.qty),
    filled_qty: decimal(order.filledQty),
    filled_avg_price: order.filledQty > 0 ? decimal(order.filledAvgPrice) : null,
    order_class: '',
    order_type: order.type,
    type: order.type,
    side: order.side,
    position_intent: null,
    time_in_force: order.timeInForce,
    limit_price: order.limitPrice === undefined ? null : decimal(order.limitPrice),
    stop_price: null,
    status: order.status,
    extended_hours: false,
    legs: null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
    // Not Alpaca: why the simulator rejected it (Alpaca reports rejections on the trade_updates stream).
    ...(order.rejectReason === undefined ? {} : { reject_reason: order.rejectReason }),
  };
}

/**
 * A fill of the /sim extension, shaped like an Alpaca trade_updates `fill`/`partial_fill` frame: the execution and
 * the order as it was right after it.
 */
export function fillJson(fill: VenueFill, order: VenueOrder): Record<string, unknown> {
  const filled = fill.orderStatus === 'filled';
  const snapshot: VenueOrder = {
    ...order,
    status: fill.orderStatus,
    filledQty: fill.cumQty,
    filledAvgPrice: fill.cumAvgPrice,
    updatedAt: fill.time,
  };
  const { filledAt: _filled, canceledAt: _canceled, ...rest } = snapshot;
  return {
    seq: fill.seq,
    id: fill.id,
    event: filled ? 'fill' : 'partial_fill',
    order_id: fill.orderId,
    client_order_id: fill.clientOrderId,
    symbol: fill.symbol,
    side: fill.side,
    qty: decimal(fill.qty),
    price: decimal(fill.price),
    commission: decimal(fill.commission),
    transaction_time: isoTime(fill.time),
    cum_qty: decimal(fill.cumQty),
    leaves_qty: decimal(order.qty - fill.cumQty),
    order_status: fill.orderStatus,
    order: orderJson(filled ? { ...rest, filledAt: fill.time } : rest),
  };
}

export function positionJson(position: VenuePosition): Record<string, unknown> {
  const { symbol, qty, avgEntryPrice, currentPrice, previousClose } = position;
  const costBasis = qty * avgEntryPrice;
  const marketValue = qty * currentPrice;
  const unrealized = marketValue - costBasis;
  const intraday = qty * (currentPrice - previousClose);
  return {
    asset_id: assetId(symbol),
    symbol,
    exchange: 'PAPER',
    asset_class: 'us_equity',
    asset_marginable: false,
    avg_entry_price: decimal(avgEntryPrice),
    qty: decimal(qty),
    qty_available: decimal(qty),
    side: qty >= 0 ? 'long' : 'short',
    market_value: decimal(marketValue),
    cost_basis: decimal(costBasis),
    unrealized_pl: decimal(unrealized),
    unrealized_plpc: decimal(costBasis === 0 ? 0 : unrealized / Math.abs(costBasis)),
    unrealized_intraday_pl: decimal(intraday),
    unrealized_intraday_plpc: decimal(previousClose === 0 ? 0 : (currentPrice - previousClose) / previousClose * Math.sign(qty)),
    current_price: decimal(currentPrice),
    lastday_price: decimal(previousClose),
    change_today: decimal(previousClose === 0 ? 0 : (currentPrice - previousClose) / previousClose),
  };
}

/** GET /v2/account. The venue models no margin: multiplier 1, buying power = max(0, equity), not enforced. */
export function accountJson(settings: VenueSettings, account: VenueAccount): Record<string, unknown> {
  const buyingPower = decimal(Math.max(0, account.equity));
  return {
    id: settings.accountId,
    account_number: settings.accountNumber,
    status: 'ACTIVE',
    crypto_status: 'INACTIVE',
    currency: settings.currency,
    cash: decimal(account.cash),
    equity: decimal(account.equity),
    last_equity: decimal(account.equity),
    portfolio_value: decimal(account.equity),
    buying_power: buyingPower,
    regt_buying_power: buyingPower,
    daytrading_buying_power: '0',
    non_marginable_buying_power: buyingPower,
    long_market_value: decimal(account.longMarketValue),
    short_market_value: decimal(account.shortMarketValue),
    initial_margin: '0',
    maintenance_margin: '0',
    last_maintenance_margin: '0',
    sma: '0',
    multiplier: '1',
    accrued_fees: '0',
    pending_transfer_in: '0',
    daytrade_count: 0,
    pattern_day_trader: false,
    trading_blocked: false,
    transfers_blocked: false,
    account_blocked: false,
    trade_suspended_by_user: false,
    shorting_enabled: true,
    created_at: isoTime(settings.createdAt),
  };
}

/** Alpaca's error body. */
export function errorJson(refusal: VenueRefusal): Record<string, unknown> {
  return { code: refusal.code, message: refusal.message };
}
