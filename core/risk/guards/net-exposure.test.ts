import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

// Equity 100 000 and 1x: net within ±100 000. SLV long 600 at 100 = +60 000.
const HELD = { positions: { SLV: 600 } };

const CASES: GuardCase[] = [
  { name: 'to +1x exactly: pass', state: HELD, intent: { quantity: 400 }, expected: { result: 'pass', compared: { netBefore: 60_000, netAfter: 100_000, limit: 100_000, maxNetLeverage: 1 } } },
  { name: 'one share past +1x: clip', state: HELD, intent: { quantity: 401 }, expected: { result: 'clip', quantity: 400 } },
  { name: 'a short that swings net past -1x is clipped at -1x', state: HELD, intent: { side: 'sell', quantity: 2_000 }, expected: { result: 'clip', quantity: 1_600 } },
  { name: 'a short to -1x exactly: pass', state: HELD, intent: { side: 'sell', quantity: 1_600 }, expected: { result: 'pass', compared: { netAfter: -100_000 } } },
  { name: 'a hedge that shrinks |net| passes even over the limit', state: { positions: { SLV: 1_500 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'pass' } },
  { name: 'over the limit, growing |net| is rejected', state: { positions: { SLV: 1_500 } }, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'closing one leg of a hedge passes though |net| grows', state: { positions: { GLD: 1_000, SLV: -1_000 }, equity: 50_000 }, intent: { side: 'sell', quantity: 1_000 }, expected: { result: 'pass' } },
  { name: 'a configured 0.5x', config: { maxNetLeverage: 0.5 }, intent: { quantity: 501 }, expected: { result: 'clip', quantity: 500 } },
  { name: 'no usable price: reject', intent: { referencePrice: Number.NaN }, expected: { result: 'reject' } },
];

describe('net-exposure guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('net-exposure', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('limit');
  });
});
