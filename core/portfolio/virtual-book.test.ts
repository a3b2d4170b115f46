import { describe, expect, it } from 'vitest';
import { VirtualBook } from './virtual-book.js';

const FREE = { commissionPerShare: 0, minimumCommission: 0, halfSpreadBps: 0, slippageBps: 0 };
const bar = (open: number, close: number) => ({ open, close });

describe('VirtualBook', () => {
  it('trades targets at the next open and marks at the close', () => {
    const book = new VirtualBook('p', 10_000, FREE);
    book.setTargets(new Map([['GLD', 1]]));
    book.onBars(new Map([['GLD', bar(100, 110)]]));
    expect(book.holdings().get('GLD')).toBe(100);
    expect(book.equity()).toBe(11_000);
    expect(book.trades()).toBe(1);
  });

  it('a close leg holds only from the close to the next open (overnight)', () => {
    const book = new VirtualBook('p', 10_000, FREE);
    // Decided at a close: flat after the next open, long after the next close.
    book.setTargets(new Map(), new Map([['GLD', 1]]));
    book.onBars(new Map([['GLD', bar(100, 100)]]));
    expect(book.holdings().get('GLD')).toBe(100);
    // Next decision: again flat after the open (sells at 104: the overnight gain), long again at the close.
    book.setTargets(new Map(), new Map([['GLD', 1]]));
    book.onBars(new Map([['GLD', bar(104, 90)]]));
    // Sold 100 at 104 (+400), bought 115 at 90 (equity 10,400 / 90, rounded down): the day's fall was not held.
    expect(book.holdings().get('GLD')).toBe(115);
    expect(book.equity()).toBe(10_400);
    expect(book.trades()).toBe(3);
  });

  it('costs are adverse on both legs', () => {
    const book = new VirtualBook('p', 10_000, { commissionPerShare: 0.01, minimumCommission: 1, halfSpreadBps: 10, slippageBps: 0 });
    book.setTargets(new Map([['GLD', 0.5]]));
    book.onBars(new Map([['GLD', bar(100, 100)]]));
    // 50 shares at 100.1 plus a $1 minimum commission.
    expect(book.equity()).toBeCloseTo(10_000 - 50 * 0.1 - 1, 9);
  });
});
