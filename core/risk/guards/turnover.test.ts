import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

// Equity 100 000 and 1x: 100 000 may trade per day; 60 000 traded already.
const TRADED = { tradedToday: 60_000 };

const CASES: GuardCase[] = [
  { name: 'to the daily limit exactly: pass', state: TRADED, intent: { quantity: 400 }, expected: { result: 'pass', compared: { tradedToday: 60_000, orderNotional: 40_000, limit: 100_000, maxDailyTurnover: 1 } } },
  { name: 'one share past: clip', state: TRADED, intent: { quantity: 401 }, expected: { result: 'clip', quantity: 400 } },
  { name: 'the limit reached: reject', state: { tradedToday: 100_000 }, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'a risk-reducing order passes past the limit (flattening stays possible)', state: { tradedToday: 100_000, positions: { GLD: 500 } }, intent: { side: 'sell', quantity: 500 }, expected: { result: 'pass', quantity: 500 } },
  { name: 'a reversal past the limit keeps its closing part', state: { tradedToday: 100_000, positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 300 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'a configured 0.5x', config: { maxDailyTurnover: 0.5 }, intent: { quantity: 600 }, expected: { result: 'clip', quantity: 500 } },
  { name: 'no usable price: reject', intent: { referencePrice: Number.NaN }, expected: { result: 'reject' } },
];

describe('turnover guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('turnover', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('limit');
  });
});
