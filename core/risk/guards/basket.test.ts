import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../model/order.js';
import { RiskChain } from '../chain.js';
import { fakeIntent, fakeView, type FakeState } from './fake-view.js';
import { buildGuards, type GuardConfig } from './index.js';

interface BasketCase {
  readonly name: string;
  readonly guards: GuardConfig[];
  readonly intents: Partial<OrderIntent>[];
  readonly state?: Partial<FakeState>;
  /** Quantity sent per intent; undefined when rejected. */
  readonly expected: (number | undefined)[];
}

/** Limits hold for a whole basket: each order sees what the basket accepted before it (through checkBasket). */
function runBasket(c: BasketCase): (number | undefined)[] {
  const { acceptedInBasket: _basketAddsThis, ...base } = fakeView(c.state);
  const chain = new RiskChain(buildGuards(c.guards));
  return chain.checkBasket(c.intents.map((fields, i) => fakeIntent({ clientOrderId: `b-${i}`, ...fields })), base).map((o) => o.intent?.quantity);
}

const CASES: BasketCase[] = [
  {
    name: 'turnover: three orders of 40 000 against 100 000 a day: the third is clipped to what is left',
    guards: [{ name: 'turnover', maxDailyTurnover: 1 }],
    intents: [{ symbol: 'GLD' }, { symbol: 'SLV' }, { symbol: 'IAU' }].map((f) => ({ ...f, quantity: 400 })),
    expected: [400, 400, 200],
  },
  {
    name: 'gross exposure: symbols bought earlier in the basket count',
    guards: [{ name: 'gross-exposure', maxGrossLeverage: 1 }],
    intents: [{ symbol: 'GLD', quantity: 600 }, { symbol: 'SLV', quantity: 600 }],
    expected: [600, 400],
  },
  {
    name: 'position limit: two orders on one symbol',
    guards: [{ name: 'position-limit', maxPositionNotional: 50_000 }],
    intents: [{ quantity: 300 }, { quantity: 300 }],
    expected: [300, 200],
  },
  {
    name: 'order rate: the basket fills the window',
    guards: [{ name: 'order-rate', maxOrders: 2 }],
    intents: [{ quantity: 1 }, { quantity: 2 }, { quantity: 3 }],
    expected: [1, 2, undefined],
  },
  {
    name: 'duplicate intent: the same order twice in one basket',
    guards: [{ name: 'duplicate-intent' }],
    intents: [{ quantity: 10 }, { quantity: 10 }, { quantity: 11 }],
    expected: [10, undefined, 11],
  },
  {
    name: 'duplicate intent: an open leg and a market-on-close leg of the same size are both sent',
    guards: [{ name: 'duplicate-intent' }],
    intents: [{ quantity: 100, positionBefore: 0 }, { type: 'market-on-close', quantity: 100, positionBefore: 100 }],
    expected: [100, 100],
  },
  {
    name: 'kill switch NO_NEW: a second sell on the same symbol may not take the long short',
    guards: [{ name: 'kill-switch' }],
    intents: [{ side: 'sell', quantity: 60, positionBefore: 100 }, { side: 'sell', quantity: 60, positionBefore: 100 }],
    state: { tier: 'NO_NEW', positions: { GLD: 100 } },
    expected: [60, 40],
  },
];

describe('basket limits through checkBasket', () => {
  it.each(CASES)('$name', (c) => {
    expect(runBasket(c)).toEqual(c.expected);
  });
});
