import { describe, expect, it } from 'vitest';
import { DynamicBatcher } from '../../adapters/inference/onnx/dynamic-batcher.js';
import type { BatchStats } from '../../adapters/inference/onnx/dynamic-batcher.js';
import type { ScoreOutputs } from '../../core/index.js';
import { flattenRows } from '../../core/index.js';
import { providerScorer, toModelScores, toScoreOutputs } from './scorer.js';

/** A batcher over a fake model whose one output, `first`, is each row's first value; `runs` holds each run's row count. */
function firstColumnBatcher(): { batcher: DynamicBatcher; runs: number[] } {
  const runs: number[] = [];
  const batcher = new DynamicBatcher(async (_id, rows, rowCount) => {
    runs.push(rowCount);
    return { first: Float32Array.from({ length: rowCount }, (_, r) => rows[r * (rows.length / rowCount)] as number) };
  }, { maxWaitMicros: 5_000_000 });
  return { batcher, runs };
}

/** A batching provider over a fake model: `sum` (width 1) and `pair` (each row's first value and its double). */
function fakeProvider(maxWaitMicros: number): { provider: { score: DynamicBatcher['score']; flush: () => void }; batches: BatchStats[]; runs: number[] } {
  const runs: number[] = [];
  const batcher = new DynamicBatcher(async (_id, rows, rowCount) => {
    runs.push(rowCount);
    const width = rows.length / rowCount;
    const sum = new Float32Array(rowCount);
    const pair = new Float32Array(rowCount * 2);
    for (let r = 0; r < rowCount; r++) {
      for (let f = 0; f < width; f++) sum[r] = (sum[r] as number) + (rows[r * width + f] as number);
      pair[r * 2] = rows[r * width] as number;
      pair[r * 2 + 1] = 2 * (rows[r * width] as number);
    }
    return { sum, pair } satisfies ScoreOutputs;
  }, { maxWaitMicros });
  const batches: BatchStats[] = [];
  batcher.onBatch((s) => batches.push(s));
  return { provider: { score: (id, rows, n) => batcher.score(id, rows, n), flush: () => batcher.flush() }, batches, runs };
}

describe('the ModelScores <-> ScoreOutputs bridge', () => {
  it('flattens rows row-major and reads widths back from the flat outputs', () => {
    expect(flattenRows([[1, 2, 3], [4, 5, 6]])).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6]));
    const scores = toModelScores('m', { p: Float32Array.from([0.1, 0.2]), q: Float32Array.from([1, 2, 3, 4, 5, 6]) }, 2);
    expect(scores.rowCount).toBe(2);
    expect(scores.outputs['p']!.width).toBe(1);
    expect(scores.outputs['q']!.width).toBe(3);
    expect(toScoreOutputs(scores)).toEqual({ p: Float32Array.from([0.1, 0.2]), q: Float32Array.from([1, 2, 3, 4, 5, 6]) });
  });

  it('refuses an output that is not a whole number of values per row', () => {
    expect(() => toModelScores('m', { p: new Float32Array(3) }, 2)).toThrow(/output p has 3 values for 2 rows/);
  });
});

describe('providerScorer', () => {
  it('coalesces the calls of one round into one run and flushes it on the next turn, not at maxWait', async () => {
    const { provider, batches, runs } = fakeProvider(5_000_000); // a 5 s deadline: only the flush can run it in time
    const scorer = providerScorer(provider);
    const started = performance.now();
    const [a, b, c] = await Promise.all([scorer('m', [[1, 2]]), scorer('m', [[3, 4], [5, 6]]), scorer('m', [[7, 8]])]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(runs).toEqual([4]);
    expect(batches.map((s) => [s.requests, s.trigger])).toEqual([[3, 'flush']]);
    expect(a).toEqual({ rowCount: 1, outputs: { sum: { width: 1, values: Float32Array.from([3]) }, pair: { width: 2, values: Float32Array.from([1, 2]) } } });
    expect(b!.outputs['sum']!.values).toEqual(Float32Array.from([7, 11]));
    expect(c!.outputs['pair']!.values).toEqual(Float32Array.from([7, 14]));
  });

  it("passes the rows as they are to a provider's scoreRows, which copies them into its batch itself", async () => {
    const { batcher, runs } = firstColumnBatcher();
    const given: (readonly (readonly number[])[])[] = [];
    const scorer = providerScorer({
      score: () => Promise.reject(new Error('score is not used when scoreRows is there')),
      scoreRows: (id, rows) => {
        given.push(rows);
        return batcher.score(id, rows, rows.length);
      },
      flush: () => batcher.flush(),
    });
    const rows = [[1, 2], [3, 4]];
    const [a, b] = await Promise.all([scorer('m', rows), scorer('m', [[5, 6]])]);
    expect(given[0]).toBe(rows);
    expect(runs).toEqual([3]);
    expect(a).toEqual({ rowCount: 2, outputs: { first: { width: 1, values: Float32Array.from([1, 3]) } } });
    expect(b).toEqual({ rowCount: 1, outputs: { first: { width: 1, values: Float32Array.from([5]) } } });
  });

  it('passes a FeatureMatrix to the provider as it is (no copy), coalesced with array rows in one run', async () => {
    const { batcher, runs } = firstColumnBatcher();
    const given: Float32Array[] = [];
    const scorer = providerScorer({
      score: (id, rows, rowCount) => {
        given.push(rows);
        return batcher.score(id, rows, rowCount);
      },
      scoreRows: (id, rows) => batcher.score(id, rows, rows.length),
      flush: () => batcher.flush(),
    });
    const matrix = { rowCount: 3, values: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const [a, b] = await Promise.all([scorer('m', matrix), scorer('m', [[7, 8]])]);
    expect(given).toHaveLength(1);
    expect(given[0]).toBe(matrix.values);
    expect(runs).toEqual([4]);
    expect(a).toEqual({ rowCount: 3, outputs: { first: { width: 1, values: Float32Array.from([1, 3, 5]) } } });
    expect(b).toEqual({ rowCount: 1, outputs: { first: { width: 1, values: Float32Array.from([7]) } } });
  });

  it('a lone caller scoring step after step waits an event-loop turn per step, not maxWait', async () => {
    const { provider, runs } = fakeProvider(5_000_000);
    const scorer = providerScorer(provider);
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect((await scorer('m', [[i, 1]])).outputs['sum']!.values[0]).toBe(i + 1);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(runs).toEqual(Array.from({ length: 20 }, () => 1));
  });
});
