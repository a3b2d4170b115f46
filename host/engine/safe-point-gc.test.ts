import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { defineStrategy } from '../../core/index.js';
import { engineRig, inlinePlugin } from '../../test/integration/fixtures.js';
import { SafePointGc } from './safe-point-gc.js';

const youngUsed = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/** Allocates about `bytes` of short-lived objects (held in an array until it returns, so none is optimised away). */
function garbage(bytes: number): number {
  const held: { i: number }[] = [];
  for (let i = 0; i < bytes / 32; i++) held.push({ i });
  return held.length;
}

describe('SafePointGc', () => {
  it('collects the young generation once it is fuller than its fill, freeing what nothing holds', () => {
    const gc = new SafePointGc(0);
    expect(gc.available).toBe(true);
    garbage(4 << 20);
    const before = youngUsed();
    const ms = gc.afterCycle();
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(gc.collections).toBe(1);
    expect(gc.collectMs).toBe(ms);
    expect(youngUsed()).toBeLessThan(before);
  });

  it('does nothing while the young generation is below its fill', () => {
    const gc = new SafePointGc(2);
    garbage(1 << 20);
    expect(gc.afterCycle()).toBeUndefined();
    expect(gc.collections).toBe(0);
  });

  it('the engine collects between paper cycles with run.gcBetweenCycles, and never without it', async () => {
    // A plugin that allocates about 1 MB of garbage per evaluation: the young generation fills within a few cycles.
    const churn = defineStrategy({
      id: 'churn',
      version: '1.0.0',
      api: 1,
      summary: 'allocates garbage',
      params: {},
      needs: () => ({ bars: ['GLD'], history: 5 }),
      init: () => ({}),
      evaluate: () => ({ signals: [{ symbol: 'GLD', weight: garbage(1 << 20) > 0 ? 0.1 : 0, confidence: 1, reason: 'churn' }], state: {} }),
    });
    const collections = async (gcBetweenCycles: boolean): Promise<number> => {
      const rig = await engineRig({ plugins: [inlinePlugin(churn)], from: '2018-01-01', to: '2018-01-31', settings: { mode: 'paper', gcBetweenCycles } });
      await rig.engine.run();
      rig.journal.close();
      const text = await rig.metrics.registry.getSingleMetricAsString('strategy_host_gc_between_cycles_seconds');
      return Number(/strategy_host_gc_between_cycles_seconds_count (\d+)/.exec(text)?.[1]);
    };
    expect(await collections(true)).toBeGreaterThan(0);
    expect(await collections(false)).toBe(0);
  });
});
