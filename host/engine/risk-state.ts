import {
  barId,
  MS_PER_DAY,
  type AcceptedOrder,
  type BasketBaseView,
  type DataDependency,
  type Instrument,
  type KillTier,
  type OrderIntent,
  type PluginMode,
  type SeriesStore,
} from '../../core/index.js';
import type { PositionBook } from '../../core/index.js';

/** What the engine knows of a cycle that guards may ask about. */
export interface CycleViewInput {
  readonly time: number;
  readonly tier: KillTier;
  readonly equity: number;
  readonly book: PositionBook;
  readonly price: (symbol: string) => number;
  readonly modes: ReadonlyMap<string, PluginMode>;
  /** Signed target notional of a plugin in an instrument this cycle (0 when it has none). */
  readonly targetNotional: (strategyId: string, symbol: string) => number;
}

/** How long accepted orders are remembered for throttle and duplicate guards. */
const ORDER_MEMORY_MS = MS_PER_DAY;

/**
 * The engine's memory for risk: orders accepted by the chain, equity marks (day start, peak), and which series
 * each instrument depends on. It builds the read-only view guards see each cycle.
 */
export class RiskState {
  private readonly accepted: AcceptedOrder[] = [];
  private dayStart = Number.NaN;
  private day = -1;
  private peak = Number.NEGATIVE_INFINITY;
  private notionalToday = 0;
  private dependencies = new Map<string, string[]>();

  constructor(
    private readonly store: SeriesStore,
    private readonly instruments: ReadonlyMap<string, Instrument>,
  ) {}

  /**
   * Which series each instrument depends on: its bars and every series read by an active plugin that trades it.
   * Called again when a plugin stops, so a stopped plugin's inputs no longer block anyone.
   */
  setPlugins(plugins: readonly { trades: Iterable<string>; reads: readonly string[] }[]): void {
    const dependencies = new Map<string, string[]>();
    for (const p of plugins) {
      for (const symbol of p.trades) {
        const set = new Set([barId(symbol), ...(dependencies.get(symbol) ?? []), ...p.reads]);
        dependencies.set(symbol, [...set].filter((id) => this.store.has(id)).sort());
      }
    }
    this.dependencies = dependencies;
  }

  /** Mark equity at a cycle: starts a new day at the first cycle of each UTC day, tracks the peak. */
  markEquity(time: number, equity: number): void {
    const day = Math.floor(time / MS_PER_DAY);
    if (day !== this.day) {
      this.day = day;
      this.dayStart = equity;
      this.notionalToday = 0;
    }
    this.peak = Math.max(this.peak, equity);
  }

  get dayStartEquity(): number {
    return this.dayStart;
  }

  get peakEquity(): number {
    return this.peak;
  }

  /** Orders the chain accepted, oldest first, over the last ORDER_MEMORY_MS (the array itself: it stays current). */
  get acceptedOrders(): readonly AcceptedOrder[] {
    return this.accepted;
  }

  /** Notional accepted since the start of the current UTC day. */
  get tradedNotionalToday(): number {
    return this.notionalToday;
  }

  /** Remember an order the chain accepted (whether or not it was sent: monitor mode counts the same). */
  recordAccepted(intent: OrderIntent): void {
    this.accepted.push({ clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, quantity: intent.quantity, time: intent.time });
    this.notionalToday += intent.quantity * intent.referencePrice * (this.instruments.get(intent.symbol)?.multiplier ?? 1);
    const horizon = intent.time - ORDER_MEMORY_MS;
    let drop = 0;
    while (drop < this.accepted.length && (this.accepted[drop]?.time ?? 0) < horizon) drop += 1;
    if (drop > 0) this.accepted.splice(0, drop);
  }

  /** Freshness of every series an instrument depends on, at `now`. */
  dataDependencies(symbol: string, now: number): DataDependency[] {
    return (this.dependencies.get(symbol) ?? [barId(symbol)]).filter((id) => this.store.has(id)).map((seriesId) => {
      const n = this.store.countAvailable(seriesId, now);
      return { seriesId, lastAvailable: n > 0 ? this.store.availableAtIndex(seriesId, n - 1) : Number.NaN, frequency: this.store.spec(seriesId).frequency };
    });
  }

  /**
   * Every series some traded instrument depends on that is stale at `now` per `isStale`, for the stale-data breaker.
   * A series that has not started yet (no observation: PPLT before 2010) is not stale: nothing was expected of it.
   * (The stale-data guard still blocks entries in it: there is no price to trade at.)
   */
  staleSeries(now: number, isStale: (dependency: DataDependency) => boolean): string[] {
    const stale = new Set<string>();
    for (const symbol of this.dependencies.keys()) {
      for (const d of this.dataDependencies(symbol, now)) if (!Number.isNaN(d.lastAvailable) && isStale(d)) stale.add(d.seriesId);
    }
    return [...stale].sort();
  }

  /** The view guards see this cycle (the chain adds the basket's own accepted orders on top). */
  view(input: CycleViewInput): BasketBaseView {
    return new CycleRiskView(this, input, this.instruments, this.dayStart, this.peak);
  }
}

/**
 * The read-only view guards see in one cycle. A class (methods on its prototype) rather than an object of closures:
 * one is made every cycle, and tsx names each closure it creates, at a cost.
 */
class CycleRiskView implements BasketBaseView {
  readonly time: number;
  readonly tier: KillTier;
  readonly equity: number;
  readonly price: (symbol: string) => number;

  constructor(
    private readonly state: RiskState,
    private readonly input: CycleViewInput,
    private readonly instruments: ReadonlyMap<string, Instrument>,
    readonly dayStartEquity: number,
    readonly peakEquity: number,
  ) {
    this.time = input.time;
    this.tier = input.tier;
    this.equity = input.equity;
    this.price = input.price;
  }

  position(symbol: string): number {
    return this.input.book.position(symbol).quantity;
  }

  heldSymbols(): readonly string[] {
    return this.input.book.positions().map((p) => p.symbol);
  }

  instrument(symbol: string): Instrument | undefined {
    return this.instruments.get(symbol);
  }

  acceptedOrders(): readonly AcceptedOrder[] {
    return this.state.acceptedOrders;
  }

  tradedNotionalToday(): number {
    return this.state.tradedNotionalToday;
  }

  dataDependencies(symbol: string): DataDependency[] {
    return this.state.dataDependencies(symbol, this.input.time);
  }

  pluginMode(strategyId: string): PluginMode | undefined {
    return this.input.modes.get(strategyId);
  }

  pluginTargetNotional(strategyId: string, symbol: string): number {
    return this.input.targetNotional(strategyId, symbol);
  }
}
