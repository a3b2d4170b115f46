import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

const PEAK = { peakEquity: 100_000 };

const CASES: GuardCase[] = [
  { name: 'at the peak: pass', state: PEAK, expected: { result: 'pass', compared: { peakEquity: 100_000, drawdown: 0, maxDrawdown: 0.15 } } },
  { name: 'just under 15% down: pass', state: { ...PEAK, equity: 85_001 }, expected: { result: 'pass' } },
  { name: '15% down exactly: tripped, a buy is rejected', state: { ...PEAK, equity: 85_000, dayStartEquity: 85_000 }, expected: { result: 'reject', compared: { drawdown: 0.15 } }, reason: /drawdown 15.00%/ },
  { name: 'tripped: covering a short passes', state: { ...PEAK, equity: 80_000, positions: { GLD: -30 } }, intent: { quantity: 30 }, expected: { result: 'pass', quantity: 30 } },
  { name: 'a configured 10%', config: { maxDrawdown: 0.1 }, state: { ...PEAK, equity: 90_000 }, expected: { result: 'reject' } },
  { name: 'no peak yet fails closed', state: { peakEquity: Number.NEGATIVE_INFINITY }, expected: { result: 'reject' }, reason: /unusable/ },
];

describe('drawdown guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('drawdown', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('maxDrawdown');
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
