import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesStore } from '../../core/index.js';
import { buildMlpModel, writeTestModels } from '../../adapters/inference/onnx/fixtures/test-models.js';
import type { BatchStats } from '../../adapters/inference/onnx/index.js';
import { loadConfig } from '../../host/config/load-config.js';
import { InlineExecutor } from '../../host/executor/inline.js';
import { PoolExecutor } from '../../host/executor/pool.js';
import { openInference, type OpenedInference } from '../../host/inference/open-inference.js';
import { providerScorer } from '../../host/inference/scorer.js';
import type { InferenceStats } from '../../host/inference/stats.js';
import { loadPlugins, type LoadedPlugin } from '../../host/plugins/loader.js';
import { barByBar, decisionTimes, syntheticStore, tempDir } from './fixtures.js';

/**
 * DESIGN.md §8 with §3: a plugin that scores a model gives the same signals wherever it runs. The inline executor
 * scores with the main thread's provider; each pool worker opens its own provider from the same registry. The MLP is
 * a real ONNX model built at test time; two fixture plugins score it (one row per symbol) next to tsmom, which uses
 * no model, so chunks mix both kinds.
 */
describe('inference parity: inline and pool workers score alike', () => {
  let dir: string;
  let plugins: LoadedPlugin[];
  let store: SeriesStore;
  let times: Float64Array;
  let inference: OpenedInference;
  let inline: InlineExecutor;
  let pool: PoolExecutor;
  let onePool: PoolExecutor;
  const inlineBatches: BatchStats[] = [];
  const workerStats: InferenceStats[] = [];
  const onePoolStats: InferenceStats[] = [];

  beforeAll(async () => {
    dir = tempDir('sh-inference-parity-');
    await writeTestModels(dir, [buildMlpModel()]);
    const registry = path.join(dir, 'registry.json');
    fs.writeFileSync(registry, JSON.stringify({ models: { mlp: { file: 'mlp.onnx' } } }));
    plugins = await loadPlugins({ dirs: ['test/fixtures/plugins/ml'], paths: ['plugins/tsmom/index.ts'], settings: {}, defaultMode: 'live' });
    ({ store } = await syntheticStore(plugins));
    times = decisionTimes(store, '2018-01-01', '2018-09-30');
    const config = loadConfig({ profile: 'demo', env: {}, overrides: { 'inference.registry': registry, 'inference.executionProviders': ['cpu'] } });
    inference = (await openInference(config, plugins))!;
    inference.provider.onBatch((s) => inlineBatches.push(s));
    const specs = plugins.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }));
    inline = new InlineExecutor(store, specs, { scorer: providerScorer(inference.provider) });
    pool = new PoolExecutor(store, specs, { threads: 2, chunks: 2, inference: inference.worker, onInferenceStats: (s) => workerStats.push(s) });
    onePool = new PoolExecutor(store, specs, { threads: 1, chunks: 1, inference: inference.worker, onInferenceStats: (s) => onePoolStats.push(s) });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pool?.close(), onePool?.close()]);
    await inference?.provider.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads the fixture plugins with their model and the model on the CPU provider', () => {
    expect(plugins.map((p) => [p.id, p.prepared.models])).toEqual([
      ['fixture-mlp-contrarian', ['mlp']],
      ['fixture-mlp-direction', ['mlp']],
      ['tsmom', []],
    ]);
    expect(inference.provider.describe()).toMatchObject({ provider: 'cpu', models: [{ id: 'mlp', provider: 'cpu', features: 16 }] });
    expect(inference.worker.models.map((m) => m.card.id)).toEqual(['mlp']);
  });

  it('the pool (one provider per worker) gives exactly the signals of the inline executor, bar by bar', async () => {
    const a = await barByBar(inline, plugins, times);
    for (const id of ['fixture-mlp-direction', 'fixture-mlp-contrarian']) {
      const signals = a.get(id)!.flat();
      expect(signals.filter((s) => s.weight !== 0).length, `${id} never trades`).toBeGreaterThan(50);
      expect(new Set(signals.map((s) => s.reason)).size, `${id} scores vary`).toBeGreaterThan(50);
    }
    const [b, c] = [await barByBar(pool, plugins, times), await barByBar(onePool, plugins, times)];
    for (const p of plugins) {
      expect(b.get(p.id), `${p.id} (2 workers)`).toEqual(a.get(p.id));
      expect(c.get(p.id), `${p.id} (1 worker)`).toEqual(a.get(p.id));
    }
  });

  it('coalesces the rows of every model plugin of a task into one run: inline per cycle, in a worker per chunk', () => {
    // Inline: both model plugins (2 symbols each) in one batch of 4 rows per cycle, run at the round's flush (or at
    // its deadline, when tsmom, evaluated while the batch waits, took longer than maxWait).
    const scoring = inlineBatches.filter((s) => s.rows > 0);
    expect(scoring.length).toBeGreaterThan(100);
    expect(scoring.every((s) => s.rows === 4 && s.requests === 2 && (s.trigger === 'flush' || s.trigger === 'deadline'))).toBe(true);
    // One worker, one chunk: the same, reported back with the task results.
    const one = onePoolStats.flat();
    expect(one.every((s) => s.modelId === 'mlp' && s.provider === 'cpu')).toBe(true);
    const rows = one.flatMap((s) => s.batchRows);
    expect(rows.length).toBe(scoring.length);
    expect(rows.every((r) => r === 4)).toBe(true);
    expect(one.flatMap((s) => s.queueWaitsMicros)).toHaveLength(2 * rows.length);
    // Two chunks: each worker batches the model plugins of its own chunk.
    const two = workerStats.flat();
    expect(two.flatMap((s) => s.runRows).reduce((n, r) => n + r, 0)).toBe(rows.length * 4);
  });

  it('a whole history in one task (per plugin on the pool) gives the signals of bar-by-bar evaluation', async () => {
    const bars = await barByBar(inline, plugins, times);
    const entries = plugins.map((p) => ({ id: p.id, state: p.definition.init(p.params as never) }));
    for (const executor of [inline, pool]) {
      const histories = await executor.evaluateHistory(times, entries);
      for (const h of histories) {
        expect(h.fault, `${executor.kind} ${h.strategyId}`).toBeUndefined();
        expect(h.evaluations).toBe(times.length);
        expect(h.signals.map((s) => [...s]), `${executor.kind} ${h.strategyId}`).toEqual(bars.get(h.strategyId));
      }
    }
  });

  it('without a scorer a model plugin faults at features (the host never runs so: it checks the registry first)', async () => {
    const specs = plugins.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }));
    const bare = new InlineExecutor(store, specs);
    const results = await bare.evaluateCycle(times[20]!, plugins.map((p) => ({ id: p.id, state: p.definition.init(p.params as never) })));
    expect(results.map((r) => (r.ok ? 'ok' : `${r.fault.hook} ${r.fault.code}`))).toEqual(['features SH_ERR_INFERENCE_MODEL_UNKNOWN', 'features SH_ERR_INFERENCE_MODEL_UNKNOWN', 'ok']);
  });
});
