import { isDeepStrictEqual } from 'node:util';
import { ShError } from '../../core/index.js';
import type { EpochMs, ExecutionEvent, MarketBar, OrderType, Side } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { accountNumber, fillId, newUuid } from './venue-ids.js';
import { paperOptions, resolveSettings } from './venue-settings.js';
import { VenueStore, type VenueChanges } from './venue-store.js';
import {
  ALPACA_CODES,
  type AlpacaOrderType,
  type AlpacaTimeInForce,
  type OrderTicket,
  type VenueEvent,
  type VenueFill,
  type VenueOrder,
  type VenueRefusal,
  type VenueSettings,
  type VenueSettingsInput,
} from './venue-types.js';

export interface PaperVenueOptions {
  /** Where venue.sqlite lives; created when missing. */
  readonly dataDir: string;
  /** Settings for a new data dir; an existing one keeps its own and refuses different ones. */
  readonly settings?: VenueSettingsInput;
  /** Wall clock, for received_at and audit stamps only. Default Date.now. */
  readonly now?: () => EpochMs;
  /** UUID source for order ids, client order ids the venue makes, and the account id. Default crypto.randomUUID. */
  readonly newId?: () => string;
}

/** An order as a client asks for it, already checked for shape (alpaca-request.ts). */
export interface NewOrder {
  readonly clientOrderId?: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: AlpacaOrderType;
  readonly timeInForce: AlpacaTimeInForce;
  readonly limitPrice?: number;
  /** X-Sim-Time: the simulated submit time; default the venue clock. */
  readonly simTime?: EpochMs;
}

/** A position with what Alpaca's position JSON needs to mark it. */
export interface VenuePosition {
  readonly symbol: string;
  /** Signed: negative is short. */
  readonly qty: number;
  readonly avgEntryPrice: number;
  readonly currentPrice: number;
  readonly previousClose: number;
}

export interface VenueAccount {
  readonly cash: number;
  readonly equity: number;
  readonly longMarketValue: number;
  readonly shortMarketValue: number;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: VenueRefusal };

interface MutableChanges {
  readonly events: VenueEvent[];
  readonly touched: Set<string>;
  readonly updates: { event: number; order: VenueOrder }[];
  readonly fills: { event: number; fill: VenueFill }[];
}

/** Alpaca order type and time in force -> the paper simulator's order type (DESIGN.md §7). */
export function paperOrderType(type: AlpacaOrderType, timeInForce: AlpacaTimeInForce): OrderType {
  if (type === 'limit') return 'limit';
  if (timeInForce === 'opg') return 'market-on-open';
  if (timeInForce === 'cls') return 'market-on-close';
  return 'market';
}

const WORKING = new Set<VenueOrder['status']>(['new', 'partially_filled']);

/** True while an order can still fill or be cancelled. */
export function isWorkingOrder(order: VenueOrder): boolean {
  return WORKING.has(order.status);
}

/**
 * The paper venue: Alpaca-shaped orders on top of the in-process paper simulator (PaperBroker, unchanged: its fill
 * rules and cost model are the venue's), made durable by an event journal.
 *
 * Durability by replay: every change is an input event (submit, cancel, bars, liquidation print) recorded in SQLite
 * with the orders, status changes and fills it produced, in one transaction, before the caller gets an answer. On
 * open the venue replays the events through a fresh PaperBroker, which is deterministic (no randomness, no wall
 * clock), so cash, positions, average prices, volatility estimates, last prices and working orders come back exactly;
 * the recorded orders and fills are then compared with the replay, and any difference refuses the start
 * (SH_ERR_VENUE_STATE_DIVERGED) rather than serve a state that is not the one clients saw.
 * The simulator's private state is never snapshotted, so the paper broker's code stays the only definition of it.
 *
 * Every public method runs alone (a promise queue), so the order of the journal is the order of the simulator.
 * A failed write leaves memory ahead of disk: the venue then refuses every further call until restarted.
 *
 * @example
 * const venue = await PaperVenue.open({ dataDir: 'var/venue', settings: { initialCash: 100_000 } });
 * await venue.submit({ symbol: 'GLD', side: 'buy', qty: 10, type: 'market', timeInForce: 'day' });
 * await venue.advance([{ symbol: 'GLD', time: t1, open: 180, high: 182, low: 179, close: 181, volume: 5e6 }]);
 */
export class PaperVenue {
  readonly settings: VenueSettings;
  private readonly store: VenueStore;
  private readonly paper: PaperBroker;
  private readonly now: () => EpochMs;
  private readonly newId: () => string;
  private readonly ordersById = new Map<string, VenueOrder>();
  private readonly idByClientOrderId = new Map<string, string>();
  private readonly fillLog: VenueFill[] = [];
  private readonly fillsPerOrder = new Map<string, number>();
  private readonly closes = new Map<string, { last: number; previous: number }>();
  private readonly paperEvents: ExecutionEvent[] = [];
  private clockMs: EpochMs = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown;

  private constructor(store: VenueStore, settings: VenueSettings, now: () => EpochMs, newId: () => string) {
    this.store = store;
    this.settings = settings;
    this.now = now;
    this.newId = newId;
    this.paper = new PaperBroker(paperOptions(settings, 'venue'));
    this.paper.onExecution((event) => this.paperEvents.push(event));
  }

  /** Open (or create) the venue of a data dir and rebuild its state by replay. */
  static async open(options: PaperVenueOptions): Promise<PaperVenue> {
    const now = options.now ?? Date.now;
    const newId = options.newId ?? newUuid;
    const store = new VenueStore(options.dataDir, now);
    try {
      const stored = store.settings();
      const settings = resolveSettings(stored, options.settings ?? {}, () => {
        const accountId = newId();
        return { accountId, accountNumber: accountNumber(accountId), createdAt: now() };
      });
      const venue = new PaperVenue(store, settings, now, newId);
      if (stored === undefined) store.saveSettings(settings);
      await venue.replay();
      return venue;
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** The simulated clock: the latest bar time or submit time seen; 0 before any. */
  get clock(): EpochMs {
    return this.clockMs;
  }

  /** Path of the SQLite file, for logs. */
  get filePath(): string {
    return this.store.filePath;
  }

  /** Accept an order, or refuse it: a client order id used before (ever) is refused with 422, like Alpaca. */
  submit(request: NewOrder): Promise<Outcome<VenueOrder>> {
    return this.exclusive(async () => {
      const clientOrderId = request.clientOrderId ?? this.newId();
      if (this.idByClientOrderId.has(clientOrderId)) return refuse(422, ALPACA_CODES.validation, 'client_order_id must be unique');
      const ticket: OrderTicket = {
        id: this.newId(),
        clientOrderId,
        symbol: request.symbol,
        side: request.side,
        qty: request.qty,
        type: request.type,
        timeInForce: request.timeInForce,
        ...(request.limitPrice === undefined ? {} : { limitPrice: request.limitPrice }),
        submittedAt: request.simTime ?? this.clockMs,
        receivedAt: this.now(),
        source: 'api',
      };
      await this.record([{ kind: 'submit', ticket }]);
      return { ok: true, value: this.mustGet(ticket.id) };
    });
  }

  /** Cancel a working order: 404 when unknown, 422 when it is no longer working (Alpaca's answers). */
  cancel(orderId: string): Promise<Outcome<VenueOrder>> {
    return this.exclusive(async () => {
      const order = this.ordersById.get(orderId);
      if (order === undefined) return refuse(404, ALPACA_CODES.notFound, 'order not found');
      if (!isWorkingOrder(order)) return refuse(422, ALPACA_CODES.notCancelable, `order is not cancelable: its status is ${order.status}`);
      await this.record([{ kind: 'cancel', orderId }]);
      return { ok: true, value: this.mustGet(orderId) };
    });
  }

  /** Cancel every working order; answers them in their cancelled state, oldest first. */
  cancelAll(): Promise<VenueOrder[]> {
    return this.exclusive(async () => {
      const working = [...this.ordersById.values()].filter(isWorkingOrder);
      await this.record(working.map((order) => ({ kind: 'cancel', orderId: order.id })));
      return working.map((order) => this.mustGet(order.id));
    });
  }

  /** Fill working orders against bars (the /sim extension); answers the fills made, in order. */
  advance(bars: readonly MarketBar[]): Promise<VenueFill[]> {
    return this.exclusive(async () => {
      if (bars.length === 0) return [];
      const changes = await this.record([{ kind: 'bars', bars }]);
      return changes.fills.map((f) => f.fill);
    });
  }

  /**
   * Close positions now (DELETE /v2/positions[/{symbol}]): each is liquidated by a market order of the venue's own
   * (client order id `liquidation-<uuid>`) that fills at once on a liquidation print: one synthetic bar at the last
   * known price with unlimited volume, so the fill pays half spread and slippage but no impact and is never capped.
   * Working orders of the liquidated symbols are cancelled first (they would otherwise trade on the print);
   * `cancelOrders` cancels every working order first, like Alpaca's cancel_orders=true.
   */
  liquidate(options: { readonly symbol?: string; readonly cancelOrders?: boolean } = {}): Promise<Outcome<{ symbol: string; order: VenueOrder }[]>> {
    return this.exclusive(async () => {
      const held = (await this.paper.positions()).filter((p) => options.symbol === undefined || p.symbol === options.symbol);
      if (options.symbol !== undefined && held.length === 0) return refuse(404, ALPACA_CODES.notFound, `position does not exist: no open position in ${options.symbol}`);
      const symbols = new Set(held.map((p) => p.symbol));
      const cancels: VenueEvent[] = [...this.ordersById.values()]
        .filter((o) => isWorkingOrder(o) && (options.cancelOrders === true || symbols.has(o.symbol)))
        .map((o) => ({ kind: 'cancel', orderId: o.id }));
      // Submitted one latency before the print, so the print is the first bar the order may fill on.
      const submittedAt = this.clockMs - this.settings.latencyMs;
      const tickets: OrderTicket[] = held.map((position) => {
        const id = this.newId();
        return {
          id,
          clientOrderId: `liquidation-${id}`,
          symbol: position.symbol,
          side: position.quantity > 0 ? 'sell' : 'buy',
          qty: Math.abs(position.quantity),
          type: 'market',
          timeInForce: 'day',
          submittedAt,
          receivedAt: this.now(),
          source: 'liquidation',
        };
      });
      const prints: VenueEvent[] = held.map((p) => ({ kind: 'print', symbol: p.symbol, price: this.paper.lastPrice(p.symbol) ?? p.averagePrice, time: this.clockMs }));
      await this.record([...cancels, ...tickets.map((ticket): VenueEvent => ({ kind: 'submit', ticket })), ...prints]);
      return { ok: true, value: tickets.map((t) => ({ symbol: t.symbol, order: this.mustGet(t.id) })) };
    });
  }

  order(orderId: string): Promise<VenueOrder | undefined> {
    return this.exclusive(async () => this.ordersById.get(orderId));
  }

  orderByClientId(clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.exclusive(async () => {
      const id = this.idByClientOrderId.get(clientOrderId);
      return id === undefined ? undefined : this.ordersById.get(id);
    });
  }

  /** Every order ever accepted, oldest first. */
  orders(): Promise<VenueOrder[]> {
    return this.exclusive(async () => [...this.ordersById.values()]);
  }

  /** Fills with seq > after, oldest first, at most `limit`. */
  fills(after = 0, limit = Infinity): Promise<VenueFill[]> {
    return this.exclusive(async () => this.fillLog.filter((f) => f.seq > after).slice(0, limit));
  }

  positions(): Promise<VenuePosition[]> {
    return this.exclusive(async () => this.positionsNow());
  }

  account(): Promise<VenueAccount> {
    return this.exclusive(async () => {
      const { cash, equity } = await this.paper.account();
      const values = (await this.positionsNow()).map((p) => p.qty * p.currentPrice);
      return {
        cash,
        equity,
        longMarketValue: values.filter((v) => v > 0).reduce((a, b) => a + b, 0),
        shortMarketValue: values.filter((v) => v < 0).reduce((a, b) => a + b, 0),
      };
    });
  }

  /** The seq of the latest fill; 0 before any. */
  lastFillSeq(): Promise<number> {
    return this.exclusive(async () => this.fillLog.length);
  }

  /** The last close seen per symbol. */
  lastPrices(): Promise<Record<string, number>> {
    return this.exclusive(async () => Object.fromEntries([...this.closes].map(([symbol, c]) => [symbol, c.last])));
  }

  /** Wait for what is running, then close the database. */
  async close(): Promise<void> {
    await this.queue;
    this.store.close();
  }

  /** Journal mode and synchronous level of the store (tests and health). */
  storePragmas(): { readonly journalMode: string; readonly synchronous: number } {
    return this.store.pragmas();
  }

  private async positionsNow(): Promise<VenuePosition[]> {
    return (await this.paper.positions()).map((p) => {
      const currentPrice = this.paper.lastPrice(p.symbol) ?? p.averagePrice;
      return { symbol: p.symbol, qty: p.quantity, avgEntryPrice: p.averagePrice, currentPrice, previousClose: this.closes.get(p.symbol)?.previous ?? currentPrice };
    });
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.failure !== undefined) throw unavailable(this.failure);
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Apply events, then write them with their effects in one transaction. Any failure poisons the venue. */
  private async record(events: readonly VenueEvent[]): Promise<VenueChanges> {
    try {
      const changes: MutableChanges = { events: [], touched: new Set(), updates: [], fills: [] };
      for (const event of events) await this.apply(event, changes);
      const final: VenueChanges = { events: changes.events, orders: [...changes.touched].map((id) => this.mustGet(id)), updates: changes.updates, fills: changes.fills };
      this.store.commit(final);
      return final;
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  private async replay(): Promise<void> {
    const changes: MutableChanges = { events: [], touched: new Set(), updates: [], fills: [] };
    for (const { event } of this.store.events()) await this.apply(event, changes);
    this.verify();
  }

  private verify(): void {
    const recordedOrders = this.store.orders();
    const recordedFills = this.store.fills();
    const replayedOrders = [...this.ordersById.values()];
    const difference =
      compareLists('order', recordedOrders, replayedOrders, (o) => o.clientOrderId) ?? compareLists('fill', recordedFills, this.fillLog, (f) => `${f.seq} of ${f.clientOrderId}`);
    if (difference !== undefined) {
      throw new ShError('SH_ERR_VENUE_STATE_DIVERGED', `replaying ${this.store.filePath} does not give the recorded state: ${difference.message}`, {
        where: this.store.filePath,
        received: difference.replayed,
        expected: `${JSON.stringify(difference.recorded)} (as recorded)`,
      });
    }
  }

  private async apply(event: VenueEvent, changes: MutableChanges): Promise<void> {
    const index = changes.events.push(event) - 1;
    this.paperEvents.length = 0;
    switch (event.kind) {
      case 'submit': {
        const { ticket } = event;
        const order: VenueOrder = { ...ticket, seq: this.ordersById.size + 1, status: 'new', filledQty: 0, filledAvgPrice: 0, updatedAt: ticket.submittedAt };
        this.ordersById.set(ticket.id, order);
        this.idByClientOrderId.set(ticket.clientOrderId, ticket.id);
        changes.touched.add(ticket.id);
        this.tick(ticket.submittedAt);
        await this.paper.submit({
          clientOrderId: ticket.clientOrderId,
          symbol: ticket.symbol,
          side: ticket.side,
          quantity: ticket.qty,
          type: paperOrderType(ticket.type, ticket.timeInForce),
          ...(ticket.limitPrice === undefined ? {} : { limitPrice: ticket.limitPrice }),
          timeInForce: ticket.timeInForce,
          time: ticket.submittedAt,
        });
        break;
      }
      case 'cancel':
        await this.paper.cancel(this.mustGet(event.orderId).clientOrderId);
        break;
      case 'bars': {
        const ordered = [...event.bars].sort((a, b) => a.time - b.time);
        for (const bar of ordered) {
          this.tick(bar.time);
          const close = this.closes.get(bar.symbol);
          this.closes.set(bar.symbol, { last: bar.close, previous: close?.last ?? bar.close });
        }
        await this.paper.advance(event.bars);
        break;
      }
      case 'print': {
        const { symbol, price, time } = event;
        this.tick(time);
        await this.paper.advance([{ symbol, time, open: price, high: price, low: price, close: price, volume: Infinity }]);
        break;
      }
    }
    for (const paperEvent of this.paperEvents.splice(0)) this.absorb(paperEvent, index, changes);
  }

  /** Mirror one simulator event onto the venue's order and fill records. */
  private absorb(event: ExecutionEvent, index: number, changes: MutableChanges): void {
    const id = this.idByClientOrderId.get(event.order.clientOrderId);
    if (id === undefined) throw new Error(`the paper simulator reported order ${event.order.clientOrderId}, which the venue never sent`);
    const before = this.mustGet(id);
    let after: VenueOrder;
    switch (event.type) {
      case 'accepted':
        after = { ...before, status: 'new', updatedAt: event.order.updatedAt };
        break;
      case 'rejected':
        after = { ...before, status: 'rejected', updatedAt: event.order.updatedAt, failedAt: event.order.updatedAt, rejectReason: event.reason };
        break;
      case 'cancelled':
        after = { ...before, status: 'canceled', updatedAt: event.order.updatedAt, canceledAt: event.order.updatedAt };
        break;
      case 'fill': {
        const filled = event.order.status === 'FILLED';
        after = {
          ...before,
          status: filled ? 'filled' : 'partially_filled',
          filledQty: event.order.filledQuantity,
          filledAvgPrice: event.order.averagePrice,
          updatedAt: event.order.updatedAt,
          ...(filled ? { filledAt: event.fill.time } : {}),
        };
        const number = (this.fillsPerOrder.get(id) ?? 0) + 1;
        this.fillsPerOrder.set(id, number);
        const fill: VenueFill = {
          seq: this.fillLog.length + 1,
          id: fillId(id, number),
          orderId: id,
          clientOrderId: before.clientOrderId,
          symbol: before.symbol,
          side: before.side,
          qty: event.fill.quantity,
          price: event.fill.price,
          commission: event.fill.commission,
          time: event.fill.time,
          cumQty: after.filledQty,
          cumAvgPrice: after.filledAvgPrice,
          orderStatus: after.status,
        };
        this.fillLog.push(fill);
        changes.fills.push({ event: index, fill });
        break;
      }
    }
    this.ordersById.set(id, after);
    changes.touched.add(id);
    changes.updates.push({ event: index, order: after });
  }

  private tick(time: EpochMs): void {
    if (Number.isFinite(time) && time > this.clockMs) this.clockMs = time;
  }

  private mustGet(orderId: string): VenueOrder {
    const order = this.ordersById.get(orderId);
    if (order === undefined) throw new Error(`the venue has no order ${orderId}`);
    return order;
  }
}

function refuse(status: number, code: number, message: string): { ok: false; refusal: VenueRefusal } {
  return { ok: false, refusal: { status, code, message } };
}

/** Thrown by every call after a failure left memory ahead of the database; the server answers 503. */
export class VenueUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the venue stopped accepting requests after a failure (${cause instanceof Error ? cause.message : String(cause)}); restart it to recover from its journal`, { cause });
    this.name = 'VenueUnavailableError';
  }
}

function unavailable(cause: unknown): VenueUnavailableError {
  return new VenueUnavailableError(cause);
}

function compareLists<T extends object>(
  what: string,
  recorded: readonly T[],
  replayed: readonly T[],
  name: (item: T) => string,
): { message: string; recorded: unknown; replayed: unknown } | undefined {
  for (let i = 0; i < Math.max(recorded.length, replayed.length); i += 1) {
    const a = recorded[i];
    const b = replayed[i];
    if (a === undefined || b === undefined) {
      return { message: `${recorded.length} ${what}s recorded, ${replayed.length} replayed`, recorded: a ?? null, replayed: b ?? null };
    }
    if (!isDeepStrictEqual(defined(a), defined(b))) return { message: `${what} ${name(a)} differs`, recorded: a, replayed: b };
  }
  return undefined;
}

/** The object without undefined-valued keys (a database row has no "absent but present" fields). */
function defined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
