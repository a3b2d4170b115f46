import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { buildMlpModel, randomRows, seededRandom } from '../adapters/inference/onnx/fixtures/test-models.js';
import { DynamicBatcher, OnnxProvider, type BatchStats } from '../adapters/inference/onnx/index.js';
import { providerScorer } from '../host/inference/scorer.js';
import { log, mean, percentile, settle } from './lib/common.js';

/** One way of scoring under concurrent single-row callers. */
export interface InferenceModeFigures {
  readonly mode: 'unbatched' | 'batched' | 'batched-flush' | 'no-model';
  /** What the mode is, for the report. */
  readonly description: string;
  readonly calls: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Latency of one score call as its caller sees it (call to resolution), ms. */
  readonly latencyMsP50: number;
  readonly latencyMsP99: number;
  /** Session runs, and rows per run. */
  readonly runs: number;
  readonly meanBatchRows: number;
  /** Wall time per row scored, µs (all overheads included). */
  readonly wallMicrosPerRow: number;
  /** Time inside session runs per row scored, µs. */
  readonly runMicrosPerRow: number;
}

export interface InferenceSection {
  readonly model: { readonly name: string; readonly features: number; readonly hidden: number };
  readonly callers: number;
  readonly secondsPerMode: number;
  readonly intraOpNumThreads: number;
  readonly batching: { readonly maxRows: number; readonly maxWaitMicros: number };
  readonly modes: readonly InferenceModeFigures[];
  /** onnxruntime alone (InferenceSession.run, no provider), µs per run, at batch 1 and 1024, median over runs. */
  readonly raw: { readonly batch1Micros: number; readonly batch1024Micros: number; readonly batch1024MicrosPerRow: number };
}

export interface InferenceOptions {
  readonly dir: string;
  readonly callers: number;
  /** Measured seconds per mode (after a warm-up of a fifth of that). */
  readonly secondsPerMode: number;
}

const FEATURES = 16;
const HIDDEN = 32;
const INTRA_OP_THREADS = 1;
const BATCHING = { maxRows: 1024, maxWaitMicros: 500 } as const;

/**
 * Section 4: the test MLP (16 -> 32 -> 1, adapters/inference/onnx/fixtures/test-models.ts), 42 concurrent callers each
 * scoring one row per call and awaiting it before the next, for a fixed time per mode: one session run per call
 * (batching off), the DynamicBatcher alone (a batch runs when full or at maxWait), and the batcher flushed once per
 * event-loop turn as the host's executors do (providerScorer). Then onnxruntime on its own at batch 1024: the
 * practical limit per row.
 */
export async function measureInference(options: InferenceOptions): Promise<InferenceSection> {
  const model = buildMlpModel({ features: FEATURES, hidden: HIDDEN });
  const file = path.join(options.dir, 'bench-mlp.onnx');
  fs.writeFileSync(file, model.bytes);
  const rows = randomRows(seededRandom(11), 4096, FEATURES);
  const rowAt = (i: number): Float32Array => rows.subarray((i % 4096) * FEATURES, ((i % 4096) + 1) * FEATURES);

  const modes: InferenceModeFigures[] = [];
  const configs = [
    { mode: 'unbatched', description: 'one session run per call (batching off)', batching: false },
    { mode: 'batched', description: `DynamicBatcher (maxRows ${BATCHING.maxRows}, maxWait ${BATCHING.maxWaitMicros} µs): a batch runs when full or at maxWait`, batching: BATCHING },
    { mode: 'batched-flush', description: 'DynamicBatcher flushed once per event-loop turn, as the executors score (providerScorer)', batching: BATCHING },
  ] as const;
  for (const c of configs) {
    const provider = new OnnxProvider({ executionProviders: ['cpu'], intraOpNumThreads: INTRA_OP_THREADS, batching: c.batching });
    try {
      await provider.load({ file, card: model.card });
      const batches: BatchStats[] = [];
      let runs = 0;
      let runMicros = 0;
      provider.onBatch((s) => batches.push(s));
      provider.onRun((e) => {
        runs += 1;
        runMicros += e.micros;
      });
      const scorer = providerScorer(provider);
      const score = c.mode === 'batched-flush' ? (i: number) => scorer('mlp', [Array.from(rowAt(i))]) : (i: number) => provider.score('mlp', rowAt(i), 1);
      await drive(score, options.callers, (options.secondsPerMode * 1000) / 5);
      batches.length = 0;
      runs = 0;
      runMicros = 0;
      await settle();
      const measured = await drive(score, options.callers, options.secondsPerMode * 1000);
      const rowsScored = measured.calls;
      modes.push({
        mode: c.mode,
        description: c.description,
        calls: measured.calls,
        seconds: measured.seconds,
        rowsPerSecond: rowsScored / measured.seconds,
        latencyMsP50: percentile(measured.latencies, 50),
        latencyMsP99: percentile(measured.latencies, 99),
        runs,
        meanBatchRows: runs > 0 ? rowsScored / runs : Number.NaN,
        wallMicrosPerRow: (measured.seconds * 1e6) / rowsScored,
        runMicrosPerRow: runMicros / rowsScored,
      });
      const last = modes[modes.length - 1] as InferenceModeFigures;
      log(`  ${c.mode}: ${Math.round(last.rowsPerSecond)} rows/s, p99 ${last.latencyMsP99.toFixed(3)} ms, ${last.meanBatchRows.toFixed(1)} rows per run${batches.length > 0 ? `, mean batch ${mean(batches.map((b) => b.rows)).toFixed(1)}` : ''}`);
    } finally {
      await provider.close();
    }
  }

  modes.push(await measureOverhead(options, rowAt));
  const raw = await rawCost(model.bytes, rows);
  log(`  onnxruntime alone: batch 1 ${raw.batch1Micros.toFixed(1)} µs, batch 1024 ${raw.batch1024Micros.toFixed(1)} µs (${raw.batch1024MicrosPerRow.toFixed(4)} µs/row)`);
  return { model: { name: 'MLP (Gemm/Relu/Gemm/Sigmoid)', features: FEATURES, hidden: HIDDEN }, callers: options.callers, secondsPerMode: options.secondsPerMode, intraOpNumThreads: INTRA_OP_THREADS, batching: BATCHING, modes, raw };
}

/**
 * The batcher and the host's bridge alone: the batched-flush path with a runner that returns zeros at once, no model.
 * What remains per row is JavaScript (promises, copies, the caller's loop): the floor of any batched mode here.
 */
async function measureOverhead(options: InferenceOptions, rowAt: (i: number) => Float32Array): Promise<InferenceModeFigures> {
  let runs = 0;
  const batcher = new DynamicBatcher(async (_id, _rows, rowCount) => {
    runs += 1;
    return { probability: new Float32Array(rowCount) };
  }, BATCHING);
  const scorer = providerScorer({ score: (id, rows, n) => batcher.score(id, rows, n), flush: () => batcher.flush() });
  const score = (i: number): Promise<unknown> => scorer('mlp', [Array.from(rowAt(i))]);
  await drive(score, options.callers, (options.secondsPerMode * 1000) / 5);
  runs = 0;
  await settle();
  const measured = await drive(score, options.callers, options.secondsPerMode * 1000);
  await batcher.close();
  const figures: InferenceModeFigures = {
    mode: 'no-model',
    description: 'the batched-flush path with a runner that returns zeros (no model): the JavaScript cost per call',
    calls: measured.calls,
    seconds: measured.seconds,
    rowsPerSecond: measured.calls / measured.seconds,
    latencyMsP50: percentile(measured.latencies, 50),
    latencyMsP99: percentile(measured.latencies, 99),
    runs,
    meanBatchRows: runs > 0 ? measured.calls / runs : Number.NaN,
    wallMicrosPerRow: (measured.seconds * 1e6) / measured.calls,
    runMicrosPerRow: 0,
  };
  log(`  no model (JavaScript only): ${Math.round(figures.rowsPerSecond)} rows/s, ${figures.wallMicrosPerRow.toFixed(2)} µs per row`);
  return figures;
}

/** `callers` concurrent loops, each scoring one row and awaiting it, until `ms` have passed. */
async function drive(score: (i: number) => Promise<unknown>, callers: number, ms: number): Promise<{ calls: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + ms;
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await score(next++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { calls: latencies.length, seconds: (performance.now() - started) / 1000, latencies };
}

/** Median duration of InferenceSession.run at batch 1 and 1024, µs (onnxruntime alone, same session options). */
async function rawCost(bytes: Uint8Array, rows: Float32Array): Promise<InferenceSection['raw']> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: INTRA_OP_THREADS, graphOptimizationLevel: 'all' });
  try {
    const time = async (count: number, iterations: number): Promise<number> => {
      const input = new ort.Tensor('float32', rows.subarray(0, count * FEATURES), [count, FEATURES]);
      for (let i = 0; i < 50; i++) await session.run({ features: input });
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t0 = performance.now();
        await session.run({ features: input });
        samples.push((performance.now() - t0) * 1000);
      }
      return percentile(samples, 50);
    };
    const batch1Micros = await time(1, 3000);
    const batch1024Micros = await time(1024, 2000);
    return { batch1Micros, batch1024Micros, batch1024MicrosPerRow: batch1024Micros / 1024 };
  } finally {
    await session.release();
  }
}
