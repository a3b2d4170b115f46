import { describe, expect, it } from 'vitest';
import { instrument } from '../../model/instrument.js';
import { runCase, type GuardCase } from './fake-view.js';

const LIMIT = { maxNotional: 10_000 };

const CASES: GuardCase[] = [
  { name: 'at the notional limit: pass', config: LIMIT, expected: { result: 'pass', quantity: 100, compared: { notional: 10_000, maxNotional: 10_000 } } },
  { name: 'one share past: clip to the limit', config: LIMIT, intent: { quantity: 101 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'clipped to whole lots', config: LIMIT, state: { instruments: { GLD: instrument('GLD', { lotSize: 30 }) } }, intent: { quantity: 300 }, expected: { result: 'clip', quantity: 90 } },
  { name: 'the multiplier counts: 2 contracts at 2 000 x 100 reach 400 000', config: { maxNotional: 400_000 }, state: { instruments: { GC: instrument('GC', { assetClass: 'future', multiplier: 100 }) } }, intent: { symbol: 'GC', quantity: 2, referencePrice: 2_000 }, expected: { result: 'pass', compared: { notional: 400_000 } } },
  { name: 'the multiplier counts: past the limit', config: { maxNotional: 250_000 }, state: { instruments: { GC: instrument('GC', { assetClass: 'future', multiplier: 100 }) } }, intent: { symbol: 'GC', quantity: 2, referencePrice: 2_000 }, expected: { result: 'clip', quantity: 1 } },
  { name: 'one lot over the limit: reject', config: LIMIT, intent: { quantity: 1, referencePrice: 10_001 }, expected: { result: 'reject' } },
  { name: 'at the quantity limit: pass', config: { ...LIMIT, maxQuantity: 100 }, expected: { result: 'pass', compared: { maxQuantity: 100 } } },
  { name: 'past the quantity limit: clip', config: { maxNotional: 1e9, maxQuantity: 60 }, expected: { result: 'clip', quantity: 60 } },
  { name: 'applies to risk-reducing orders too', config: LIMIT, state: { positions: { GLD: 500 } }, intent: { side: 'sell', quantity: 500 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'no usable reference price: reject', config: LIMIT, intent: { referencePrice: Number.NaN }, expected: { result: 'reject' } },
  { name: 'the default limit is 250 000', intent: { quantity: 2_501 }, expected: { result: 'clip', quantity: 2_500 } },
];

describe('max-order-size guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('max-order-size', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('maxNotional');
  });
});
