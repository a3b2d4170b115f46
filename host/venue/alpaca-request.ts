import type { MarketBar, Side } from '../../core/index.js';
import type { NewOrder, Outcome } from './paper-venue.js';
import { isWorkingOrder } from './paper-venue.js';
import { ALPACA_CODES, type AlpacaOrderType, type AlpacaTimeInForce, type VenueOrder } from './venue-types.js';

/**
 * Reading Alpaca requests: order bodies, list queries and the /sim bars. Everything a client sends is checked here,
 * and every problem found is named in one 422 message (`field was <value>, expected ...`), so the simulator behind
 * never sees a request it would reject for its content.
 */

const TYPES: readonly AlpacaOrderType[] = ['market', 'limit'];
const TIMES_IN_FORCE: readonly AlpacaTimeInForce[] = ['day', 'gtc', 'opg', 'cls'];
const SIDES: readonly Side[] = ['buy', 'sell'];
const CLIENT_ORDER_ID_MAX = 128;

type Refused = { readonly ok: false; readonly refusal: { status: number; code: number; message: string } };

const invalid = (problems: readonly string[]): Refused => ({ ok: false, refusal: { status: 422, code: ALPACA_CODES.validation, message: problems.join('; ') } });
const shown = (value: unknown): string => (value === undefined ? 'missing' : JSON.stringify(value));

/** A decimal the way Alpaca clients send it: a JSON number or a numeric string. */
function numberField(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return undefined;
}

/**
 * POST /v2/orders. `simTime` is the X-Sim-Time header (epoch ms), the /sim extension that dates the order in simulated
 * time; without it the order is dated at the venue clock.
 */
export function parseOrderRequest(body: unknown, simTime: string | undefined): Outcome<NewOrder> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid([`the body was ${shown(body)}, expected a JSON object`]);
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const { symbol, side, type, time_in_force: timeInForce, client_order_id: clientOrderId } = b;
  if (typeof symbol !== 'string' || symbol.trim() === '') problems.push(`symbol was ${shown(symbol)}, expected a symbol such as "GLD"`);
  if (b.notional !== undefined && b.notional !== null) problems.push('notional orders are not supported by this venue: give qty');
  const qty = numberField(b.qty);
  if (qty === undefined || !(Number.isFinite(qty) && qty > 0)) problems.push(`qty was ${shown(b.qty)}, expected a positive number of shares`);
  else if (!Number.isInteger(qty)) problems.push(`qty was ${shown(b.qty)}: fractional orders are not supported by this venue, expected whole shares`);
  if (!SIDES.includes(side as Side)) problems.push(`side was ${shown(side)}, expected buy or sell`);
  if (!TYPES.includes(type as AlpacaOrderType)) problems.push(`type was ${shown(type)}, expected market or limit (stop, stop_limit and trailing_stop are not supported by this venue)`);
  if (!TIMES_IN_FORCE.includes(timeInForce as AlpacaTimeInForce)) problems.push(`time_in_force was ${shown(timeInForce)}, expected day, gtc, opg or cls`);
  const limitPrice = b.limit_price === null ? undefined : numberField(b.limit_price);
  if (type === 'limit' && (limitPrice === undefined || !(Number.isFinite(limitPrice) && limitPrice > 0))) problems.push(`limit_price was ${shown(b.limit_price)}, expected a positive price for a limit order`);
  if (type === 'market' && limitPrice !== undefined) problems.push(`limit_price was ${shown(b.limit_price)}, expected none for a market order`);
  if (b.stop_price !== undefined && b.stop_price !== null) problems.push('stop_price is not supported by this venue');
  if (b.order_class !== undefined && b.order_class !== null && b.order_class !== '' && b.order_class !== 'simple') problems.push(`order_class was ${shown(b.order_class)}, expected simple (bracket, oco and oto are not supported by this venue)`);
  if (b.extended_hours === true) problems.push('extended_hours orders are not supported by this venue');
  if (clientOrderId !== undefined && clientOrderId !== null) {
    if (typeof clientOrderId !== 'string' || clientOrderId === '') problems.push(`client_order_id was ${shown(clientOrderId)}, expected a non-empty string`);
    else if (clientOrderId.length > CLIENT_ORDER_ID_MAX) problems.push(`client_order_id must be no more than ${CLIENT_ORDER_ID_MAX} characters (was ${clientOrderId.length})`);
  }
  let time: number | undefined;
  if (simTime !== undefined) {
    time = Number(simTime);
    if (simTime.trim() === '' || !Number.isSafeInteger(time)) problems.push(`the X-Sim-Time header was ${shown(simTime)}, expected epoch milliseconds (an integer)`);
  }
  if (problems.length > 0) return invalid(problems);
  return {
    ok: true,
    value: {
      ...(typeof clientOrderId === 'string' ? { clientOrderId } : {}),
      symbol: symbol as string,
      side: side as Side,
      qty: qty as number,
      type: type as AlpacaOrderType,
      timeInForce: timeInForce as AlpacaTimeInForce,
      ...(type === 'limit' ? { limitPrice: limitPrice as number } : {}),
      ...(time === undefined ? {} : { simTime: time }),
    },
  };
}

/** GET /v2/orders query. */
export interface OrderQuery {
  readonly status: 'open' | 'closed' | 'all';
  /** Default: no limit (Alpaca's default is 50): status=all lists every order ever accepted. */
  readonly limit: number;
  readonly direction: 'asc' | 'desc';
  readonly after?: number;
  readonly until?: number;
  readonly symbols?: ReadonlySet<string>;
}

export function parseOrderQuery(params: URLSearchParams): Outcome<OrderQuery> {
  const problems: string[] = [];
  const status = params.get('status') ?? 'open';
  if (status !== 'open' && status !== 'closed' && status !== 'all') problems.push(`status was ${shown(status)}, expected open, closed or all`);
  const direction = params.get('direction') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') problems.push(`direction was ${shown(direction)}, expected asc or desc`);
  const limitText = params.get('limit');
  const limit = limitText === null ? Infinity : Number(limitText);
  if (limitText !== null && !(Number.isSafeInteger(limit) && limit > 0)) problems.push(`limit was ${shown(limitText)}, expected a positive integer`);
  const time = (name: string): number | undefined => {
    const text = params.get(name);
    if (text === null) return undefined;
    const value = Date.parse(text);
    if (Number.isNaN(value)) problems.push(`${name} was ${shown(text)}, expected an ISO 8601 timestamp`);
    return value;
  };
  const after = time('after');
  const until = time('until');
  const symbolsText = params.get('symbols');
  const symbols = symbolsText === null ? undefined : new Set(symbolsText.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  if (problems.length > 0) return invalid(problems);
  return {
    ok: true,
    value: {
      status: status as OrderQuery['status'],
      limit,
      direction: direction as OrderQuery['direction'],
      ...(after === undefined ? {} : { after }),
      ...(until === undefined ? {} : { until }),
      ...(symbols === undefined ? {} : { symbols }),
    },
  };
}

/** The orders a query selects, from every order oldest first: filtered, ordered by creation, then limited. */
export function selectOrders(orders: readonly VenueOrder[], query: OrderQuery): VenueOrder[] {
  const selected = orders.filter(
    (o) =>
      (query.status === 'all' || (query.status === 'open') === isWorkingOrder(o)) &&
      (query.symbols === undefined || query.symbols.has(o.symbol)) &&
      (query.after === undefined || o.submittedAt > query.after) &&
      (query.until === undefined || o.submittedAt < query.until),
  );
  if (query.direction === 'desc') selected.reverse();
  return selected.slice(0, query.limit);
}

/**
 * POST /sim/v1/bars: an array of {symbol, time, open, high, low, close, volume}, time in epoch ms or ISO 8601.
 * Prices must be positive and finite, volume finite and not negative.
 */
export function parseBars(body: unknown): Outcome<MarketBar[]> {
  const list = Array.isArray(body) ? body : typeof body === 'object' && body !== null && Array.isArray((body as { bars?: unknown }).bars) ? (body as { bars: unknown[] }).bars : undefined;
  if (list === undefined) return invalid([`the body was ${shown(body)}, expected an array of bars {symbol, time, open, high, low, close, volume}`]);
  const problems: string[] = [];
  const bars: MarketBar[] = [];
  list.forEach((item: unknown, index) => {
    const where = `bars[${index}]`;
    if (typeof item !== 'object' || item === null) {
      problems.push(`${where} was ${shown(item)}, expected an object`);
      return;
    }
    const b = item as Record<string, unknown>;
    const before = problems.length;
    if (typeof b.symbol !== 'string' || b.symbol === '') problems.push(`${where}.symbol was ${shown(b.symbol)}, expected a symbol`);
    const time = typeof b.time === 'number' ? b.time : typeof b.time === 'string' ? Date.parse(b.time) : NaN;
    if (!Number.isSafeInteger(time)) problems.push(`${where}.time was ${shown(b.time)}, expected epoch milliseconds or an ISO 8601 timestamp`);
    const price = (name: 'open' | 'high' | 'low' | 'close'): number => {
      const value = numberField(b[name]);
      if (value === undefined || !(Number.isFinite(value) && value > 0)) problems.push(`${where}.${name} was ${shown(b[name])}, expected a positive price`);
      return value ?? NaN;
    };
    const open = price('open');
    const high = price('high');
    const low = price('low');
    const close = price('close');
    const volume = numberField(b.volume);
    if (volume === undefined || !(Number.isFinite(volume) && volume >= 0)) problems.push(`${where}.volume was ${shown(b.volume)}, expected a volume >= 0`);
    if (problems.length === before) bars.push({ symbol: b.symbol as string, time, open, high, low, close, volume: volume as number });
  });
  if (problems.length > 0) return invalid(problems.length > 20 ? [...problems.slice(0, 20), `and ${problems.length - 20} more`] : problems);
  return { ok: true, value: bars };
}

/** GET /sim/v1/fills?after=&limit= */
export function parseFillsQuery(params: URLSearchParams): Outcome<{ after: number; limit: number }> {
  const afterText = params.get('after');
  const limitText = params.get('limit');
  const after = afterText === null ? 0 : Number(afterText);
  const limit = limitText === null ? Infinity : Number(limitText);
  const problems: string[] = [];
  if (!(Number.isSafeInteger(after) && after >= 0)) problems.push(`after was ${shown(afterText)}, expected a fill seq (an integer >= 0)`);
  if (limitText !== null && !(Number.isSafeInteger(limit) && limit > 0)) problems.push(`limit was ${shown(limitText)}, expected a positive integer`);
  return problems.length > 0 ? invalid(problems) : { ok: true, value: { after, limit } };
}
