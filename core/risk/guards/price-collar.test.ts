import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

// The independent reference view.price(GLD) is 100 unless a case sets it.
const CASES: GuardCase[] = [
  { name: 'at the reference: pass', expected: { result: 'pass', compared: { price: 100, reference: 100, deviation: 0, maxDeviation: 0.05 } } },
  { name: 'reference price 5% above (the edge): pass', intent: { referencePrice: 105 }, expected: { result: 'pass', compared: { deviation: 0.05 } } },
  { name: 'reference price 5% below (the edge): pass', intent: { referencePrice: 95 }, expected: { result: 'pass' } },
  { name: 'just past +5%: reject', intent: { referencePrice: 105.01 }, expected: { result: 'reject' }, reason: /over the 5% collar/ },
  { name: 'just past -5%: reject', intent: { referencePrice: 94.99 }, expected: { result: 'reject' } },
  { name: 'the limit price is the order price when present', intent: { type: 'limit', limitPrice: 106, referencePrice: 100 }, expected: { result: 'reject', compared: { price: 106 } } },
  { name: 'a limit price inside the collar passes', intent: { type: 'limit', limitPrice: 104, referencePrice: 130 }, expected: { result: 'pass', compared: { price: 104 } } },
  { name: 'a tighter collar', config: { maxDeviation: 0.01 }, intent: { referencePrice: 101.5 }, expected: { result: 'reject' } },
  { name: 'no reference price (NaN): reject', state: { prices: { GLD: Number.NaN } }, expected: { result: 'reject' }, reason: /no usable reference price/ },
  { name: 'a zero reference: reject', state: { prices: { GLD: 0 } }, expected: { result: 'reject' } },
  { name: 'a non-positive order price: reject', intent: { type: 'limit', limitPrice: -1 }, expected: { result: 'reject' } },
  { name: 'a risk-reducing order far off the reference is still rejected', state: { positions: { GLD: 100 } }, intent: { side: 'sell', referencePrice: 50 }, expected: { result: 'reject' } },
];

describe('price-collar guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('price-collar', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('maxDeviation');
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
