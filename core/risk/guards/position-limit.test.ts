import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

const LIMIT = { maxPositionNotional: 10_000 };

const CASES: GuardCase[] = [
  { name: 'up to the limit from flat: pass', config: LIMIT, expected: { result: 'pass', quantity: 100, compared: { positionAfter: 100, notionalAfter: 10_000, limit: 10_000 } } },
  { name: 'one past: clip', config: LIMIT, intent: { quantity: 101 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'the basket counts: position 50 + basket 20 + 30 reaches the limit', config: LIMIT, state: { positions: { GLD: 50 }, basket: { GLD: 20 } }, intent: { quantity: 30 }, expected: { result: 'pass', compared: { positionBefore: 70 } } },
  { name: 'the basket counts: one more is clipped', config: LIMIT, state: { positions: { GLD: 50 }, basket: { GLD: 20 } }, intent: { quantity: 31 }, expected: { result: 'clip', quantity: 30 } },
  { name: 'at the limit, nothing more fits: reject', config: LIMIT, state: { positions: { GLD: 100 } }, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'short side: at the limit, one more short is rejected', config: LIMIT, state: { positions: { GLD: -100 } }, intent: { side: 'sell', quantity: 1 }, expected: { result: 'reject' } },
  { name: 'a reduction passes even over the limit', config: LIMIT, state: { positions: { GLD: 300 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'pass' } },
  { name: 'a reversal is clipped at the limit on the other side', config: LIMIT, state: { positions: { GLD: 50 } }, intent: { side: 'sell', quantity: 160 }, expected: { result: 'clip', quantity: 150 } },
  { name: 'a per-symbol override', config: { ...LIMIT, perSymbol: { GLD: 5_000 } }, intent: { quantity: 60 }, expected: { result: 'clip', quantity: 50, compared: { limit: 5_000 } } },
  { name: 'no usable price for an increase: reject', config: LIMIT, intent: { referencePrice: 0 }, expected: { result: 'reject' } },
];

describe('position-limit guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('position-limit', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('limit');
  });
});
