import { describe, expect, it } from 'vitest';
import type { AcceptedOrder } from '../guard.js';
import { FAKE_NOW, runCase, type GuardCase } from './fake-view.js';

// Equity 100 000 and 2x: room for 200 000 of gross. SLV is held: 1 000 at 100 = 100 000.
const HELD = { positions: { SLV: 1_000 } };
const basketOrder = (symbol: string, quantity: number): AcceptedOrder => ({ clientOrderId: `b-${symbol}`, symbol, side: quantity > 0 ? 'buy' : 'sell', quantity: Math.abs(quantity), time: FAKE_NOW });

const CASES: GuardCase[] = [
  { name: 'to 2x exactly: pass', state: HELD, intent: { quantity: 1_000 }, expected: { result: 'pass', compared: { grossBefore: 100_000, grossAfter: 200_000, limit: 200_000, maxGrossLeverage: 2 } } },
  { name: 'one share past 2x: clip', state: HELD, intent: { quantity: 1_001 }, expected: { result: 'clip', quantity: 1_000 } },
  { name: 'shorts count at their absolute value', state: { positions: { SLV: -1_000 } }, intent: { quantity: 1_001 }, expected: { result: 'clip', quantity: 1_000 } },
  { name: 'held symbols are valued at view prices', state: { ...HELD, prices: { SLV: 150 } }, intent: { quantity: 600 }, expected: { result: 'clip', quantity: 500 } },
  {
    name: 'the basket counts: a symbol bought earlier in the basket, not yet held',
    state: { ...HELD, basket: { IAU: 500 }, accepted: [basketOrder('IAU', 500)] },
    intent: { quantity: 501 },
    expected: { result: 'clip', quantity: 500, compared: { grossBefore: 150_000 } },
  },
  { name: 'the basket counts on the order symbol too', state: { ...HELD, basket: { GLD: 900 }, accepted: [basketOrder('GLD', 900)] }, intent: { quantity: 100 }, expected: { result: 'pass' } },
  { name: 'the basket counts on the order symbol: one more is rejected', state: { ...HELD, basket: { GLD: 1_000 }, accepted: [basketOrder('GLD', 1_000)] }, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'over the limit after a loss, a reduction still passes', state: { ...HELD, equity: 40_000 }, intent: { symbol: 'SLV', side: 'sell', quantity: 10 }, expected: { result: 'pass' } },
  { name: 'over the limit after a loss, any increase is rejected', state: { ...HELD, equity: 40_000 }, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'a reversal keeps what does not grow gross', state: { positions: { GLD: 1_500 } }, intent: { side: 'sell', quantity: 4_000 }, expected: { result: 'clip', quantity: 3_500 } },
  { name: 'a configured 1x', config: { maxGrossLeverage: 1 }, state: HELD, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'zero equity: no room for new risk', state: { equity: 0 }, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'a held position without a price: no room', state: { ...HELD, prices: { SLV: Number.NaN } }, intent: { quantity: 1 }, expected: { result: 'reject' }, reason: /no usable price/ },
];

describe('gross-exposure guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('gross-exposure', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('limit');
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
