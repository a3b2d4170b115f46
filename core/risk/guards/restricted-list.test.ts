import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

const LIST = { symbols: ['GLD', 'GDXJ'] };

const CASES: GuardCase[] = [
  { name: 'a symbol not on the list passes', config: LIST, intent: { symbol: 'SLV' }, expected: { result: 'pass', quantity: 100, compared: { restricted: false } } },
  { name: 'the default list is empty', expected: { result: 'pass', quantity: 100 } },
  { name: 'a buy in a listed symbol is rejected', config: LIST, expected: { result: 'reject', compared: { restricted: true } }, reason: /GLD is on the restricted list/ },
  { name: 'a new short in a listed symbol is rejected', config: LIST, intent: { side: 'sell' }, expected: { result: 'reject' } },
  { name: 'selling a held listed symbol passes (allowReducing)', config: LIST, state: { positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'pass', quantity: 100 } },
  { name: 'reversing a held listed symbol is clipped to flat', config: LIST, state: { positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 150 }, expected: { result: 'clip', quantity: 100 } },
  { name: 'allowReducing false: even the exit is rejected', config: { ...LIST, allowReducing: false }, state: { positions: { GLD: 100 } }, intent: { side: 'sell', quantity: 100 }, expected: { result: 'reject', compared: { allowReducing: false } } },
];

describe('restricted-list guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('restricted-list', c);
    expect(outcome).toMatchObject(c.expected);
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
  });
});
