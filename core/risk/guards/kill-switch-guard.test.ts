import { describe, expect, it } from 'vitest';
import { instrument } from '../../model/instrument.js';
import { runCase, type GuardCase } from './fake-view.js';

const CASES: GuardCase[] = [
  { name: 'ACTIVE: a buy from flat passes', expected: { result: 'pass', quantity: 100, compared: { tier: 'ACTIVE' } } },
  { name: 'WARN: alerts only, the buy passes', state: { tier: 'WARN' }, expected: { result: 'pass', quantity: 100 } },
  { name: 'THROTTLE: a new position is cut to half', state: { tier: 'THROTTLE' }, expected: { result: 'clip', quantity: 50, compared: { throttleSizeFactor: 0.5 } } },
  { name: 'THROTTLE: rounded down to lots', state: { tier: 'THROTTLE', instruments: { GLD: instrument('GLD', { lotSize: 30 }) } }, intent: { quantity: 90 }, expected: { result: 'clip', quantity: 30 } },
  { name: 'THROTTLE: less than a lot after the cut is rejected', state: { tier: 'THROTTLE' }, intent: { quantity: 1 }, expected: { result: 'reject', quantity: 0 } },
  { name: 'THROTTLE: a reduction passes whole', state: { tier: 'THROTTLE', positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'pass', quantity: 100 } },
  { name: 'THROTTLE: a reversal keeps at least its closing part', state: { tier: 'THROTTLE', positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 160 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'THROTTLE: factor 0.25 configured', config: { throttleSizeFactor: 0.25 }, state: { tier: 'THROTTLE' }, expected: { result: 'clip', quantity: 25 } },
  { name: 'NO_NEW: a buy from flat is rejected', state: { tier: 'NO_NEW' }, expected: { result: 'reject', compared: { tier: 'NO_NEW', positionBefore: 0 } }, reason: /only risk-reducing/ },
  { name: 'NO_NEW: adding to a long is rejected', state: { tier: 'NO_NEW', positions: { GLD: 100 } }, intent: { quantity: 1 }, expected: { result: 'reject' } },
  { name: 'NO_NEW: selling down a long passes', state: { tier: 'NO_NEW', positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 40 }, expected: { result: 'pass', quantity: 40 } },
  { name: 'NO_NEW: selling exactly to flat passes (boundary)', state: { tier: 'NO_NEW', positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'pass', quantity: 100 } },
  { name: 'NO_NEW: one past flat is clipped to flat', state: { tier: 'NO_NEW', positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 101 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'NO_NEW: covering a short passes', state: { tier: 'NO_NEW', positions: { GLD: -50 } }, intent: { side: 'buy', quantity: 50 }, expected: { result: 'pass', quantity: 50 } },
  {
    name: 'NO_NEW: the basket already sold most of the long, so only the rest reduces',
    state: { tier: 'NO_NEW', positions: { GLD: 100 }, basket: { GLD: -80 } },
    intent: { side: 'sell', quantity: 80, positionBefore: 100 },
    expected: { result: 'clip', quantity: 20 },
  },
  { name: 'FLATTEN_ALL: a flattening sell passes', state: { tier: 'FLATTEN_ALL', positions: { GLD: 10 } }, intent: { side: 'sell', quantity: 10 }, expected: { result: 'pass', quantity: 10 } },
  { name: 'FLATTEN_ALL: a new short is rejected', state: { tier: 'FLATTEN_ALL' }, intent: { side: 'sell', quantity: 10 }, expected: { result: 'reject' } },
];

describe('kill-switch guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('kill-switch', c);
    expect(outcome).toMatchObject(c.expected);
    expect(Object.keys(outcome.compared).length).toBeGreaterThan(0);
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
