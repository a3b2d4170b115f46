import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barId, parseDate, resolveParams, SeriesStore, type AnyStrategy, type EvaluationResult } from '../../core/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';
import { InlineExecutor } from './inline.js';
import { PoolExecutor } from './pool.js';

/*
 * The pool shares a cycle's plugins between its workers by work claiming. Every plugin must be evaluated exactly once
 * per cycle, whatever worker claims it, and a plugin that hangs must be found and faulted without losing the others.
 */

const CORE_URL = pathToFileURL(path.resolve('core/index.ts')).href;

/** A plugin module: counts its evaluations in its state; `hangAt` (epoch ms) makes it spin forever at that time. */
function pluginSource(id: string, spin: number, hangAt?: number): string {
  return `import { defineStrategy } from ${JSON.stringify(CORE_URL)};
export default defineStrategy({
  id: ${JSON.stringify(id)}, version: '1.0.0', api: 1, summary: 'pool test plugin', params: {}, timeBudgetMs: 60000,
  needs: () => ({ bars: ['GLD'], history: 20 }),
  init: () => ({ evaluations: 0 }),
  evaluate(ctx, _params, state) {
    ${hangAt === undefined ? '' : `if (ctx.now === ${hangAt}) for (;;) {}`}
    const close = ctx.bars('GLD').close;
    let x = 0;
    for (let k = 0; k < ${spin}; k++) for (let i = 0; i < close.length; i++) x += Math.sqrt(close[i] + k);
    const weight = Math.round(Math.tanh(x % 7 - 3.5) * 4) / 4;
    return { signals: [{ symbol: 'GLD', weight, confidence: 0.5, reason: 'pool test' }], state: { evaluations: state.evaluations + 1 } };
  },
});
`;
}

describe('PoolExecutor work claiming', () => {
  let dir: string;
  let store: SeriesStore;
  let times: number[];
  const specs: { id: string; modulePath: string; params: Record<string, unknown>; definition: AnyStrategy }[] = [];
  let hangAt: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-test-'));
    const adapter = new SyntheticDataAdapter({ start: '2019-01-01', end: '2019-06-30' });
    store = SeriesStore.build(await adapter.history({ ids: [barId('GLD')], from: parseDate('2019-01-01'), to: parseDate('2019-07-01') }));
    const full = store.full(barId('GLD'));
    times = [...full.available].slice(30, 60);
    hangAt = times[5] as number;
    for (let i = 0; i < 12; i++) {
      const id = `pool-test-${String(i).padStart(2, '0')}`;
      const modulePath = path.join(dir, `${id}.mjs`);
      // Costs from 1 to 40 passes, so claiming order matters; plugin 07 hangs at one decision time.
      fs.writeFileSync(modulePath, pluginSource(id, 1 + ((i * 7) % 40), i === 7 ? hangAt : undefined));
      const definition = ((await import(pathToFileURL(modulePath).href)) as { default: AnyStrategy }).default;
      specs.push({ id, modulePath, params: resolveParams(definition.params, {}, id).params, definition });
    }
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runCycles(executor: InlineExecutor | PoolExecutor, ats: readonly number[]): Promise<Map<string, EvaluationResult[]>> {
    const states = new Map(specs.map((s) => [s.id, s.definition.init({} as never)]));
    const out = new Map(specs.map((s) => [s.id, [] as EvaluationResult[]]));
    for (const now of ats) {
      const results = await executor.evaluateCycle(now, specs.map((s) => ({ id: s.id, state: states.get(s.id) })));
      expect(results.map((r) => r.strategyId)).toEqual(specs.map((s) => s.id));
      for (const r of results) {
        out.get(r.strategyId)!.push(r);
        if (r.ok) states.set(r.strategyId, r.state);
      }
    }
    return out;
  }

  it('evaluates every plugin exactly once per cycle, with the signals of the inline executor', async () => {
    const ats = times.filter((t) => t !== hangAt);
    const inline = new InlineExecutor(store, specs);
    for (const tasks of [2, 3]) {
      const pool = new PoolExecutor(store, specs, { threads: 2, chunks: tasks });
      try {
        const [a, b] = [await runCycles(inline, ats), await runCycles(pool, ats)];
        for (const s of specs) {
          const poolResults = b.get(s.id)!;
          expect(poolResults.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.fault.message))).toEqual([]);
          // The state counts evaluations: one per cycle, never two (a plugin claimed twice would count double).
          expect(poolResults.map((r) => (r.ok ? (r.state as { evaluations: number }).evaluations : -1))).toEqual(ats.map((_, k) => k + 1));
          expect(poolResults.map((r) => (r.ok ? r.signals : []))).toEqual(a.get(s.id)!.map((r) => (r.ok ? r.signals : [])));
        }
      } finally {
        await pool.close();
      }
    }
  }, 60_000);

  it('a plugin that hangs is faulted after the task timeout; the others keep their results; the next cycle runs', async () => {
    const pool = new PoolExecutor(store, specs, { threads: 2, taskTimeoutMs: 1_500 });
    try {
      const at = times.indexOf(hangAt);
      const results = await runCycles(pool, times.slice(at - 1, at + 2));
      for (const s of specs) {
        const [before, during, after] = results.get(s.id)!;
        expect(before!.ok, s.id).toBe(true);
        expect(after!.ok, s.id).toBe(true);
        if (s.id === 'pool-test-07') {
          expect(during!.ok).toBe(false);
          if (!during!.ok) expect(during!.fault.message).toMatch(/did not finish within the task timeout of 1500 ms/);
        } else {
          expect(during!.ok, s.id).toBe(true);
        }
      }
    } finally {
      await pool.close();
    }
  }, 60_000);
});
