import { describe, expect, it } from 'vitest';
import type { AcceptedOrder } from '../guard.js';
import { FAKE_NOW, runCase, type GuardCase } from './fake-view.js';

const sent = (...agesMs: number[]): AcceptedOrder[] => agesMs.map((age, i) => ({ clientOrderId: `o${i}`, symbol: 'SLV', side: 'buy', quantity: i + 1, time: FAKE_NOW - age }));
const THREE_PER_MINUTE = { maxOrders: 3, windowMs: 60_000 };

const CASES: GuardCase[] = [
  { name: 'under the limit: pass', config: THREE_PER_MINUTE, state: { accepted: sent(59_999) }, expected: { result: 'pass', compared: { ordersInWindow: 1, limit: 3, windowMs: 60_000 } } },
  { name: 'the last order the limit allows: pass', config: THREE_PER_MINUTE, state: { accepted: sent(59_999, 1) }, expected: { result: 'pass', compared: { ordersInWindow: 2 } } },
  { name: 'one past the limit: reject (denied, never queued)', config: THREE_PER_MINUTE, state: { accepted: sent(59_999, 30_000, 0) }, expected: { result: 'reject', compared: { ordersInWindow: 3 } }, reason: /denied, not queued/ },
  { name: 'an order exactly windowMs ago is outside the window', config: THREE_PER_MINUTE, state: { accepted: sent(60_000, 30_000, 0) }, expected: { result: 'pass', compared: { ordersInWindow: 2 } } },
  { name: 'risk-reducing orders count and are denied too', config: THREE_PER_MINUTE, state: { accepted: sent(3, 2, 1), positions: { GLD: 100 } }, intent: { side: 'sell' }, expected: { result: 'reject' } },
  { name: 'THROTTLE halves the limit: 2 of 4 allowed', config: { maxOrders: 4 }, state: { tier: 'THROTTLE', accepted: sent(1) }, expected: { result: 'pass', compared: { limit: 2 } } },
  { name: 'THROTTLE: the third is denied', config: { maxOrders: 4 }, state: { tier: 'THROTTLE', accepted: sent(2, 1) }, expected: { result: 'reject', compared: { limit: 2, tier: 'THROTTLE' } } },
  { name: 'the default is 50 per minute', state: { accepted: sent(...Array.from({ length: 50 }, (_, i) => i)) }, expected: { result: 'reject', compared: { limit: 50 } } },
];

describe('order-rate guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('order-rate', c);
    expect(outcome).toMatchObject(c.expected);
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
