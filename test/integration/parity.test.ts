import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesStore } from '../../core/index.js';
import { InlineExecutor } from '../../host/executor/inline.js';
import { PoolExecutor } from '../../host/executor/pool.js';
import type { LoadedPlugin } from '../../host/plugins/loader.js';
import { barByBar, decisionTimes, realPlugins, syntheticStore } from './fixtures.js';

/**
 * DESIGN.md §3: because signals depend only on data and state, any worker can evaluate any plugin, and a backtest
 * evaluating a plugin over its whole history in one task gives the same signals as bar-by-bar evaluation.
 */
describe('executor parity', () => {
  let plugins: LoadedPlugin[];
  let store: SeriesStore;
  let times: Float64Array;
  let inline: InlineExecutor;
  let pool: PoolExecutor;

  beforeAll(async () => {
    plugins = await realPlugins();
    ({ store } = await syntheticStore(plugins));
    times = decisionTimes(store, '2017-01-01', '2018-06-30');
    const specs = plugins.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }));
    inline = new InlineExecutor(store, specs);
    pool = new PoolExecutor(store, specs, { threads: 2, chunks: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('evaluates the three real plugins with non-trivial signals', async () => {
    expect(plugins.map((p) => p.id).sort()).toEqual(['gold-silver-ratio', 'mean-reversion', 'tsmom']);
    const inlineSignals = await barByBar(inline, plugins, times);
    for (const p of plugins) {
      const nonZero = inlineSignals.get(p.id)!.flat().filter((s) => s.weight !== 0).length;
      expect(nonZero, `${p.id} never trades on this window`).toBeGreaterThan(0);
    }
  });

  it('the pool gives exactly the signals of the inline executor, bar by bar', async () => {
    const [a, b] = [await barByBar(inline, plugins, times), await barByBar(pool, plugins, times)];
    for (const p of plugins) expect(b.get(p.id), p.id).toEqual(a.get(p.id));
  });

  it('a whole history in one task gives the signals of bar-by-bar evaluation (inline and pool)', async () => {
    const bars = await barByBar(inline, plugins, times);
    const entries = plugins.map((p) => ({ id: p.id, state: p.definition.init(p.params as never) }));
    for (const executor of [inline, pool]) {
      const histories = await executor.evaluateHistory(times, entries);
      for (const h of histories) {
        expect(h.fault).toBeUndefined();
        expect(h.evaluations).toBe(times.length);
        expect(h.signals.map((s) => [...s]), `${executor.kind} ${h.strategyId}`).toEqual(bars.get(h.strategyId));
      }
    }
  });
});
