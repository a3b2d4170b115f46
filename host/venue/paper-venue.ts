import type { EpochMs, MarketBar, Side } from '../../core/index.js';
import { accountNumber, newUuid } from './venue-ids.js';
import { isWorkingOrder, noChanges, VenueBook, type VenueAccount, type VenuePosition } from './venue-book.js';
import { resolveSettings } from './venue-settings.js';
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

export { isWorkingOrder, paperOrderType, type VenueAccount, type VenuePosition } from './venue-book.js';

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

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: VenueRefusal };

/**
 * The paper venue: Alpaca-shaped orders on top of the in-process paper simulator (PaperBroker, unchanged: its fill
 * rules and cost model are the venue's), made durable by an event journal.
 *
 * Durability by replay: every change is an input event (submit, cancel, bars, liquidation print) recorded in SQLite
 * with the orders, status changes and fills it produced, in one transaction, before the caller gets an answer. On
 * open the venue replays the events through a fresh PaperBroker (venue-book.ts), which is deterministic (no
 * randomness, no wall clock), so cash, positions, average prices, volatility estimates, last prices and working orders
 * come back exactly; the recorded orders and fills are then compared with the replay, and any difference refuses the
 * start (SH_ERR_VENUE_STATE_DIVERGED) rather than serve a state that is not the one clients saw.
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
  private readonly book: VenueBook;
  private readonly now: () => EpochMs;
  private readonly newId: () => string;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown;

  private constructor(store: VenueStore, settings: VenueSettings, now: () => EpochMs, newId: () => string) {
    this.store = store;
    this.settings = settings;
    this.now = now;
    this.newId = newId;
    this.book = new VenueBook(settings);
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
      const replay = noChanges();
      for (const { event } of store.events()) await venue.book.apply(event, replay);
      venue.book.verify(store.orders(), store.fills(), store.filePath);
      return venue;
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** The simulated clock: the latest bar time or submit time seen; 0 before any. */
  get clock(): EpochMs {
    return this.book.clock;
  }

  /** Path of the SQLite file, for logs. */
  get filePath(): string {
    return this.store.filePath;
  }

  /** Accept an order, or refuse it: a client order id used before (ever) is refused with 422, like Alpaca. */
  submit(request: NewOrder): Promise<Outcome<VenueOrder>> {
    return this.exclusive(async () => {
      const clientOrderId = request.clientOrderId ?? this.newId();
      if (this.book.orderByClientId(clientOrderId) !== undefined) return refuse(422, ALPACA_CODES.validation, 'client_order_id must be unique');
      const ticket: OrderTicket = {
        id: this.newId(),
        clientOrderId,
        symbol: request.symbol,
        side: request.side,
        qty: request.qty,
        type: request.type,
        timeInForce: request.timeInForce,
        ...(request.limitPrice === undefined ? {} : { limitPrice: request.limitPrice }),
        submittedAt: request.simTime ?? this.book.clock,
        receivedAt: this.now(),
        source: 'api',
      };
      await this.record([{ kind: 'submit', ticket }]);
      return { ok: true, value: this.book.mustGet(ticket.id) };
    });
  }

  /** Cancel a working order: 404 when unknown, 422 when it is no longer working (Alpaca's answers). */
  cancel(orderId: string): Promise<Outcome<VenueOrder>> {
    return this.exclusive(async () => {
      const order = this.book.order(orderId);
      if (order === undefined) return refuse(404, ALPACA_CODES.notFound, 'order not found');
      if (!isWorkingOrder(order)) return refuse(422, ALPACA_CODES.notCancelable, `order is not cancelable: its status is ${order.status}`);
      await this.record([{ kind: 'cancel', orderId }]);
      return { ok: true, value: this.book.mustGet(orderId) };
    });
  }

  /** Cancel every working order; answers them in their cancelled state, oldest first. */
  cancelAll(): Promise<VenueOrder[]> {
    return this.exclusive(async () => {
      const working = this.book.orders().filter(isWorkingOrder);
      await this.record(working.map((order) => ({ kind: 'cancel', orderId: order.id })));
      return working.map((order) => this.book.mustGet(order.id));
    });
  }

  /**
   * Fill working orders against bars (the /sim extension); answers the fills made, in order. Bars at or before the
   * venue's clock are ignored: advancing is idempotent, so a host that resumes after a crash and resends the bar of
   * the cycle it died in cannot fill orders twice or at a price from before they were placed.
   */
  advance(bars: readonly MarketBar[]): Promise<VenueFill[]> {
    return this.exclusive(async () => {
      const clock = this.book.clock;
      const fresh = bars.filter((b) => b.time > clock);
      if (fresh.length === 0) return [];
      const changes = await this.record([{ kind: 'bars', bars: fresh }]);
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
      const held = (await this.book.positions()).filter((p) => options.symbol === undefined || p.symbol === options.symbol);
      if (options.symbol !== undefined && held.length === 0) return refuse(404, ALPACA_CODES.notFound, `position does not exist: no open position in ${options.symbol}`);
      const symbols = new Set(held.map((p) => p.symbol));
      const cancels: VenueEvent[] = this.book
        .orders()
        .filter((o) => isWorkingOrder(o) && (options.cancelOrders === true || symbols.has(o.symbol)))
        .map((o) => ({ kind: 'cancel', orderId: o.id }));
      const clock = this.book.clock;
      const tickets: OrderTicket[] = held.map((position) => {
        const id = this.newId();
        return {
          id,
          clientOrderId: `liquidation-${id}`,
          symbol: position.symbol,
          side: position.qty > 0 ? 'sell' : 'buy',
          qty: Math.abs(position.qty),
          type: 'market',
          timeInForce: 'day',
          // One latency before the print, so the print is the first bar the order may fill on.
          submittedAt: clock - this.settings.latencyMs,
          receivedAt: this.now(),
          source: 'liquidation',
        };
      });
      const prints: VenueEvent[] = held.map((p) => ({ kind: 'print', symbol: p.symbol, price: p.currentPrice, time: clock }));
      await this.record([...cancels, ...tickets.map((ticket): VenueEvent => ({ kind: 'submit', ticket })), ...prints]);
      return { ok: true, value: tickets.map((t) => ({ symbol: t.symbol, order: this.book.mustGet(t.id) })) };
    });
  }

  order(orderId: string): Promise<VenueOrder | undefined> {
    return this.exclusive(async () => this.book.order(orderId));
  }

  orderByClientId(clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.exclusive(async () => this.book.orderByClientId(clientOrderId));
  }

  /** Every order ever accepted, oldest first. */
  orders(): Promise<VenueOrder[]> {
    return this.exclusive(async () => this.book.orders());
  }

  /** Fills with seq > after, oldest first, at most `limit`. */
  fills(after = 0, limit = Infinity): Promise<VenueFill[]> {
    return this.exclusive(async () => this.book.fills(after, limit));
  }

  /** The seq of the latest fill; 0 before any. */
  lastFillSeq(): Promise<number> {
    return this.exclusive(async () => this.book.fillCount);
  }

  positions(): Promise<VenuePosition[]> {
    return this.exclusive(() => this.book.positions());
  }

  account(): Promise<VenueAccount> {
    return this.exclusive(() => this.book.account());
  }

  /** The last close seen per symbol. */
  lastPrices(): Promise<Record<string, number>> {
    return this.exclusive(async () => this.book.lastPrices());
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

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.failure !== undefined) throw new VenueUnavailableError(this.failure);
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Apply events, then write them with their effects in one transaction. Any failure poisons the venue. */
  private async record(events: readonly VenueEvent[]): Promise<VenueChanges> {
    try {
      const changes = noChanges();
      for (const event of events) await this.book.apply(event, changes);
      const final: VenueChanges = { events: changes.events, orders: [...changes.touched].map((id) => this.book.mustGet(id)), updates: changes.updates, fills: changes.fills };
      this.store.commit(final);
      return final;
    } catch (error) {
      this.failure = error;
      throw error;
    }
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
