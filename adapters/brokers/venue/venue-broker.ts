import { isTerminal, ShError } from '../../../core/index.js';
import type {
  AccountSnapshot,
  BrokerCapabilities,
  ExecutionEvent,
  ExecutionListener,
  Fill,
  MarketBar,
  Order,
  Position,
  SimulatedBroker,
  SubmitRequest,
} from '../../../core/index.js';
import {
  accountFromAlpaca,
  alpacaOrderRequest,
  fillFromAlpaca,
  orderFromAlpaca,
  positionFromAlpaca,
  type AlpacaAccount,
  type AlpacaFill,
  type AlpacaOrder,
  type AlpacaPosition,
} from './alpaca-convert.js';
import { messageOf, VenueHttp, type FetchFunction, type VenueAnswer } from './venue-http.js';

/** The key pair `strategy-host venue` accepts when none is configured (local use only; see docs/venue.md). */
export const VENUE_DEFAULT_KEY_ID = 'venue-key-id';
export const VENUE_DEFAULT_SECRET_KEY = 'venue-secret-key';

export interface VenueBrokerOptions {
  /** Where the venue listens, e.g. http://127.0.0.1:8790. */
  readonly baseUrl: string;
  /** APCA-API-KEY-ID / APCA-API-SECRET-KEY. Default: the venue's local pair. */
  readonly keyId?: string;
  readonly secretKey?: string;
  /** Broker id for routing, stamped on orders (executedBy) and fills. Default 'venue'. */
  readonly id?: string;
  /** How long a submit waits for the venue before throwing SH_ERR_BROKER_UNREACHABLE. Default 5000. */
  readonly submitTimeoutMs?: number;
  /** The same for every other call (advance included, which may carry many bars). Default 30000. */
  readonly requestTimeoutMs?: number;
  /** Send each order's request time as X-Sim-Time, so it is dated in simulated time like in a PaperBroker. Default true. */
  readonly sendSimTime?: boolean;
  /** Default: the global fetch. */
  readonly fetch?: FetchFunction;
  /** Called when an execution listener throws; the default rethrows it on a microtask so it is never silent. */
  readonly onListenerError?: (error: unknown, event: ExecutionEvent) => void;
}

interface BarsAnswer {
  readonly fills: readonly AlpacaFill[];
  readonly last_prices?: Readonly<Record<string, string>>;
}

interface MarketAnswer {
  readonly last_prices?: Readonly<Record<string, string>>;
  readonly last_fill_seq?: number;
}

/**
 * A SimulatedBroker that trades with a paper venue in another process (`strategy-host venue`) over its Alpaca-shaped
 * REST API: the fills are the paper simulator's, and the state survives a host crash.
 *
 * - `submit` answers ACCEPTED, or REJECTED with the venue's reason (a reused client order id is refused by the venue
 *   with 422); it never throws for a refusal. No answer within `submitTimeoutMs` (or a network error, a 5xx) throws
 *   SH_ERR_BROKER_UNREACHABLE: the order may or may not be live, so the caller marks it UNKNOWN and resolves it with
 *   `orderByClientId`.
 * - `advance(bars)` posts the bars to /sim/v1/bars and emits a 'fill' event per fill, in execution order, before it
 *   resolves. `syncFills()` emits fills made otherwise (another client, a liquidation) since the last one seen.
 *
 * @example
 * const broker = new VenueBroker({ baseUrl: 'http://127.0.0.1:8790' });
 * await broker.connect();
 * await broker.submit({ clientOrderId: 'sh-a3hv0g81-2s-GLD-0', symbol: 'GLD', side: 'buy', quantity: 10, type: 'market', timeInForce: 'day', time: t0 });
 * await broker.advance([{ symbol: 'GLD', time: t1, open: 180, high: 182, low: 179, close: 181, volume: 5e6 }]);
 */
export class VenueBroker implements SimulatedBroker {
  readonly id: string;
  readonly capabilities: BrokerCapabilities = {
    orderTypes: ['market', 'limit', 'market-on-open', 'market-on-close'],
    shortSelling: true,
    fractionalQuantities: false,
    simulated: true,
  };
  private readonly http: VenueHttp;
  private readonly submitTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly sendSimTime: boolean;
  private readonly onListenerError: (error: unknown, event: ExecutionEvent) => void;
  private readonly listeners = new Set<ExecutionListener>();
  private readonly prices = new Map<string, number>();
  private lastFillSeq = 0;
  /** After connect, the fill cursor starts at the venue's latest fill, so gaps can be told from history. */
  private connected = false;

  constructor(options: VenueBrokerOptions) {
    this.id = options.id ?? 'venue';
    this.submitTimeoutMs = positive('submitTimeoutMs', options.submitTimeoutMs ?? 5000);
    this.requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 30_000);
    this.sendSimTime = options.sendSimTime ?? true;
    this.onListenerError = options.onListenerError ?? ((error) => queueMicrotask(() => { throw error; }));
    let baseUrl: URL;
    try {
      baseUrl = new URL(options.baseUrl);
    } catch {
      throw new ShError('SH_ERR_CONFIG_INVALID', 'venue broker option baseUrl is not a URL', { where: 'venue broker options.baseUrl', received: options.baseUrl, expected: 'e.g. http://127.0.0.1:8790' });
    }
    this.http = new VenueHttp({
      baseUrl: baseUrl.href,
      keyId: options.keyId ?? VENUE_DEFAULT_KEY_ID,
      secretKey: options.secretKey ?? VENUE_DEFAULT_SECRET_KEY,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      brokerId: this.id,
    });
  }

  /** Check the venue answers and the key pair is accepted; learn its last prices and its latest fill. */
  async connect(): Promise<void> {
    await this.expect(await this.get('/v2/account'), [200], 'read the account');
    const market = (await this.expect(await this.get('/sim/v1/market'), [200], 'read the market state')).body as MarketAnswer;
    this.learnPrices(market.last_prices);
    if (typeof market.last_fill_seq === 'number') this.lastFillSeq = Math.max(this.lastFillSeq, market.last_fill_seq);
    this.connected = true;
  }

  async disconnect(): Promise<void> {}

  async submit(request: SubmitRequest): Promise<Order> {
    const headers: Record<string, string> = this.sendSimTime && Number.isSafeInteger(request.time) ? { 'X-Sim-Time': String(request.time) } : {};
    const answer = await this.http.call('POST', '/v2/orders', { body: alpacaOrderRequest(request), headers, timeoutMs: this.submitTimeoutMs });
    if (answer.status === 200) {
      const order = orderFromAlpaca(answer.body as AlpacaOrder, this.id);
      this.emit(order.status === 'REJECTED' ? { type: 'rejected', order, reason: order.rejectReason ?? 'rejected by the venue' } : { type: 'accepted', order });
      return order;
    }
    const reason = messageOf(answer.body) ?? `HTTP ${answer.status}`;
    const order: Order = {
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      type: request.type,
      ...(request.limitPrice === undefined ? {} : { limitPrice: request.limitPrice }),
      timeInForce: request.timeInForce,
      status: 'REJECTED',
      filledQuantity: 0,
      averagePrice: 0,
      submittedAt: request.time,
      updatedAt: request.time,
      executedBy: this.id,
      rejectReason: reason,
    };
    this.emit({ type: 'rejected', order, reason });
    return order;
  }

  /** Cancel a working order; a final one comes back unchanged; an unknown id is refused (SH_ERR_BROKER_REJECTED). */
  async cancel(clientOrderId: string): Promise<Order> {
    const current = await this.orderByClientId(clientOrderId);
    if (current === undefined || current.brokerOrderId === undefined) {
      throw new ShError('SH_ERR_BROKER_REJECTED', `the ${this.id} broker has no order ${clientOrderId} to cancel`, {
        where: `broker ${this.id}`,
        received: clientOrderId,
        expected: 'the client order id of a submitted order',
      });
    }
    if (isTerminal(current.status)) return current;
    const path = `/v2/orders/${encodeURIComponent(current.brokerOrderId)}`;
    await this.expect(await this.http.call('DELETE', path, { timeoutMs: this.requestTimeoutMs }), [204, 200, 422], `cancel ${clientOrderId}`);
    // 204: cancelled; 422: it became final in between. Either way the venue's word is the order as it is now.
    const order = orderFromAlpaca((await this.expect(await this.get(path), [200], `read ${clientOrderId}`)).body as AlpacaOrder, this.id);
    if (order.status === 'CANCELLED') this.emit({ type: 'cancelled', order });
    return order;
  }

  async openOrders(): Promise<Order[]> {
    const answer = await this.expect(await this.get('/v2/orders?status=open&direction=asc'), [200], 'list open orders');
    return (answer.body as AlpacaOrder[]).map((o) => orderFromAlpaca(o, this.id));
  }

  /** Every order the venue ever accepted, oldest first (GET /v2/orders?status=all). */
  async allOrders(): Promise<Order[]> {
    const answer = await this.expect(await this.get('/v2/orders?status=all&direction=asc'), [200], 'list all orders');
    return (answer.body as AlpacaOrder[]).map((o) => orderFromAlpaca(o, this.id));
  }

  async positions(): Promise<Position[]> {
    const answer = await this.expect(await this.get('/v2/positions'), [200], 'list positions');
    return (answer.body as AlpacaPosition[]).map(positionFromAlpaca);
  }

  async account(): Promise<AccountSnapshot> {
    return accountFromAlpaca((await this.expect(await this.get('/v2/account'), [200], 'read the account')).body as AlpacaAccount);
  }

  /** The order with this client order id; undefined when the venue never accepted one (404). */
  async orderByClientId(clientOrderId: string): Promise<Order | undefined> {
    const answer = await this.get(`/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`);
    if (answer.status === 404) return undefined;
    return orderFromAlpaca(this.expect(answer, [200], `look up ${clientOrderId}`).body as AlpacaOrder, this.id);
  }

  /** Post bars to the venue; its fills are emitted as 'fill' events, in order, before this resolves. */
  async advance(bars: readonly MarketBar[]): Promise<void> {
    if (bars.length === 0) return;
    const body = bars.map((b) => ({ symbol: b.symbol, time: new Date(b.time).toISOString(), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
    const answer = (await this.expect(await this.http.call('POST', '/sim/v1/bars', { body, timeoutMs: this.requestTimeoutMs }), [200], 'advance the market')).body as BarsAnswer;
    this.learnPrices(answer.last_prices);
    const first = answer.fills[0];
    // Fills the venue made for others since the last one seen (a liquidation) come first, so the order stays the venue's.
    if (this.connected && first !== undefined && first.seq > this.lastFillSeq + 1) await this.syncFills();
    else this.emitFills(answer.fills);
  }

  /**
   * Every fill the venue ever made, oldest first, without emitting events: a host restarting after a crash journals
   * the ones it missed (journals ignore a fill id they already hold).
   */
  async allFills(): Promise<Fill[]> {
    const out: Fill[] = [];
    let after = 0;
    for (;;) {
      const page = (await this.expect(await this.get(`/sim/v1/fills?after=${after}`), [200], 'list fills')).body as AlpacaFill[];
      if (page.length === 0) return out;
      for (const json of page) out.push(fillFromAlpaca(json, this.id));
      after = page[page.length - 1]!.seq;
    }
  }

  /** Emit the fills the venue made since the last one this broker saw (by another client, or a liquidation). */
  async syncFills(): Promise<number> {
    const answer = await this.expect(await this.get(`/sim/v1/fills?after=${this.lastFillSeq}`), [200], 'list fills');
    return this.emitFills(answer.body as AlpacaFill[]);
  }

  lastPrice(symbol: string): number | undefined {
    return this.prices.get(symbol);
  }

  onExecution(listener: ExecutionListener): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const subscription: ExecutionListener = (event) => listener(event);
    this.listeners.add(subscription);
    return () => {
      this.listeners.delete(subscription);
    };
  }

  private emitFills(fills: readonly AlpacaFill[]): number {
    let emitted = 0;
    for (const json of fills) {
      if (json.seq <= this.lastFillSeq) continue;
      const fill: Fill = fillFromAlpaca(json, this.id);
      const order = orderFromAlpaca(json.order, this.id);
      this.lastFillSeq = json.seq;
      this.emit({ type: 'fill', order, fill });
      emitted += 1;
    }
    return emitted;
  }

  private learnPrices(prices: Readonly<Record<string, string>> | undefined): void {
    for (const [symbol, price] of Object.entries(prices ?? {})) {
      const value = Number(price);
      if (Number.isFinite(value)) this.prices.set(symbol, value);
    }
  }

  private get(path: string): Promise<VenueAnswer> {
    return this.http.call('GET', path, { timeoutMs: this.requestTimeoutMs });
  }

  /** The answer when its status is one of `statuses`; otherwise the venue refused something it should not have. */
  private expect(answer: VenueAnswer, statuses: readonly number[], what: string): VenueAnswer {
    if (statuses.includes(answer.status)) return answer;
    throw new ShError('SH_ERR_BROKER_REJECTED', `the ${this.id} broker refused to ${what}: ${messageOf(answer.body) ?? `HTTP ${answer.status}`}`, {
      where: `broker ${this.id}`,
      received: `HTTP ${answer.status}`,
      expected: `HTTP ${statuses.join(' or ')}`,
    });
  }

  /** Deliver an event to every listener; one listener's error never stops the others. */
  private emit(event: ExecutionEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ShError('SH_ERR_CONFIG_INVALID', `venue broker option ${name} is invalid`, { where: `venue broker options.${name}`, received: value, expected: 'a number of milliseconds > 0' });
  }
  return value;
}
