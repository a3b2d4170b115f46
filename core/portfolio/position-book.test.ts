import { describe, expect, it } from 'vitest';
import type { Fill, Side } from '../model/order.js';
import { PositionBook, type BookFill, type PositionBookSnapshot } from './position-book.js';

type Step = [side: Side, quantity: number, price: number, commission?: number];

interface Case {
  readonly name: string;
  readonly steps: readonly Step[];
  readonly multiplier?: number;
  readonly quantity: number;
  readonly averagePrice: number;
  readonly realised: number;
  readonly commissions?: number;
}

// Every number below is worked by hand in the comment beside it.
const CASES: readonly Case[] = [
  { name: 'opens a long', steps: [['buy', 100, 10]], quantity: 100, averagePrice: 10, realised: 0 },
  // (100 × 10 + 50 × 13) / 150 = 11
  { name: 'adds to a long at a new average', steps: [['buy', 100, 10], ['buy', 50, 13]], quantity: 150, averagePrice: 11, realised: 0 },
  // 60 × (15 - 11) = 240; the average stays 11
  { name: 'partly closes a long', steps: [['buy', 100, 10], ['buy', 50, 13], ['sell', 60, 15]], quantity: 90, averagePrice: 11, realised: 240 },
  // 240 + 90 × (9 - 11) = 60; flat resets the average
  { name: 'closes a long', steps: [['buy', 100, 10], ['buy', 50, 13], ['sell', 60, 15], ['sell', 90, 9]], quantity: 0, averagePrice: 0, realised: 60 },
  // close 10 × (110 - 100) = 100, then short 15 opened at 110
  { name: 'flips long to short through zero', steps: [['buy', 10, 100], ['sell', 25, 110]], quantity: -15, averagePrice: 110, realised: 100 },
  // close 100 short × (20 - 18) = 200, then long 50 at 18
  { name: 'flips short to long through zero', steps: [['sell', 100, 20], ['buy', 150, 18]], quantity: 50, averagePrice: 18, realised: 200 },
  // short 40 at (10 × 50 + 30 × 54) / 40 = 53; cover 20 at 50: 20 × (53 - 50) = 60
  { name: 'adds to and partly covers a short', steps: [['sell', 10, 50], ['sell', 30, 54], ['buy', 20, 50]], quantity: -20, averagePrice: 53, realised: 60 },
  // cover 10 at 60 above the 50 sold: 10 × (50 - 60) = -100
  { name: 'covers a short at a loss', steps: [['sell', 10, 50], ['buy', 10, 60]], quantity: 0, averagePrice: 0, realised: -100 },
  // 2 contracts × (4010 - 4000) × 50 = 1000, then short 1 at 4010
  { name: 'applies the contract multiplier through a flip', steps: [['buy', 2, 4000], ['sell', 3, 4010]], multiplier: 50, quantity: -1, averagePrice: 4010, realised: 1000 },
  // 0.1 + 0.2 is 0.30000000000000004: selling 0.3 must leave the book flat, not 4e-17 long; 0.3 × (110 - 100) = 3
  { name: 'snaps float dust to flat', steps: [['buy', 0.1, 100], ['buy', 0.2, 100], ['sell', 0.3, 110]], quantity: 0, averagePrice: 0, realised: 3 },
  // flip twice: +10 at 5; sell 20 at 6 → realised 10, short 10 at 6; buy 30 at 4 → realised 10 × 2 = 20, long 20 at 4
  { name: 'flips twice', steps: [['buy', 10, 5], ['sell', 20, 6], ['buy', 30, 4]], quantity: 20, averagePrice: 4, realised: 30 },
  // commissions are summed apart, rebates negative: 1.5 + 2 - 0.25
  { name: 'totals commissions apart from P&L', steps: [['buy', 10, 5, 1.5], ['sell', 10, 6, 2], ['buy', 1, 6, -0.25]], quantity: 1, averagePrice: 6, realised: 10, commissions: 3.25 },
];

function play(steps: readonly Step[], multiplier = 1, symbol = 'GLD'): PositionBook {
  const book = new PositionBook();
  for (const [side, quantity, price, commission] of steps) book.applyFill({ symbol, side, quantity, price, commission }, multiplier);
  return book;
}

describe('PositionBook.applyFill', () => {
  it.each(CASES)('$name', ({ steps, multiplier, quantity, averagePrice, realised, commissions }) => {
    const book = play(steps, multiplier);
    const position = book.position('GLD');
    expect(position.quantity).toBeCloseTo(quantity, 12);
    expect(position.averagePrice).toBeCloseTo(averagePrice, 12);
    expect(book.realisedPnl()).toBeCloseTo(realised, 9);
    expect(book.realisedPnl('GLD')).toBeCloseTo(realised, 9);
    expect(book.commissions()).toBeCloseTo(commissions ?? 0, 12);
    expect(book.positions()).toHaveLength(quantity === 0 ? 0 : 1);
  });

  it('reports what each fill did', () => {
    const book = new PositionBook();
    expect(book.applyFill({ symbol: 'GLD', side: 'buy', quantity: 10, price: 100 })).toEqual({ position: { symbol: 'GLD', quantity: 10, averagePrice: 100 }, realisedPnl: 0, closedQuantity: 0 });
    expect(book.applyFill({ symbol: 'GLD', side: 'sell', quantity: 25, price: 110 })).toEqual({ position: { symbol: 'GLD', quantity: -15, averagePrice: 110 }, realisedPnl: 100, closedQuantity: 10 });
  });

  it('accepts a core Fill as it is', () => {
    const book = new PositionBook();
    const fill: Fill = { fillId: 'f1', clientOrderId: 'sh-x', symbol: 'SLV', side: 'sell', quantity: 5, price: 20, commission: 0.5, time: 0, broker: 'paper' };
    book.applyFill(fill);
    expect(book.position('SLV')).toEqual({ symbol: 'SLV', quantity: -5, averagePrice: 20 });
    expect(book.commissions('SLV')).toBe(0.5);
  });

  it.each<[string, BookFill, number?]>([
    ['a zero quantity', { symbol: 'GLD', side: 'buy', quantity: 0, price: 10 }],
    ['a negative quantity', { symbol: 'GLD', side: 'buy', quantity: -5, price: 10 }],
    ['a NaN price', { symbol: 'GLD', side: 'buy', quantity: 5, price: Number.NaN }],
    ['an infinite commission', { symbol: 'GLD', side: 'buy', quantity: 5, price: 10, commission: Number.POSITIVE_INFINITY }],
    ['an empty symbol', { symbol: '', side: 'buy', quantity: 5, price: 10 }],
    ['an unknown side', { symbol: 'GLD', side: 'hold' as Side, quantity: 5, price: 10 }],
    ['a zero multiplier', { symbol: 'GLD', side: 'buy', quantity: 5, price: 10 }, 0],
  ])('refuses %s with SH_ERR_PORTFOLIO_FILL_INVALID and leaves the book alone', (_name, fill, multiplier) => {
    const book = play([['buy', 1, 10]]);
    expect(() => book.applyFill(fill, multiplier)).toThrow(expect.objectContaining({ code: 'SH_ERR_PORTFOLIO_FILL_INVALID' }));
    expect(book.position('GLD')).toEqual({ symbol: 'GLD', quantity: 1, averagePrice: 10 });
  });

  it('refuses a multiplier that changes for a symbol', () => {
    const book = play([['buy', 1, 4000]], 50);
    expect(() => book.applyFill({ symbol: 'GLD', side: 'buy', quantity: 1, price: 4000 })).toThrow(expect.objectContaining({ code: 'SH_ERR_PORTFOLIO_FILL_INVALID' }));
  });
});

describe('PositionBook views', () => {
  function mixedBook(): PositionBook {
    const book = new PositionBook();
    book.applyFill({ symbol: 'SLV', side: 'sell', quantity: 100, price: 25, commission: 1 });
    book.applyFill({ symbol: 'GLD', side: 'buy', quantity: 10, price: 180, commission: 1 });
    book.applyFill({ symbol: 'GC', side: 'buy', quantity: 2, price: 4000, commission: 5 }, 100);
    book.applyFill({ symbol: 'IAU', side: 'buy', quantity: 50, price: 40 });
    book.applyFill({ symbol: 'IAU', side: 'sell', quantity: 50, price: 42 }); // flat, realised 100
    return book;
  }

  it('lists non-zero positions by symbol and answers flat for unknown symbols', () => {
    const book = mixedBook();
    expect(book.positions()).toEqual([
      { symbol: 'GC', quantity: 2, averagePrice: 4000 },
      { symbol: 'GLD', quantity: 10, averagePrice: 180 },
      { symbol: 'SLV', quantity: -100, averagePrice: 25 },
    ]);
    expect(book.position('PPLT')).toEqual({ symbol: 'PPLT', quantity: 0, averagePrice: 0 });
    expect(book.detail('IAU')).toEqual({ symbol: 'IAU', quantity: 0, averagePrice: 0, multiplier: 1, realisedPnl: 100, commissions: 0 });
    expect(book.detail('PPLT')).toBeUndefined();
    expect(book.realisedPnl()).toBe(100);
    expect(book.commissions()).toBe(7);
  });

  it('marks to market with signed values and the multiplier', () => {
    const prices: Record<string, number> = { GC: 4010, GLD: 175, SLV: 24 };
    const mark = mixedBook().markToMarket((symbol) => prices[symbol] ?? Number.NaN);
    // GC 2 × 4010 × 100 = 802 000; GLD 10 × 175 = 1 750; SLV -100 × 24 = -2 400
    expect(mark.marketValue).toBeCloseTo(802_000 + 1_750 - 2_400, 9);
    // GC 2 × 10 × 100 = 2 000; GLD 10 × -5 = -50; SLV -100 × -1 = 100
    expect(mark.unrealised).toBeCloseTo(2_000 - 50 + 100, 9);
    expect(mark.lines.map((line) => [line.symbol, line.unrealised])).toEqual([
      ['GC', 2_000],
      ['GLD', -50],
      ['SLV', 100],
    ]);
  });

  it('refuses to mark a position without a price', () => {
    expect(() => mixedBook().markToMarket((symbol) => (symbol === 'GLD' ? 175 : Number.NaN))).toThrow(expect.objectContaining({ code: 'SH_ERR_PORTFOLIO_PRICE_MISSING' }));
  });
});

describe('PositionBook snapshots', () => {
  it('round-trips through JSON and carries on identically', () => {
    const book = play([['buy', 100, 10, 1], ['sell', 30, 12, 1]]);
    book.applyFill({ symbol: 'GC', side: 'sell', quantity: 1, price: 4000 }, 100);
    const json = JSON.stringify(book.snapshot());
    const restored = PositionBook.fromSnapshot(JSON.parse(json) as PositionBookSnapshot);
    expect(restored.snapshot()).toEqual(book.snapshot());
    const next = { symbol: 'GLD', side: 'sell' as const, quantity: 100, price: 11 };
    expect(restored.applyFill(next)).toEqual(book.applyFill(next));
    expect(restored.realisedPnl()).toBe(book.realisedPnl());
    // GC keeps its multiplier: a fill without it is refused after the restore too
    expect(() => restored.applyFill({ symbol: 'GC', side: 'buy', quantity: 1, price: 4000 })).toThrow(expect.objectContaining({ code: 'SH_ERR_PORTFOLIO_FILL_INVALID' }));
  });

  it('replaces the state on restore', () => {
    const book = play([['buy', 5, 10]]);
    book.restore({ version: 1, entries: [{ symbol: 'SLV', quantity: -3, averagePrice: 20, multiplier: 1, realisedPnl: 7, commissions: 1 }] });
    expect(book.positions()).toEqual([{ symbol: 'SLV', quantity: -3, averagePrice: 20 }]);
    expect(book.realisedPnl()).toBe(7);
  });

  it.each<[string, unknown]>([
    ['a wrong version', { version: 2, entries: [] }],
    ['no entries', { version: 1 }],
    ['a NaN quantity', { version: 1, entries: [{ symbol: 'GLD', quantity: Number.NaN, averagePrice: 1, multiplier: 1, realisedPnl: 0, commissions: 0 }] }],
    ['a missing field', { version: 1, entries: [{ symbol: 'GLD', quantity: 1, averagePrice: 1, multiplier: 1, realisedPnl: 0 }] }],
    ['a repeated symbol', { version: 1, entries: [1, 2].map(() => ({ symbol: 'GLD', quantity: 1, averagePrice: 1, multiplier: 1, realisedPnl: 0, commissions: 0 })) }],
    ['a zero multiplier', { version: 1, entries: [{ symbol: 'GLD', quantity: 1, averagePrice: 1, multiplier: 0, realisedPnl: 0, commissions: 0 }] }],
  ])('refuses %s and keeps its state', (_name, snapshot) => {
    const book = play([['buy', 5, 10]]);
    expect(() => book.restore(snapshot as PositionBookSnapshot)).toThrow(expect.objectContaining({ code: 'SH_ERR_PORTFOLIO_SNAPSHOT_INVALID' }));
    expect(book.position('GLD')).toEqual({ symbol: 'GLD', quantity: 5, averagePrice: 10 });
  });
});
