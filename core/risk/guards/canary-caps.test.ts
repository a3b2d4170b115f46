import { describe, expect, it } from 'vitest';
import { runCase, type GuardCase } from './fake-view.js';

// canary-a and canary-b are canaries, core is live. Caps: 50 000 per instrument, 100 000 per plugin. GLD at 100.
const MODES = { modes: { 'canary-a': 'canary', 'canary-b': 'canary', core: 'live' } } as const;
const withTargets = (targets: Record<string, Record<string, number>>, extra: object = {}): GuardCase['state'] => ({ ...MODES, targets, ...extra });

const CASES: GuardCase[] = [
  { name: 'a live-only intent passes', state: withTargets({ core: { GLD: 1e6 } }), intent: { attribution: ['core'], quantity: 10_000 }, expected: { result: 'pass', compared: { canaryPlugins: '' } } },
  { name: 'a canary at the instrument cap exactly: pass', state: withTargets({ 'canary-a': { GLD: 50_000 } }), intent: { attribution: ['canary-a'], quantity: 500 }, expected: { result: 'pass', compared: { instrumentNotional: 50_000, maxInstrumentNotional: 50_000, trimNotional: 0 } } },
  { name: 'a canary 100 over the instrument cap: one share trimmed', state: withTargets({ 'canary-a': { GLD: 50_100 } }), intent: { attribution: ['canary-a'], quantity: 501 }, expected: { result: 'clip', quantity: 500, compared: { trimNotional: 100 } } },
  { name: 'a short canary target counts at its absolute value', state: withTargets({ 'canary-a': { GLD: -60_000 } }), intent: { attribution: ['canary-a'], side: 'sell', quantity: 600 }, expected: { result: 'clip', quantity: 500 } },
  {
    name: 'two canaries on one instrument are combined',
    state: withTargets({ 'canary-a': { GLD: 30_000 }, 'canary-b': { GLD: 30_000 }, core: { GLD: 40_000 } }),
    intent: { attribution: ['core', 'canary-a', 'canary-b'], quantity: 1_000 },
    expected: { result: 'clip', quantity: 900, compared: { canaryPlugins: 'canary-a,canary-b', instrumentNotional: 60_000 } },
  },
  {
    name: 'a canary over its plugin cap gives up its share on this symbol',
    config: { maxInstrumentNotional: 1e9 },
    state: withTargets({ 'canary-a': { GLD: 60_000, SLV: 60_000 } }, { positions: { SLV: 600 } }),
    intent: { attribution: ['canary-a'], quantity: 600 },
    expected: { result: 'clip', quantity: 500, compared: { largestPlugin: 'canary-a', largestPluginNotional: 120_000 } },
  },
  { name: 'a canary at its plugin cap exactly: pass', config: { maxInstrumentNotional: 1e9 }, state: withTargets({ 'canary-a': { GLD: 50_000, SLV: 50_000 } }, { positions: { SLV: 500 } }), intent: { attribution: ['canary-a'], quantity: 500 }, expected: { result: 'pass' } },
  { name: 'a canary pulling the other way does not cut the order', state: withTargets({ 'canary-a': { GLD: -80_000 }, core: { GLD: 100_000 } }), intent: { attribution: ['core', 'canary-a'], quantity: 200 }, expected: { result: 'pass' } },
  { name: 'an excess larger than the order: reject', state: withTargets({ 'canary-a': { GLD: 80_000 } }, { positions: { GLD: 700 } }), intent: { attribution: ['canary-a'], quantity: 100 }, expected: { result: 'reject' } },
  { name: 'a risk-reducing order passes whatever the excess', state: withTargets({ 'canary-a': { GLD: 80_000 } }, { positions: { GLD: 1_000 } }), intent: { attribution: ['canary-a'], side: 'sell', quantity: 200 }, expected: { result: 'pass' } },
  { name: 'a plugin not in canary mode is ignored', state: withTargets({ shadowed: { GLD: 1e6 } }, { modes: { shadowed: 'shadow' } }), intent: { attribution: ['shadowed'] }, expected: { result: 'pass' } },
];

describe('canary-caps guard', () => {
  it.each(CASES)('$name', (c) => {
    const outcome = runCase('canary-caps', c);
    expect(outcome).toMatchObject(c.expected);
    expect(outcome.compared).toHaveProperty('canaryPlugins');
  });
});
