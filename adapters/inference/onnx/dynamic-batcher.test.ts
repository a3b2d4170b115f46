import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShError } from '../../../core/index.js';
import type { ScoreOutputs } from '../../../core/index.js';
import { buildMlpModel, buildTreeClassifierModel, maxDifference, randomRows, seededRandom, writeTestModels } from './fixtures/test-models.js';
import { DynamicBatcher, OnnxProvider, modelSpecFromFile } from './index.js';
import type { BatchRunner, BatchStats } from './index.js';

/** How a caller arrives: in the same tick, after a microtask, after an event-loop turn, or after a few ms. */
type Arrival = 'sync' | 'microtask' | 'immediate' | number;
const arrival: fc.Arbitrary<Arrival> = fc.oneof(fc.constantFrom<Arrival>('sync', 'microtask', 'immediate'), fc.integer({ min: 0, max: 3 }));

async function arrive(how: Arrival): Promise<void> {
  if (how === 'sync') return;
  if (how === 'microtask') await Promise.resolve();
  else if (how === 'immediate') await new Promise((resolve) => setImmediate(resolve));
  else await new Promise((resolve) => setTimeout(resolve, how));
}

const features = (rows: Float32Array, rowCount: number): number => rows.length / rowCount;

/** What the fake model computes: a row sum (width 1) and each value doubled (width = features). Exact in float32. */
function fakeOutputs(rows: Float32Array, rowCount: number): Record<string, Float32Array> {
  const width = features(rows, rowCount);
  const sum = new Float32Array(rowCount);
  for (let r = 0; r < rowCount; r++) for (let f = 0; f < width; f++) sum[r] = (sum[r] as number) + (rows[r * width + f] as number);
  return { sum, doubled: rows.map((v) => v * 2) };
}

/** Flat rows as one array of numbers per row, as plugins build them. */
function asArrayRows(rows: Float32Array, rowCount: number): number[][] {
  const width = features(rows, rowCount);
  return Array.from({ length: rowCount }, (_, r) => Array.from(rows.subarray(r * width, (r + 1) * width)));
}

/** A fake runner that records each run and how many ran at once; it answers after an event-loop turn. */
function fakeRunner(): { run: BatchRunner; runs: number[]; maxConcurrent: () => number } {
  const runs: number[] = [];
  let active = 0;
  let peak = 0;
  const run: BatchRunner = async (_modelId, rows, rowCount) => {
    active += 1;
    peak = Math.max(peak, active);
    runs.push(rowCount);
    await new Promise((resolve) => setImmediate(resolve));
    active -= 1;
    return fakeOutputs(rows, rowCount);
  };
  return { run, runs, maxConcurrent: () => peak };
}

describe('DynamicBatcher with a fake runner', () => {
  it('gives every concurrent caller exactly its own rows of every output, within the batching limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ rowCount: fc.integer({ min: 1, max: 40 }), arrival, asArrays: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom(0, 300, 2000),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        async (callers, width, maxRows, maxWaitMicros, maxConcurrentRuns, seed) => {
          const fake = fakeRunner();
          const batcher = new DynamicBatcher(fake.run, { maxRows, maxWaitMicros, maxConcurrentRuns });
          const stats: BatchStats[] = [];
          batcher.onBatch((s) => stats.push(s));
          const random = seededRandom(seed);
          const inputs = callers.map((c) => randomRows(random, c.rowCount, width));
          const results = await Promise.all(
            callers.map(async (c, i) => {
              await arrive(c.arrival);
              const rows = inputs[i] as Float32Array;
              return batcher.score('model', c.asArrays ? asArrayRows(rows, c.rowCount) : rows, c.rowCount);
            }),
          );
          results.forEach((result, i) => expect(result).toEqual(fakeOutputs(inputs[i] as Float32Array, callers[i]?.rowCount ?? 0)));
          expect(stats.map((s) => s.rows)).toEqual(fake.runs);
          expect(stats.reduce((n, s) => n + s.requests, 0)).toBe(callers.length);
          for (const s of stats) if (s.requests > 1) expect(s.rows).toBeLessThanOrEqual(maxRows);
          expect(fake.maxConcurrent()).toBeLessThanOrEqual(maxConcurrentRuns);
          await batcher.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fills batches up to maxRows with whole calls, and runs the remainder at its deadline', async () => {
    const fake = fakeRunner();
    const batcher = new DynamicBatcher(fake.run, { maxRows: 64, maxWaitMicros: 20_000 });
    const triggers: string[] = [];
    batcher.onBatch((s) => triggers.push(s.trigger));
    await Promise.all(Array.from({ length: 9 }, () => batcher.score('model', new Float32Array(30), 30)));
    expect(fake.runs).toEqual([60, 60, 60, 60, 30]);
    expect(triggers).toEqual(['full', 'full', 'full', 'full', 'deadline']);
  });

  it("hands each caller a view of its own rows of the run's output, not a copy; the views do not overlap", async () => {
    const outputs: ScoreOutputs[] = [];
    const batcher = new DynamicBatcher(async (_id, rows, rowCount) => {
      const out = fakeOutputs(rows, rowCount);
      outputs.push(out);
      return out;
    }, { maxWaitMicros: 0 });
    const inputs = [randomRows(seededRandom(4), 2, 3), randomRows(seededRandom(5), 1, 3), randomRows(seededRandom(6), 3, 3)];
    const results = await Promise.all(inputs.map((rows) => batcher.score('model', rows, rows.length / 3)));
    expect(outputs).toHaveLength(1);
    const run = outputs[0] as ScoreOutputs;
    let row = 0;
    results.forEach((result, i) => {
      const rowCount = (inputs[i] as Float32Array).length / 3;
      expect(result).toEqual(fakeOutputs(inputs[i] as Float32Array, rowCount));
      for (const [name, width] of [['sum', 1], ['doubled', 3]] as const) {
        const view = result[name] as Float32Array;
        expect(view.buffer).toBe((run[name] as Float32Array).buffer);
        expect(view.byteOffset).toBe(row * width * Float32Array.BYTES_PER_ELEMENT);
        expect(view.length).toBe(rowCount * width);
      }
      row += rowCount;
    });
    // Writing into one caller's view changes neither the other callers' rows nor anything beyond its own.
    const before = results.map((r) => Float32Array.from(r['doubled'] as Float32Array));
    (results[1]?.['doubled'] as Float32Array).fill(-1);
    expect(results[0]?.['doubled']).toEqual(before[0]);
    expect(results[2]?.['doubled']).toEqual(before[2]);
  });

  it('takes rows as one array per row, alone or mixed with flat rows in one batch', async () => {
    const fake = fakeRunner();
    const batcher = new DynamicBatcher(fake.run, { maxWaitMicros: 0 });
    const flat = randomRows(seededRandom(7), 2, 4);
    const arrays = asArrayRows(randomRows(seededRandom(8), 3, 4), 3);
    const [a, b, c] = await Promise.all([batcher.score('m', flat, 2), batcher.score('m', arrays, 3), batcher.score('m', [[1, 2, 3, 4]], 1)]);
    expect(fake.runs).toEqual([6]);
    expect(a).toEqual(fakeOutputs(flat, 2));
    expect(b).toEqual(fakeOutputs(Float32Array.from(arrays.flat()), 3));
    expect(c).toEqual({ sum: Float32Array.from([10]), doubled: Float32Array.from([2, 4, 6, 8]) });
    // One call alone, as arrays, is flattened for its run.
    expect(await batcher.score('m', [[1, 1], [2, 2]], 2)).toEqual({ sum: Float32Array.from([2, 4]), doubled: Float32Array.from([2, 2, 4, 4]) });
  });

  it('runs a call larger than maxRows alone, unsplit', async () => {
    const fake = fakeRunner();
    const batcher = new DynamicBatcher(fake.run, { maxRows: 8, maxWaitMicros: 0 });
    const rows = randomRows(seededRandom(2), 20, 3);
    expect(await batcher.score('model', rows, 20)).toEqual(fakeOutputs(rows, 20));
    expect(fake.runs).toEqual([20]);
  });

  it('a lone call waits maxWait for company, then runs', async () => {
    const fake = fakeRunner();
    const batcher = new DynamicBatcher(fake.run, { maxWaitMicros: 3000 });
    const stats: BatchStats[] = [];
    batcher.onBatch((s) => stats.push(s));
    await batcher.score('model', new Float32Array([1, 2]), 1);
    expect(stats).toHaveLength(1);
    expect(stats[0]?.trigger).toBe('deadline');
    expect(stats[0]?.queueWaitsMicros[0]).toBeGreaterThanOrEqual(3000);
    expect(stats[0]?.inferenceMicros).toBeGreaterThan(0);
  });

  it('flush runs what is queued now, in batches of at most maxRows, without waiting for maxWait', async () => {
    const fake = fakeRunner();
    const batcher = new DynamicBatcher(fake.run, { maxRows: 64, maxWaitMicros: 5_000_000 });
    const stats: BatchStats[] = [];
    batcher.onBatch((s) => stats.push(s));
    const started = performance.now();
    const calls = Array.from({ length: 5 }, () => batcher.score('model', new Float32Array(20), 20));
    calls.push(batcher.score('other', new Float32Array(3), 1));
    batcher.flush();
    await Promise.all(calls);
    expect(performance.now() - started).toBeLessThan(1000);
    // 100 rows with maxRows 64 and one run at a time: 60 (3 whole calls: full when the 4th came), the other model's
    // row at the flush, then the remaining 40 of the first once its run ends, though their deadline is seconds away.
    expect(fake.runs).toEqual([60, 1, 40]);
    expect(stats.map((s) => s.trigger)).toEqual(['full', 'flush', 'flush']);
    // A call made after the flush waits as usual (here: until the next flush).
    const late = batcher.score('model', new Float32Array(2), 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.runs).toHaveLength(3);
    batcher.flush();
    await late;
    expect(fake.runs).toEqual([60, 1, 40, 1]);
  });

  it('keeps models apart: each model has its own queue', async () => {
    const seen: string[] = [];
    const batcher = new DynamicBatcher(async (modelId, rows, rowCount) => {
      seen.push(`${modelId}:${rowCount}`);
      return fakeOutputs(rows, rowCount);
    });
    await Promise.all([batcher.score('a', new Float32Array(2), 1), batcher.score('b', new Float32Array(2), 1), batcher.score('a', new Float32Array(4), 2)]);
    expect(seen.sort()).toEqual(['a:3', 'b:1']);
  });

  it('rejects every caller of a failed batch with SH_ERR_INFERENCE_RUN_FAILED; later batches still run', async () => {
    let calls = 0;
    const batcher = new DynamicBatcher(
      async (_id, rows, rowCount) => {
        calls += 1;
        if (calls === 1) throw new Error('device lost');
        return fakeOutputs(rows, rowCount);
      },
      { maxWaitMicros: 0 },
    );
    const failed: boolean[] = [];
    batcher.onBatch((s) => failed.push(s.failed));
    const first = await Promise.allSettled([batcher.score('m', new Float32Array(1), 1), batcher.score('m', new Float32Array(1), 1)]);
    for (const result of first) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as unknown;
      expect(isShError(reason, 'SH_ERR_INFERENCE_RUN_FAILED')).toBe(true);
      expect((reason as Error).message).toBe('Model m: the run failed: device lost.');
    }
    expect(await batcher.score('m', new Float32Array([5]), 1)).toEqual({ sum: new Float32Array([5]), doubled: new Float32Array([10]) });
    expect(failed).toEqual([true, false]);
  });

  it('fails a batch whose output is not a whole number of values per row', async () => {
    const batcher = new DynamicBatcher(async () => ({ y: new Float32Array(3) }), { maxWaitMicros: 0 });
    const results = await Promise.allSettled([batcher.score('m', new Float32Array(1), 1), batcher.score('m', new Float32Array(1), 1)]);
    expect(results.map((r) => r.status === 'rejected' && isShError(r.reason, 'SH_ERR_INFERENCE_RUN_FAILED') && /output y has 3 values for 2 rows/.test(String(r.reason.message)))).toEqual([true, true]);
  });

  it('a listener that throws does not affect the callers, and unsubscribing stops events', async () => {
    const batcher = new DynamicBatcher(async (_id, rows, n) => fakeOutputs(rows, n), { maxWaitMicros: 0 });
    let events = 0;
    batcher.onBatch(() => {
      throw new Error('metrics broke');
    });
    const unsubscribe = batcher.onBatch(() => {
      events += 1;
    });
    expect(await batcher.score('m', new Float32Array([1, 2]), 1)).toEqual({ sum: new Float32Array([3]), doubled: new Float32Array([2, 4]) });
    unsubscribe();
    await batcher.score('m', new Float32Array([1, 2]), 1);
    expect(events).toBe(1);
  });

  it('refuses bad rows, bad options and calls after close', async () => {
    const batcher = new DynamicBatcher(async (_id, rows, n) => fakeOutputs(rows, n));
    await expect(batcher.score('m', new Float32Array(5), 2)).rejects.toMatchObject({ code: 'SH_ERR_INFERENCE_INPUT_INVALID' });
    await expect(batcher.score('m', new Float32Array(0), 0)).rejects.toMatchObject({ code: 'SH_ERR_INFERENCE_INPUT_INVALID' });
    await expect(batcher.score('m', [[1, 2], [3]], 2)).rejects.toMatchObject({ code: 'SH_ERR_INFERENCE_INPUT_INVALID', message: 'Model m: row 1 has 1 values, row 0 has 2.' });
    await expect(batcher.score('m', [[1, 2]], 2)).rejects.toMatchObject({ code: 'SH_ERR_INFERENCE_INPUT_INVALID', message: 'Model m: 1 rows cannot be 2 rows.' });
    await expect(batcher.score('m', [[]], 1)).rejects.toMatchObject({ code: 'SH_ERR_INFERENCE_INPUT_INVALID', message: 'Model m: row 0 has no values.' });
    await expect(batcher.score('m', [], 0)).rejects.toMatchObject({ code: 'SH_ERR_INFERENCE_INPUT_INVALID' });
    expect(() => new DynamicBatcher(async () => ({}), { maxRows: 0, maxWaitMicros: -1, maxConcurrentRuns: 1.5 })).toThrow(
      'Invalid batching options: maxRows was 0, expected an integer >= 1; maxWaitMicros was -1, expected a finite number >= 0; maxConcurrentRuns was 1.5, expected an integer >= 1.',
    );
    await batcher.close();
    await expect(batcher.score('m', new Float32Array(1), 1)).rejects.toMatchObject({ code: 'SH_ERR_INFERENCE_CLOSED' });
  });
});

describe('DynamicBatcher in OnnxProvider with real models', () => {
  const mlp = buildMlpModel();
  const classifier = buildTreeClassifierModel();
  let dir = '';
  let files: Record<string, string> = {};

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sh-onnx-batcher-'));
    files = await writeTestModels(dir, [mlp, classifier]);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function providerWith(batching: { maxRows?: number; maxWaitMicros?: number; maxConcurrentRuns?: number }): Promise<OnnxProvider> {
    const provider = new OnnxProvider({ executionProviders: ['cpu'], batching });
    for (const name of [mlp.name, classifier.name]) await provider.load(await modelSpecFromFile(files[name] as string));
    return provider;
  }

  it('every concurrent caller gets exactly the reference outputs of its own rows (property)', async () => {
    const provider = await providerWith({ maxRows: 256, maxWaitMicros: 500 });
    let runs = 0;
    provider.onRun(() => {
      runs += 1;
    });
    let callersTotal = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ model: fc.constantFrom(mlp, classifier), rowCount: fc.integer({ min: 1, max: 64 }), arrival }), { minLength: 1, maxLength: 24 }),
        fc.integer(),
        async (callers, seed) => {
          const random = seededRandom(seed);
          const inputs = callers.map((c) => randomRows(random, c.rowCount, c.model.card.features.length));
          const results = await Promise.all(
            callers.map(async (c, i): Promise<ScoreOutputs> => {
              await arrive(c.arrival);
              return provider.score(c.model.name, inputs[i] as Float32Array, c.rowCount);
            }),
          );
          callersTotal += callers.length;
          results.forEach((result, i) => {
            const caller = callers[i] as (typeof callers)[number];
            const reference = caller.model.reference(inputs[i] as Float32Array, caller.rowCount);
            expect(Object.keys(result)).toEqual(Object.keys(reference));
            for (const [name, expected] of Object.entries(reference)) expect(maxDifference(result[name], expected), name).toBeLessThanOrEqual(1e-5);
          });
        },
      ),
      { numRuns: 40 },
    );
    expect(runs).toBeLessThan(callersTotal);
    await provider.close();
  });

  it('actually batches: 64 concurrent single-row callers take fewer session runs than callers', async () => {
    const provider = await providerWith({ maxRows: 1024, maxWaitMicros: 2000 });
    const runs: number[] = [];
    provider.onRun((event) => runs.push(event.rows));
    const stats: BatchStats[] = [];
    provider.onBatch((s) => stats.push(s));
    const random = seededRandom(17);
    const inputs = Array.from({ length: 64 }, () => randomRows(random, 1, 16));
    const results = await Promise.all(
      inputs.map(async (rows, i) => {
        await arrive(i % 2 === 0 ? 'sync' : 'immediate');
        return provider.score('mlp', rows, 1);
      }),
    );
    results.forEach((result, i) => expect(maxDifference(result['probability'], mlp.reference(inputs[i] as Float32Array, 1)['probability'])).toBeLessThanOrEqual(1e-5));
    expect(runs.length).toBeLessThan(64);
    expect(runs.length).toBeLessThanOrEqual(2);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(64);
    expect(stats.map((s) => s.requests).reduce((a, b) => a + b, 0)).toBe(64);
    expect(provider.describe().models.find((m) => m.id === 'mlp')).toMatchObject({ runs: runs.length, rows: 64 });
    await provider.close();
  });

  it("a later run leaves the outputs of earlier runs as they were (each run's output is a new buffer; callers hold views of it)", async () => {
    const provider = await providerWith({ maxRows: 1024, maxWaitMicros: 0 });
    const random = seededRandom(23);
    const rounds = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => randomRows(random, 3, 16)));
    const held: { rows: Float32Array; result: ScoreOutputs }[] = [];
    for (const round of rounds) {
      const results = await Promise.all(round.map((rows) => provider.score('mlp', rows, 3)));
      results.forEach((result, i) => held.push({ rows: round[i] as Float32Array, result }));
    }
    expect(new Set(held.map((h) => (h.result['probability'] as Float32Array).buffer)).size).toBe(rounds.length);
    for (const { rows, result } of held) expect(maxDifference(result['probability'], mlp.reference(rows, 3)['probability'])).toBeLessThanOrEqual(1e-5);
    await provider.close();
  });

  it('without batching, every call is its own run', async () => {
    const provider = new OnnxProvider({ executionProviders: ['cpu'], batching: false });
    await provider.load(await modelSpecFromFile(files['mlp'] as string));
    let runs = 0;
    provider.onRun(() => {
      runs += 1;
    });
    await Promise.all(Array.from({ length: 8 }, () => provider.score('mlp', new Float32Array(16), 1)));
    expect(runs).toBe(8);
    await provider.close();
  });
});
