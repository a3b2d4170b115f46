import { describe, expect, it } from 'vitest';
import type { AcceptedOrder } from '../guard.js';
import { FAKE_NOW, runCase, type GuardCase } from './fake-view.js';

const order = (ageMs: number, fields: Partial<AcceptedOrder> = {}): AcceptedOrder => ({ clientOrderId: 'earlier', symbol: 'GLD', side: 'buy', quantity: 100, time: FAKE_NOW - ageMs, ...fields });

const CASES: GuardCase[] = [
  { name: 'nothing accepted before: pass', expected: { result: 'pass', compared: { windowMs: 5_000, quantity: 100 } } },
  { name: 'identical order 4 999 ms ago: reject', state: { accepted: [order(4_999)] }, expected: { result: 'reject', compared: { duplicateOf: 'earlier', ageMs: 4_999 } }, reason: /duplicate of earlier/ },
  { name: 'identical order exactly 5 000 ms ago: outside the window, pass', state: { accepted: [order(5_000)] }, expected: { result: 'pass' } },
  { name: 'another quantity: pass', state: { accepted: [order(0, { quantity: 99 })] }, expected: { result: 'pass' } },
  { name: 'another side: pass', state: { accepted: [order(0, { side: 'sell' })] }, expected: { result: 'pass' } },
  { name: 'another symbol: pass', state: { accepted: [order(0, { symbol: 'SLV' })] }, expected: { result: 'pass' } },
  { name: 'the same client order id, however old: reject', state: { accepted: [order(20 * 3_600_000, { clientOrderId: 'run-1-c1-GLD-0', quantity: 7 })] }, expected: { result: 'reject', compared: { clientOrderId: 'run-1-c1-GLD-0' } } },
  { name: 'a longer window', config: { windowMs: 60_000 }, state: { accepted: [order(30_000)] }, expected: { result: 'reject' } },
  {
    name: 'in one basket: the same order again, from the same position, is a duplicate',
    state: { basket: { GLD: 100 }, accepted: [order(0)] },
    intent: { positionBefore: 0 },
    expected: { result: 'reject' },
  },
  {
    name: 'in one basket: a second leg built on the first (positionBefore includes it) is not',
    state: { basket: { GLD: 100 }, accepted: [order(0)] },
    intent: { type: 'market-on-close', positionBefore: 100 },
    expected: { result: 'pass' },
  },
  { name: 'a repeated exit is rejected too', state: { positions: { GLD: 100 }, accepted: [order(10, { side: 'sell' })] }, intent: { side: 'sell' }, expected: { result: 'reject' } },
];

describe('duplicate-intent guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('duplicate-intent', c);
    expect(outcome).toMatchObject(c.expected);
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
