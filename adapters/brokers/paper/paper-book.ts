import type { Position, Side } from '../../../core/index.js';

interface Holding {
  quantity: number;
  averagePrice: number;
}

/**
 * Cash and positions of the simulated account. Average price is the volume-weighted entry price of the open
 * position (commissions excluded); reducing a position realises P&L against it, and crossing zero starts a new
 * position at the fill price.
 */
export class PaperBook {
  private cashBalance: number;
  private readonly holdings = new Map<string, Holding>();
  private realized = 0;
  private commissions = 0;

  constructor(initialCash: number) {
    this.cashBalance = initialCash;
  }

  get cash(): number {
    return this.cashBalance;
  }

  /** Realised P&L before commissions, in account currency. */
  get realizedPnl(): number {
    return this.realized;
  }

  get totalCommission(): number {
    return this.commissions;
  }

  position(symbol: string): number {
    return this.holdings.get(symbol)?.quantity ?? 0;
  }

  /** Apply one fill: cash moves by the signed notional and the commission; the position and its average update. */
  apply(symbol: string, side: Side, quantity: number, price: number, commission: number, multiplier: number): void {
    const signed = side === 'buy' ? quantity : -quantity;
    const holding = this.holdings.get(symbol) ?? { quantity: 0, averagePrice: 0 };
    const before = holding.quantity;
    const after = before + signed;
    if (before === 0 || Math.sign(before) === Math.sign(signed)) {
      holding.averagePrice = (Math.abs(before) * holding.averagePrice + quantity * price) / Math.abs(after);
    } else {
      const closed = Math.min(quantity, Math.abs(before));
      this.realized += closed * (price - holding.averagePrice) * Math.sign(before) * multiplier;
      if (after === 0) holding.averagePrice = 0;
      else if (Math.sign(after) !== Math.sign(before)) holding.averagePrice = price;
    }
    holding.quantity = after;
    if (after === 0) this.holdings.delete(symbol);
    else this.holdings.set(symbol, holding);
    this.cashBalance -= signed * price * multiplier + commission;
    this.commissions += commission;
  }

  /** Non-zero positions, in the order they were opened. */
  positions(): Position[] {
    return [...this.holdings].map(([symbol, h]) => ({ symbol, quantity: h.quantity, averagePrice: h.averagePrice }));
  }

  /** Cash plus positions marked at `mark(symbol)`, falling back to the average price when no mark is known. */
  equity(mark: (symbol: string) => number | undefined, multiplier: (symbol: string) => number): number {
    let value = this.cashBalance;
    for (const [symbol, h] of this.holdings) value += h.quantity * (mark(symbol) ?? h.averagePrice) * multiplier(symbol);
    return value;
  }
}
