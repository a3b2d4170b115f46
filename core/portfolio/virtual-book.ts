import { roundToLot } from '../model/instrument.js';
import { adversePrice, orderCommission, takerCostBps, type CostModel } from './cost-model.js';

/** Prices of one bar, as a virtual book needs them. */
export interface BookBar {
  readonly open: number;
  readonly close: number;
}

/**
 * A plugin's virtual book: the plugin's weights applied to a fixed virtual capital, traded at the next open with the
 * same linear cost model as the paper broker, marked at each close. Every plugin has one, shadow included, so shadow
 * and live plugins are scored the same way (attribution, shadow P&L). It never routes anything.
 */
export class VirtualBook {
  readonly strategyId: string;
  private cash: number;
  private readonly quantities = new Map<string, number>();
  private readonly lastClose = new Map<string, number>();
  private pending: Map<string, number> | undefined;
  private pendingClose: Map<string, number> | undefined;
  private readonly equityCurve: number[] = [];
  private tradeCount = 0;
  private tradedNotional = 0;

  constructor(
    strategyId: string,
    readonly initialCapital: number,
    private readonly costs: CostModel,
    private readonly lotSize: (symbol: string) => number = () => 1,
    private readonly minTradeNotional = 0,
  ) {
    this.strategyId = strategyId;
    this.cash = initialCapital;
  }

  /**
   * Record the target weights decided at a close; they trade at the next bar's open. `closeWeights`, when given,
   * are the targets to hold after that bar's close (the market-on-close leg of Signal.closeWeight).
   */
  setTargets(weights: ReadonlyMap<string, number>, closeWeights?: ReadonlyMap<string, number>): void {
    this.pending = new Map(weights);
    this.pendingClose = closeWeights ? new Map(closeWeights) : undefined;
  }

  /**
   * Process one bar per symbol: trade pending targets at the open (sized on equity at the open), then mark at the
   * close and append to the equity curve. Symbols without a bar keep their last price.
   */
  onBars(bars: ReadonlyMap<string, BookBar>): void {
    if (this.pending) {
      this.rebalance(this.pending, bars, 'open');
      this.pending = undefined;
    }
    if (this.pendingClose) {
      this.rebalance(this.pendingClose, bars, 'close');
      this.pendingClose = undefined;
    }
    for (const [symbol, bar] of bars) if (bar.close > 0) this.lastClose.set(symbol, bar.close);
    this.equityCurve.push(this.valueAt((s) => this.lastClose.get(s)));
  }

  /** Trade every symbol to its target weight of equity at the bar's open or close, with adverse costs. */
  private rebalance(targets: ReadonlyMap<string, number>, bars: ReadonlyMap<string, BookBar>, at: 'open' | 'close'): void {
    const equity = this.valueAt((s) => bars.get(s)?.[at] ?? this.lastClose.get(s));
    // Every targeted symbol, then every held one without a target (the order a Set of both would give).
    const symbols = [...targets.keys()];
    for (const symbol of this.quantities.keys()) if (!targets.has(symbol)) symbols.push(symbol);
    for (const symbol of symbols) {
      const bar = bars.get(symbol);
      const reference = bar?.[at];
      if (reference === undefined || !(reference > 0)) continue;
      const target = roundToLot(((targets.get(symbol) ?? 0) * equity) / reference, this.lotSize(symbol));
      const delta = target - (this.quantities.get(symbol) ?? 0);
      if (delta === 0 || (Math.abs(delta * reference) < this.minTradeNotional && target !== 0)) continue;
      const side = delta > 0 ? 'buy' : 'sell';
      const price = adversePrice(reference, side, takerCostBps(this.costs));
      this.cash -= delta * price + orderCommission(this.costs, delta);
      this.quantities.set(symbol, target);
      this.tradeCount += 1;
      this.tradedNotional += Math.abs(delta * price);
    }
  }

  /** Equity marked at the last closes. */
  equity(): number {
    return this.equityCurve.length > 0 ? (this.equityCurve[this.equityCurve.length - 1] as number) : this.initialCapital;
  }

  curve(): readonly number[] {
    return this.equityCurve;
  }

  /** Daily returns of the last `n` marks (fewer when history is short). */
  recentReturns(n: number): number[] {
    const c = this.equityCurve;
    const out: number[] = [];
    for (let i = Math.max(1, c.length - n); i < c.length; i++) out.push((c[i] as number) / (c[i - 1] as number) - 1);
    return out;
  }

  trades(): number {
    return this.tradeCount;
  }

  turnoverNotional(): number {
    return this.tradedNotional;
  }

  holdings(): ReadonlyMap<string, number> {
    return this.quantities;
  }

  private valueAt(price: (symbol: string) => number | undefined): number {
    let value = this.cash;
    for (const [symbol, quantity] of this.quantities) {
      const p = price(symbol) ?? this.lastClose.get(symbol) ?? 0;
      value += quantity * p;
    }
    return value;
  }
}
