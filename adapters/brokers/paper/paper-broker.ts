import { ShError } from '../../../core/index.js';
import type {
  AccountSnapshot,
  BrokerCapabilities,
  EpochMs,
  ExecutionEvent,
  ExecutionListener,
  Fill,
  Instrument,
  MarketBar,
  Order,
  OrderType,
  Position,
  SimulatedBroker,
  SubmitRequest,
} from '../../../core/index.js';
import { executionOn, fillPrice, orderCommission, participationCapacity, takerCostBps, updateVolatility, type CostModel } from './cost-model.js';
import { PaperBook } from './paper-book.js';

/** Options of the paper broker; every one has a default. */
export interface PaperBrokerOptions {
  /** Broker id used for routing and stamped on fills. Default 'paper'. */
  readonly id?: string;
  /** Starting cash. Default 1_000_000. */
  readonly initialCash?: number;
  /** Account currency. Default 'USD'. */
  readonly currency?: string;
  /** Commission per share (per contract). Default 0.005. */
  readonly commissionPerShare?: number;
  /** Minimum commission per order, charged by its first fill(s). Default 1.0. */
  readonly minimumCommission?: number;
  /** Half the bid-ask spread paid by every taking fill, in bps. Default 2. */
  readonly halfSpreadBps?: number;
  /** Extra adverse slippage on every taking fill, in bps. Default 1. */
  readonly slippageBps?: number;
  /** Square-root impact coefficient: cost_bps = k * 1e4 * dailyVol * sqrt(qty / barVolume). Default 0.1. */
  readonly impactCoefficient?: number;
  /** Most of a bar's volume the broker fills, across all orders of the symbol; 0 or Infinity disables. Default 0.1. */
  readonly maxParticipation?: number;
  /** An order can fill only on bars whose time is at least submit time + latency. Default 0. */
  readonly latencyMs?: number;
  /** Instruments by symbol, for contract multipliers (default multiplier 1). */
  readonly instruments?: ReadonlyMap<string, Instrument>;
  /** Accept sells that would take a position below zero. Default true. */
  readonly allowShort?: boolean;
  /** Daily volatility assumed before two closes of a symbol were seen. Default 0.01 (1%). */
  readonly initialDailyVolatility?: number;
  /** EWMA decay of the absolute log return volatility estimate (weight kept on the old value). Default 0.94. */
  readonly volatilityDecay?: number;
  /** Called when an execution listener throws; the default rethrows it on a microtask so it is never silent. */
  readonly onListenerError?: (error: unknown, event: ExecutionEvent) => void;
}

const ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'market-on-open', 'market-on-close'];

interface OrderRecord {
  order: Order;
  fills: number;
  notional: number;
  commission: number;
}

interface SymbolState {
  lastClose?: number;
  volatility: number;
}

/**
 * The embedded default broker: an execution simulator fed with bars by the host. Orders rest as ACCEPTED until
 * `advance(bars)`; each then fills on the bars of its symbol per the cost model (see README.md): at the open
 * (market, market-on-open, marketable limit), at the close (market-on-close) or at its limit when touched,
 * at most `maxParticipation` of each bar's volume, so large orders fill partially across bars.
 *
 * Deterministic: no randomness and no wall clock; times come from requests and bars. Connecting is not needed
 * (connect and disconnect do nothing), so tests and backtests can submit straight away.
 *
 * @example
 * const broker = new PaperBroker({ initialCash: 100_000 });
 * await broker.submit({ clientOrderId: 'r1-1-GLD-0', symbol: 'GLD', side: 'buy', quantity: 10, type: 'market', timeInForce: 'day', time: t0 });
 * broker.advance([{ symbol: 'GLD', time: t1, open: 180, high: 182, low: 179, close: 181, volume: 5e6 }]);
 */
export class PaperBroker implements SimulatedBroker {
  readonly id: string;
  readonly capabilities: BrokerCapabilities;
  private readonly currency: string;
  private readonly costs: CostModel;
  private readonly maxParticipation: number;
  private readonly latencyMs: number;
  private readonly instruments: ReadonlyMap<string, Instrument>;
  private readonly allowShort: boolean;
  private readonly initialVolatility: number;
  private readonly volatilityDecay: number;
  private readonly onListenerError: (error: unknown, event: ExecutionEvent) => void;

  private readonly book: PaperBook;
  private readonly orders = new Map<string, OrderRecord>();
  /** The working orders (accepted, partially filled), in submission order: what each bar can fill. */
  private readonly working = new Map<string, OrderRecord>();
  private readonly symbols = new Map<string, SymbolState>();
  private readonly listeners = new Set<ExecutionListener>();
  private readonly fillLog: Fill[] = [];
  private sequence = 0;
  private clock: EpochMs = -Infinity;

  constructor(options: PaperBrokerOptions = {}) {
    this.id = options.id ?? 'paper';
    this.currency = options.currency ?? 'USD';
    this.costs = {
      commissionPerShare: nonNegative('commissionPerShare', options.commissionPerShare ?? 0.005),
      minimumCommission: nonNegative('minimumCommission', options.minimumCommission ?? 1.0),
      halfSpreadBps: nonNegative('halfSpreadBps', options.halfSpreadBps ?? 2),
      slippageBps: nonNegative('slippageBps', options.slippageBps ?? 1),
      impactCoefficient: nonNegative('impactCoefficient', options.impactCoefficient ?? 0.1),
    };
    const participation = options.maxParticipation ?? 0.1;
    if (!(participation === Infinity || (participation >= 0 && Number.isFinite(participation)))) throw badOption('maxParticipation', participation, 'a fraction > 0, or 0 / Infinity to disable');
    this.maxParticipation = participation;
    this.latencyMs = nonNegative('latencyMs', options.latencyMs ?? 0);
    this.instruments = options.instruments ?? new Map();
    this.allowShort = options.allowShort ?? true;
    this.initialVolatility = nonNegative('initialDailyVolatility', options.initialDailyVolatility ?? 0.01);
    const decay = options.volatilityDecay ?? 0.94;
    if (!(decay >= 0 && decay < 1)) throw badOption('volatilityDecay', decay, 'a number in [0, 1)');
    this.volatilityDecay = decay;
    this.onListenerError = options.onListenerError ?? ((error) => queueMicrotask(() => { throw error; }));
    const initialCash = options.initialCash ?? 1_000_000;
    if (!Number.isFinite(initialCash)) throw badOption('initialCash', initialCash, 'a finite number');
    this.book = new PaperBook(initialCash);
    this.capabilities = { orderTypes: ORDER_TYPES, shortSelling: this.allowShort, fractionalQuantities: false, simulated: true };
  }

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  /**
   * Validate and accept an order; it fills on later `advance` calls. Never throws for a bad request: it answers a
   * REJECTED order and emits 'rejected'. A client order id is accepted once, ever: reuse is rejected (and the first
   * order is left untouched), even after the first order is final.
   */
  async submit(request: SubmitRequest): Promise<Order> {
    this.tick(request.time);
    const previous = this.orders.get(request.clientOrderId);
    const base = this.orderFrom(request);
    if (previous !== undefined) {
      return this.reject({ ...base, brokerOrderId: previous.order.brokerOrderId }, 'duplicate client order id', false);
    }
    const reason = this.validate(request);
    if (reason !== undefined) return this.reject(base, reason, true);
    // Object.assign, not { ...base, status }: a spread followed by a new property costs V8 about 1 µs.
    const order: Order = Object.assign({}, base, { status: 'ACCEPTED' as const });
    const record: OrderRecord = { order, fills: 0, notional: 0, commission: 0 };
    this.orders.set(order.clientOrderId, record);
    this.working.set(order.clientOrderId, record);
    this.emit([{ type: 'accepted', order }]);
    return order;
  }

  /** Cancel a working order. A final order comes back unchanged; an unknown id is refused (SH_ERR_BROKER_REJECTED). */
  async cancel(clientOrderId: string): Promise<Order> {
    const record = this.orders.get(clientOrderId);
    if (record === undefined) {
      throw new ShError('SH_ERR_BROKER_REJECTED', `the ${this.id} broker has no order ${clientOrderId} to cancel`, {
        where: `broker ${this.id}`,
        received: clientOrderId,
        expected: 'the client order id of a submitted order',
      });
    }
    if (!this.working.has(clientOrderId)) return record.order;
    record.order = { ...record.order, status: 'CANCELLED', updatedAt: Math.max(record.order.updatedAt, this.clock) };
    this.working.delete(clientOrderId);
    this.emit([{ type: 'cancelled', order: record.order }]);
    return record.order;
  }

  /**
   * Fill working orders against bars. Bars are taken in time order; on each bar, orders fill in submission order,
   * open executions before close ones, sharing the bar's participation capacity. Volatility and the last price are
   * updated from the close after the bar's fills, so no fill sees its own bar's close ahead of time.
   */
  advance(bars: readonly MarketBar[]): void {
    const events: ExecutionEvent[] = [];
    const ordered = [...bars].sort((a, b) => a.time - b.time);
    for (const bar of ordered) {
      this.tick(bar.time);
      const state = this.symbolState(bar.symbol);
      let capacity = participationCapacity(this.maxParticipation, bar.volume);
      const working = [...this.working.values()].filter((r) => r.order.symbol === bar.symbol && bar.time >= r.order.submittedAt + this.latencyMs);
      const phases = [working.filter((r) => r.order.type !== 'market-on-close'), working.filter((r) => r.order.type === 'market-on-close')];
      for (const record of phases.flat()) {
        const { order } = record;
        const quantity = Math.min(order.quantity - order.filledQuantity, capacity);
        if (!(quantity > 0)) continue;
        const execution = executionOn(order.type, order.side, order.limitPrice, bar);
        if (execution === undefined) continue;
        const costBps = execution.at === 'limit' ? 0 : takerCostBps(this.costs, state.volatility, quantity, bar.volume);
        const price = fillPrice(execution, order.side, order.limitPrice, costBps);
        events.push(this.fill(record, quantity, price, bar.time));
        capacity -= quantity;
      }
      state.volatility = updateVolatility(state.volatility, state.lastClose, bar.close, this.volatilityDecay);
      state.lastClose = bar.close;
    }
    this.emit(events);
  }

  lastPrice(symbol: string): number | undefined {
    return this.symbols.get(symbol)?.lastClose;
  }

  async openOrders(): Promise<Order[]> {
    return [...this.working.values()].map((r) => r.order);
  }

  async positions(): Promise<Position[]> {
    return this.book.positions();
  }

  async account(): Promise<AccountSnapshot> {
    return { cash: this.book.cash, equity: this.book.equity((s) => this.lastPrice(s), (s) => this.multiplier(s)), currency: this.currency };
  }

  async orderByClientId(clientOrderId: string): Promise<Order | undefined> {
    return this.orders.get(clientOrderId)?.order;
  }

  onExecution(listener: ExecutionListener): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const subscription: ExecutionListener = (event) => listener(event);
    this.listeners.add(subscription);
    return () => {
      this.listeners.delete(subscription);
    };
  }

  /** Every fill so far, in execution order. */
  fills(): readonly Fill[] {
    return this.fillLog;
  }

  /** Realised P&L before commissions, and commissions paid, in account currency. */
  pnl(): { readonly realized: number; readonly commission: number } {
    return { realized: this.book.realizedPnl, commission: this.book.totalCommission };
  }

  /** The daily volatility estimate the impact model uses for a symbol now. */
  dailyVolatility(symbol: string): number {
    return this.symbols.get(symbol)?.volatility ?? this.initialVolatility;
  }

  private fill(record: OrderRecord, quantity: number, price: number, time: EpochMs): ExecutionEvent {
    const { order } = record;
    const filledQuantity = order.filledQuantity + quantity;
    const commission = orderCommission(this.costs, filledQuantity) - record.commission;
    record.fills += 1;
    record.notional += quantity * price;
    record.commission += commission;
    const fill: Fill = {
      fillId: `${order.clientOrderId}-F${record.fills}`,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      quantity,
      price,
      commission,
      time,
      broker: this.id,
    };
    this.book.apply(order.symbol, order.side, quantity, price, commission, this.multiplier(order.symbol));
    this.fillLog.push(fill);
    record.order = {
      ...order,
      status: filledQuantity >= order.quantity ? 'FILLED' : 'PARTIALLY_FILLED',
      filledQuantity,
      averagePrice: record.notional / filledQuantity,
      updatedAt: time,
    };
    if (record.order.status === 'FILLED') this.working.delete(order.clientOrderId);
    return { type: 'fill', order: record.order, fill };
  }

  private validate(request: SubmitRequest): string | undefined {
    if (typeof request.clientOrderId !== 'string' || request.clientOrderId === '') return 'client order id must be a non-empty string';
    if (typeof request.symbol !== 'string' || request.symbol === '') return 'symbol must be a non-empty string';
    if (request.side !== 'buy' && request.side !== 'sell') return `side was ${String(request.side)}, expected buy or sell`;
    if (!(Number.isFinite(request.quantity) && request.quantity > 0)) return `quantity was ${request.quantity}, expected a positive finite number`;
    if (!Number.isInteger(request.quantity)) return `quantity was ${request.quantity}, expected whole shares (no fractional quantities)`;
    if (!ORDER_TYPES.includes(request.type)) return `order type was ${String(request.type)}, expected one of ${ORDER_TYPES.join(', ')}`;
    if (request.type === 'limit' && !(Number.isFinite(request.limitPrice) && (request.limitPrice as number) > 0)) {
      return `limit price was ${String(request.limitPrice)}, expected a positive price for a limit order`;
    }
    if (!Number.isFinite(request.time)) return `time was ${String(request.time)}, expected epoch milliseconds`;
    if (!this.allowShort && request.side === 'sell') {
      const pendingSells = [...this.working.values()]
        .filter((r) => r.order.symbol === request.symbol && r.order.side === 'sell')
        .reduce((sum, r) => sum + r.order.quantity - r.order.filledQuantity, 0);
      const available = this.book.position(request.symbol) - pendingSells;
      if (request.quantity > available) return `short selling is not allowed: selling ${request.quantity} with ${available} available`;
    }
    return undefined;
  }

  private orderFrom(request: SubmitRequest): Omit<Order, 'status'> {
    this.sequence += 1;
    return {
      clientOrderId: request.clientOrderId,
      brokerOrderId: `${this.id}-${this.sequence}`,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      type: request.type,
      ...(request.limitPrice === undefined ? {} : { limitPrice: request.limitPrice }),
      timeInForce: request.timeInForce,
      filledQuantity: 0,
      averagePrice: 0,
      submittedAt: request.time,
      updatedAt: request.time,
      executedBy: this.id,
    };
  }

  /** A rejected order; kept (its id is then used up) unless it is the echo of a duplicate. */
  private reject(base: Omit<Order, 'status'>, reason: string, keep: boolean): Order {
    const order: Order = { ...base, status: 'REJECTED', rejectReason: reason };
    if (keep) this.orders.set(order.clientOrderId, { order, fills: 0, notional: 0, commission: 0 });
    this.emit([{ type: 'rejected', order, reason }]);
    return order;
  }

  private symbolState(symbol: string): SymbolState {
    let state = this.symbols.get(symbol);
    if (state === undefined) {
      state = { volatility: this.initialVolatility };
      this.symbols.set(symbol, state);
    }
    return state;
  }

  private multiplier(symbol: string): number {
    return this.instruments.get(symbol)?.multiplier ?? 1;
  }

  private tick(time: EpochMs): void {
    if (Number.isFinite(time) && time > this.clock) this.clock = time;
  }

  /** Deliver events after the state they describe is complete; one listener's error never stops the others. */
  private emit(events: readonly ExecutionEvent[]): void {
    for (const event of events) {
      for (const listener of [...this.listeners]) {
        try {
          listener(event);
        } catch (error) {
          this.onListenerError(error, event);
        }
      }
    }
  }
}

function nonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw badOption(name, value, 'a finite number >= 0');
  return value;
}

function badOption(name: string, value: unknown, expected: string): ShError {
  return new ShError('SH_ERR_CONFIG_INVALID', `paper broker option ${name} is invalid`, { where: `paper broker options.${name}`, received: value, expected });
}
