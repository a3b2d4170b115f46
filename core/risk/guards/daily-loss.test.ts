import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

const CASES: GuardCase[] = [
  { name: 'no loss: pass', expected: { result: 'pass', compared: { dayStartEquity: 100_000, equity: 100_000, lossFraction: 0, maxLossFraction: 0.03 } } },
  { name: 'a loss just under 3%: pass', state: { equity: 97_001 }, expected: { result: 'pass' } },
  { name: 'a loss of 3% exactly: tripped, a buy is rejected', state: { equity: 97_000 }, expected: { result: 'reject', compared: { lossFraction: 0.03 } }, reason: /daily loss 3.00%/ },
  { name: 'tripped: an exit passes', state: { equity: 95_000, positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'pass', quantity: 100 } },
  { name: 'tripped: a reversal is clipped to the exit', state: { equity: 95_000, positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 250 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'a gain: pass', state: { equity: 120_000 }, expected: { result: 'pass' } },
  { name: 'a configured 1%', config: { maxLossFraction: 0.01 }, state: { equity: 99_000 }, expected: { result: 'reject' } },
  { name: 'unknown day-start equity fails closed', state: { dayStartEquity: Number.NaN }, expected: { result: 'reject' }, reason: /unusable/ },
];

describe('daily-loss guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('daily-loss', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('maxLossFraction');
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
