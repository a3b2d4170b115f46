import { describe, expect, it } from 'vitest';
import { instrument } from '../../model/instrument.js';
import { runCase, type GuardCase } from './fake-view.js';

const INSTRUMENTS = {
  GLD: instrument('GLD', { tags: { metal: 'gold' } }),
  IAU: instrument('IAU', { tags: { metal: 'gold' } }),
  SLV: instrument('SLV', { tags: { metal: 'silver' } }),
  SPY: instrument('SPY'),
};
// Equity 100 000, 60%: 60 000 per metal. GLD held: 300 at 100 = 30 000 of gold.
const BOOK = { instruments: INSTRUMENTS, positions: { GLD: 300 } };

const CASES: GuardCase[] = [
  { name: 'gold to 60% of equity exactly: pass', state: BOOK, intent: { symbol: 'IAU', quantity: 300 }, expected: { result: 'pass', compared: { group: 'gold', groupBefore: 30_000, groupAfter: 60_000, limit: 60_000, maxShare: 0.6 } } },
  { name: 'one share past: clip', state: BOOK, intent: { symbol: 'IAU', quantity: 301 }, expected: { result: 'clip', quantity: 300 } },
  { name: 'adding to the held member counts the whole group', state: BOOK, intent: { symbol: 'GLD', quantity: 400 }, expected: { result: 'clip', quantity: 300 } },
  { name: 'another metal has its own room', state: BOOK, intent: { symbol: 'SLV', quantity: 600 }, expected: { result: 'pass', compared: { group: 'silver', groupAfter: 60_000 } } },
  { name: 'an untagged instrument is not checked', state: BOOK, intent: { symbol: 'SPY', quantity: 10_000 }, expected: { result: 'pass', compared: { group: '' } } },
  { name: 'the basket counts', state: { ...BOOK, basket: { GLD: 300 } }, intent: { symbol: 'IAU', quantity: 1 }, expected: { result: 'reject' } },
  { name: 'a reduction passes even over the limit', state: { ...BOOK, equity: 20_000 }, intent: { symbol: 'GLD', side: 'sell', quantity: 100 }, expected: { result: 'pass' } },
  { name: 'another tag and share', config: { tag: 'sector', maxShare: 0.1 }, state: { instruments: { XLE: instrument('XLE', { tags: { sector: 'energy' } }) } }, intent: { symbol: 'XLE', quantity: 200 }, expected: { result: 'clip', quantity: 100 } },
];

describe('concentration guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('concentration', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('tag');
  });
});
