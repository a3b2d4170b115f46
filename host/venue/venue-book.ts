import { isDeepStrictEqual } from 'node:util';
import { ShError } from '../../core/index.js';
import type { EpochMs, ExecutionEvent, OrderType } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { fillId } from './venue-ids.js';
import { paperOptions } from './venue-settings.js';
import type { AlpacaOrderType, AlpacaTimeInForce, VenueEvent, VenueFill, VenueOrder, VenueSettings } from './venue-types.js';

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

/** What applying events changed: the events, the orders touched, status changes and fills (indexes into events). */
export interface BookChanges {
  readonly events: VenueEvent[];
  readonly touched: Set<string>;
  readonly updates: { event: number; order: VenueOrder }[];
  readonly fills: { event: number; fill: VenueFill }[];
}

export const noChanges = (): BookChanges => ({ events: [], touched: new Set(), updates: [], fills: [] });

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
 * The venue's state as a function of its events: a PaperBroker (unchanged: its fill rules and cost model are the
 * venue's) plus the Alpaca view of each order and fill. `apply` is the only way in, so live requests and a replay
 * after a restart go through the same code, and the same events always give the same state: the paper broker uses
 * no randomness and no wall clock, and fill ids are derived, not drawn.
 */
export class VenueBook {
  private readonly paper: PaperBroker;
  private readonly ordersById = new Map<string, VenueOrder>();
  private readonly idByClientOrderId = new Map<string, string>();
  private readonly fillLog: VenueFill[] = [];
  private readonly fillsPerOrder = new Map<string, number>();
  private readonly closes = new Map<string, { last: number; previous: number }>();
  private readonly paperEvents: ExecutionEvent[] = [];
  private clockMs: EpochMs = 0;

  constructor(settings: VenueSettings) {
    this.paper = new PaperBroker(paperOptions(settings, 'venue'));
    this.paper.onExecution((event) => this.paperEvents.push(event));
  }

  /** The simulated clock: the latest bar time or submit time seen; 0 before any. */
  get clock(): EpochMs {
    return this.clockMs;
  }

  order(orderId: string): VenueOrder | undefined {
    return this.ordersById.get(orderId);
  }

  orderByClientId(clientOrderId: string): VenueOrder | undefined {
    const id = this.idByClientOrderId.get(clientOrderId);
    return id === undefined ? undefined : this.ordersById.get(id);
  }

  /** Every order ever accepted, oldest first. */
  orders(): VenueOrder[] {
    return [...this.ordersById.values()];
  }

  /** Fills with seq > after, oldest first, at most `limit`. */
  fills(after = 0, limit = Infinity): VenueFill[] {
    return this.fillLog.slice(after, after + limit);
  }

  get fillCount(): number {
    return this.fillLog.length;
  }

  lastPrice(symbol: string): number | undefined {
    return this.closes.get(symbol)?.last;
  }

  lastPrices(): Record<string, number> {
    return Object.fromEntries([...this.closes].map(([symbol, c]) => [symbol, c.last]));
  }

  async positions(): Promise<VenuePosition[]> {
    return (await this.paper.positions()).map((p) => {
      const currentPrice = this.paper.lastPrice(p.symbol) ?? p.averagePrice;
      return { symbol: p.symbol, qty: p.quantity, avgEntryPrice: p.averagePrice, currentPrice, previousClose: this.closes.get(p.symbol)?.previous ?? currentPrice };
    });
  }

  async account(): Promise<VenueAccount> {
    const { cash, equity } = await this.paper.account();
    const values = (await this.positions()).map((p) => p.qty * p.currentPrice);
    return {
      cash,
      equity,
      longMarketValue: values.filter((v) => v > 0).reduce((a, b) => a + b, 0),
      shortMarketValue: values.filter((v) => v < 0).reduce((a, b) => a + b, 0),
    };
  }

  /** Apply one event to the simulator and mirror what it did onto the orders and fills; record it in `changes`. */
  async apply(event: VenueEvent, changes: BookChanges): Promise<void> {
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
        // The paper broker takes bars in time order (a stable sort): so does the record of closes.
        for (const bar of [...event.bars].sort((a, b) => a.time - b.time)) {
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

  /**
   * Compare the replayed orders and fills with the recorded ones; the first difference refuses the start
   * (SH_ERR_VENUE_STATE_DIVERGED), since serving it would show clients a state they never saw.
   */
  verify(recordedOrders: readonly VenueOrder[], recordedFills: readonly VenueFill[], filePath: string): void {
    const difference = compareLists('order', recordedOrders, this.orders(), (o) => o.clientOrderId) ?? compareLists('fill', recordedFills, this.fillLog, (f) => `${f.seq} of ${f.clientOrderId}`);
    if (difference !== undefined) {
      throw new ShError('SH_ERR_VENUE_STATE_DIVERGED', `replaying ${filePath} does not give the recorded state: ${difference.message}`, {
        where: filePath,
        received: difference.replayed,
        expected: `${JSON.stringify(difference.recorded)} (as recorded)`,
      });
    }
  }

  /** The order with this id; a missing one is a bug of the venue, not a client error. */
  mustGet(orderId: string): VenueOrder {
    const order = this.ordersById.get(orderId);
    if (order === undefined) throw new Error(`the venue has no order ${orderId}`);
    return order;
  }

  /** Mirror one simulator event onto the venue's order and fill records. */
  private absorb(event: ExecutionEvent, index: number, changes: BookChanges): void {
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
