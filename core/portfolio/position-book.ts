import { shError } from '../errors.js';
import type { Fill, Side } from '../model/order.js';
import { sideSign } from '../model/order.js';
import type { Position } from '../model/position.js';

/** What the book needs of a fill; a core Fill fits. Commission is in account currency, default 0, negative for rebates. */
export type BookFill = Pick<Fill, 'symbol' | 'side' | 'quantity' | 'price'> & { readonly commission?: number };

/** A position with its history: realised P&L (gross of commissions) and commissions paid, per symbol. */
export interface PositionDetail extends Position {
  readonly multiplier: number;
  readonly realisedPnl: number;
  readonly commissions: number;
}

/** What one fill did. */
export interface FillOutcome {
  readonly position: Position;
  /** Realised P&L of this fill, gross of its commission: on the part that reduced or closed the position. */
  readonly realisedPnl: number;
  /** Quantity of the previous position that this fill closed (0 when it only opened or increased). */
  readonly closedQuantity: number;
}

export interface MarkLine {
  readonly symbol: string;
  readonly quantity: number;
  readonly price: number;
  readonly marketValue: number;
  readonly unrealised: number;
}

export interface MarkToMarket {
  /** Σ quantity × price × multiplier: signed, so shorts count negative. */
  readonly marketValue: number;
  /** Σ quantity × (price - averagePrice) × multiplier. */
  readonly unrealised: number;
  /** One line per open position, by symbol. */
  readonly lines: readonly MarkLine[];
}

/** JSON-serialisable state of a book: flat symbols are kept for their realised P&L and commissions. */
export interface PositionBookSnapshot {
  readonly version: 1;
  readonly entries: readonly PositionDetail[];
}

/** Relative size below which a remaining quantity is float dust (0.1 + 0.2 - 0.3) and the position is flat. */
const QUANTITY_EPSILON = 1e-9;

interface Entry {
  quantity: number;
  averagePrice: number;
  multiplier: number;
  realisedPnl: number;
  commissions: number;
}

/**
 * Signed positions per symbol, with average price, realised P&L and commissions. Average cost accounting: adding to a
 * position moves the average price; reducing it realises (price - average) × closed quantity × multiplier and leaves
 * the average alone; a fill through zero closes the old position in full and opens the rest at the fill price.
 * Net realised P&L is realisedPnl() - commissions().
 * @example
 * const book = new PositionBook();
 * book.applyFill({ symbol: 'GLD', side: 'buy', quantity: 100, price: 10, commission: 1 });
 * book.applyFill({ symbol: 'GLD', side: 'sell', quantity: 40, price: 12, commission: 1 });
 * book.position('GLD'); // { symbol: 'GLD', quantity: 60, averagePrice: 10 }
 * book.realisedPnl();   // 80
 */
export class PositionBook {
  private entries = new Map<string, Entry>();

  /** A book restored from a snapshot. Throws SH_ERR_PORTFOLIO_SNAPSHOT_INVALID for a malformed one. */
  static fromSnapshot(snapshot: PositionBookSnapshot): PositionBook {
    const book = new PositionBook();
    book.restore(snapshot);
    return book;
  }

  /**
   * Apply one fill. `multiplier` is the instrument's contract multiplier (default 1) and must stay the same for a symbol.
   * Throws SH_ERR_PORTFOLIO_FILL_INVALID for an empty symbol, a non-positive or non-finite quantity, a non-finite price
   * or commission, an unknown side, or a multiplier that differs from the one the symbol was first filled with.
   */
  applyFill(fill: BookFill, multiplier = 1): FillOutcome {
    const commission = fill.commission ?? 0;
    validateFill(fill, commission, multiplier);
    let entry = this.entries.get(fill.symbol);
    if (entry === undefined) {
      entry = { quantity: 0, averagePrice: 0, multiplier, realisedPnl: 0, commissions: 0 };
      this.entries.set(fill.symbol, entry);
    } else if (entry.multiplier !== multiplier) {
      throw fillError(fill, `the multiplier ${multiplier} differs from the ${entry.multiplier} ${fill.symbol} was first filled with`, 'multiplier', multiplier, `${entry.multiplier}`);
    }
    const current = entry.quantity;
    const signed = sideSign(fill.side) * fill.quantity;
    const next = current + signed;
    const dust = QUANTITY_EPSILON * Math.max(Math.abs(current), fill.quantity);
    let realised = 0;
    let closed = 0;
    if (current === 0 || Math.sign(current) === Math.sign(signed)) {
      entry.averagePrice = (Math.abs(current) * entry.averagePrice + fill.quantity * fill.price) / Math.abs(next);
      entry.quantity = next;
    } else {
      closed = Math.min(fill.quantity, Math.abs(current));
      realised = closed * (fill.price - entry.averagePrice) * Math.sign(current) * multiplier;
      if (Math.abs(next) <= dust) {
        entry.quantity = 0;
        entry.averagePrice = 0;
      } else {
        // Same sign: a partial close keeps the average. Opposite sign: a flip opens the rest at the fill price.
        if (Math.sign(next) !== Math.sign(current)) entry.averagePrice = fill.price;
        entry.quantity = next;
      }
    }
    entry.realisedPnl += realised;
    entry.commissions += commission;
    return { position: toPosition(fill.symbol, entry), realisedPnl: realised, closedQuantity: closed };
  }

  /** The position in `symbol`; quantity 0 and average price 0 when flat or never traded. */
  position(symbol: string): Position {
    const entry = this.entries.get(symbol);
    return entry === undefined ? { symbol, quantity: 0, averagePrice: 0 } : toPosition(symbol, entry);
  }

  /** Position, multiplier, realised P&L and commissions of `symbol`; undefined when never traded. */
  detail(symbol: string): PositionDetail | undefined {
    const entry = this.entries.get(symbol);
    return entry === undefined ? undefined : toDetail(symbol, entry);
  }

  /** Every non-zero position, by symbol. */
  positions(): Position[] {
    return this.sortedSymbols()
      .map((symbol) => toPosition(symbol, this.entries.get(symbol) as Entry))
      .filter((position) => position.quantity !== 0);
  }

  /**
   * Value the open positions at `prices(symbol)`. Throws SH_ERR_PORTFOLIO_PRICE_MISSING when a price is not finite.
   * @example book.markToMarket((symbol) => lastClose[symbol] ?? Number.NaN).unrealised
   */
  markToMarket(prices: (symbol: string) => number): MarkToMarket {
    let marketValue = 0;
    let unrealised = 0;
    const lines: MarkLine[] = [];
    for (const position of this.positions()) {
      const entry = this.entries.get(position.symbol) as Entry;
      const price = prices(position.symbol);
      if (!Number.isFinite(price)) {
        throw shError('SH_ERR_PORTFOLIO_PRICE_MISSING', `no price to mark the ${position.quantity} ${position.symbol} held`, {
          where: position.symbol,
          received: String(price),
          expected: 'a finite price for every open position',
        });
      }
      const value = position.quantity * price * entry.multiplier;
      const gain = position.quantity * (price - position.averagePrice) * entry.multiplier;
      marketValue += value;
      unrealised += gain;
      lines.push({ symbol: position.symbol, quantity: position.quantity, price, marketValue: value, unrealised: gain });
    }
    return { marketValue, unrealised, lines };
  }

  /** Realised P&L, gross of commissions: of one symbol, or of the whole book. */
  realisedPnl(symbol?: string): number {
    return this.total(symbol, (entry) => entry.realisedPnl);
  }

  /** Commissions paid: of one symbol, or of the whole book. */
  commissions(symbol?: string): number {
    return this.total(symbol, (entry) => entry.commissions);
  }

  /** The book as plain JSON data, flat symbols included, by symbol. */
  snapshot(): PositionBookSnapshot {
    return { version: 1, entries: this.sortedSymbols().map((symbol) => toDetail(symbol, this.entries.get(symbol) as Entry)) };
  }

  /**
   * Replace the book's state with a snapshot's, all or nothing. Throws SH_ERR_PORTFOLIO_SNAPSHOT_INVALID, naming the
   * field, for a wrong version, a non-finite number, a non-positive multiplier, or an empty or repeated symbol.
   */
  restore(snapshot: PositionBookSnapshot): void {
    const input = snapshot as unknown as { version?: unknown; entries?: unknown };
    if (input === null || typeof input !== 'object' || input.version !== 1 || !Array.isArray(input.entries)) {
      throw snapshotError('snapshot', input === null || typeof input !== 'object' ? input : input.version, '{ version: 1, entries: [...] }');
    }
    const entries = new Map<string, Entry>();
    input.entries.forEach((raw: unknown, index: number) => {
      const where = `entries[${index}]`;
      if (raw === null || typeof raw !== 'object') throw snapshotError(where, raw, 'an object');
      const item = raw as Record<string, unknown>;
      const symbol = item.symbol;
      if (typeof symbol !== 'string' || symbol.length === 0) throw snapshotError(`${where}.symbol`, symbol, 'a non-empty symbol');
      if (entries.has(symbol)) throw snapshotError(`${where}.symbol`, symbol, 'each symbol once');
      for (const field of ['quantity', 'averagePrice', 'multiplier', 'realisedPnl', 'commissions'] as const) {
        const value = item[field];
        if (typeof value !== 'number' || !Number.isFinite(value)) throw snapshotError(`${where}.${field}`, value, 'a finite number');
      }
      const entry = item as unknown as PositionDetail;
      if (entry.multiplier <= 0) throw snapshotError(`${where}.multiplier`, entry.multiplier, 'a positive multiplier');
      entries.set(symbol, {
        quantity: entry.quantity,
        averagePrice: entry.quantity === 0 ? 0 : entry.averagePrice,
        multiplier: entry.multiplier,
        realisedPnl: entry.realisedPnl,
        commissions: entry.commissions,
      });
    });
    this.entries = entries;
  }

  private total(symbol: string | undefined, pick: (entry: Entry) => number): number {
    if (symbol !== undefined) {
      const entry = this.entries.get(symbol);
      return entry === undefined ? 0 : pick(entry);
    }
    let sum = 0;
    for (const entry of this.entries.values()) sum += pick(entry);
    return sum;
  }

  private sortedSymbols(): string[] {
    return [...this.entries.keys()].sort();
  }
}

function toPosition(symbol: string, entry: Entry): Position {
  return { symbol, quantity: entry.quantity, averagePrice: entry.averagePrice };
}

function toDetail(symbol: string, entry: Entry): PositionDetail {
  return { symbol, quantity: entry.quantity, averagePrice: entry.averagePrice, multiplier: entry.multiplier, realisedPnl: entry.realisedPnl, commissions: entry.commissions };
}

const SIDES: readonly Side[] = ['buy', 'sell'];

function validateFill(fill: BookFill, commission: number, multiplier: number): void {
  if (typeof fill.symbol !== 'string' || fill.symbol.length === 0) throw fillError(fill, 'the symbol is empty', 'symbol', fill.symbol, 'a non-empty symbol');
  if (!SIDES.includes(fill.side)) throw fillError(fill, `the side ${JSON.stringify(fill.side)} is unknown`, 'side', fill.side, 'buy or sell');
  if (!Number.isFinite(fill.quantity) || fill.quantity <= 0) {
    throw fillError(fill, `the quantity ${fill.quantity} is not positive`, 'quantity', fill.quantity, 'a positive quantity; the side gives the direction');
  }
  if (!Number.isFinite(fill.price)) throw fillError(fill, `the price ${fill.price} is not finite`, 'price', fill.price, 'a finite price');
  if (!Number.isFinite(commission)) throw fillError(fill, `the commission ${commission} is not finite`, 'commission', commission, 'a finite commission');
  if (!Number.isFinite(multiplier) || multiplier <= 0) throw fillError(fill, `the multiplier ${multiplier} is not positive`, 'multiplier', multiplier, 'a positive contract multiplier');
}

function fillError(fill: BookFill, problem: string, field: string, received: unknown, expected: string): Error {
  return shError('SH_ERR_PORTFOLIO_FILL_INVALID', `cannot apply the ${String(fill.side)} fill of ${String(fill.symbol)}: ${problem}`, {
    where: `fill.${field}`,
    received: typeof received === 'number' && !Number.isFinite(received) ? String(received) : received,
    expected,
    fill: { ...fill },
  });
}

function snapshotError(where: string, received: unknown, expected: string): Error {
  return shError('SH_ERR_PORTFOLIO_SNAPSHOT_INVALID', `cannot restore the position book: ${where} is malformed`, {
    where,
    received: typeof received === 'number' && !Number.isFinite(received) ? String(received) : received,
    expected,
  });
}
