import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { buildMlpModel, randomRows, seededRandom } from '../adapters/inference/onnx/fixtures/test-models.js';
import { DynamicBatcher, OnnxProvider, type BatchStats } from '../adapters/inference/onnx/index.js';
import type { ModelCard, ModelRows, ScoreOutputs } from '../core/index.js';
import { providerScorer } from '../host/inference/scorer.js';
import { log, percentile, settle } from './lib/common.js';

/**
 * Rows per score call swept by section 4. A plugin scoring one instrument sends 1 row; one scoring its universe, or a
 * chunk of its history, sends many. Change the list here; the report adapts.
 */
export const ROWS_PER_CALL: readonly number[] = [1, 8, 32, 128];

/** One way of scoring, at one number of rows per call, under concurrent closed-loop callers. */
export interface InferenceModeFigures {
  /**
   * unbatched: one single-row provider call (one session run) per row; batched: the host path (providerScorer over
   * the batcher, flushed per event-loop turn); batched-wait: the batcher alone, a batch runs when full or at maxWait;
   * no-model: the batched path with a runner that returns zeros; batched-matrix: the host path with each call's rows
   * as one FeatureMatrix (a Float32Array), as a plugin scoring many rows can return them.
   */
  readonly mode: 'unbatched' | 'batched' | 'batched-matrix' | 'batched-wait' | 'no-model';
  readonly rowsPerCall: number;
  /** What the mode is, for the report. */
  readonly description: string;
  readonly calls: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Latency of one call of `rowsPerCall` rows as its caller sees it (call to resolution), ms. */
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
  /** The rows-per-call sweep, ascending. */
  readonly rowsPerCall: readonly number[];
  /** Per rows-per-call: unbatched and batched; at 1 row per call also batched-wait and no-model. */
  readonly modes: readonly InferenceModeFigures[];
  /**
   * onnxruntime alone (InferenceSession.run, no provider), µs per run, at batch 1 and 1024: the median over runs,
   * measured before and after the sweep, the lower of the two.
   */
  readonly raw: { readonly batch1Micros: number; readonly batch1024Micros: number; readonly batch1024MicrosPerRow: number };
}

export interface InferenceOptions {
  readonly dir: string;
  readonly callers: number;
  /** Measured seconds per mode (after a warm-up of a fifth of that). */
  readonly secondsPerMode: number;
  /** Rows per call to sweep (default ROWS_PER_CALL). */
  readonly rowsPerCall?: readonly number[];
}

const FEATURES = 16;
const HIDDEN = 32;
const INTRA_OP_THREADS = 1;
const BATCHING = { maxRows: 1024, maxWaitMicros: 500 } as const;
/** Rows in the prebuilt input pool; calls cycle through it. */
const POOL_ROWS = 4096;

/** One call's worth of work, given a call counter. */
type Call = (i: number) => Promise<unknown>;

/**
 * Session runs and the time inside them (a provider's onRun hook), and the batches' queue waits (onBatch): the host
 * always listens to both, for its metrics, so the bench does too.
 */
interface RunCounter {
  runs: number;
  micros: number;
  queueWaitMicros: number;
}

function newCounter(): RunCounter {
  return { runs: 0, micros: 0, queueWaitMicros: 0 };
}

function countBatch(counter: RunCounter, stats: BatchStats): void {
  for (const wait of stats.queueWaitsMicros) counter.queueWaitMicros += wait;
}

/**
 * Section 4: the test MLP (16 -> 32 -> 1, adapters/inference/onnx/fixtures/test-models.ts), `callers` concurrent
 * closed-loop callers (each awaits its call before issuing the next) for a fixed time per mode, for each number of
 * rows per call R of the sweep:
 * - unbatched: a call of R rows is R single-row `provider.score` calls with batching off, issued together and awaited
 *   together: one session run per row;
 * - batched: the host path, `providerScorer(provider)` with the R rows as number[][], the batcher flushed once per
 *   event-loop turn as the executors score.
 * At R = 1 also the batcher alone (a batch runs when full or at maxWait) and the batched path with no model (the
 * JavaScript floor). Before and after, onnxruntime on its own at batch 1 and 1024: the fixed cost of a run and the
 * practical limit per row. Inputs are prebuilt outside the timed loops.
 */
export async function measureInference(options: InferenceOptions): Promise<InferenceSection> {
  const model = buildMlpModel({ features: FEATURES, hidden: HIDDEN });
  const file = path.join(options.dir, 'bench-mlp.onnx');
  fs.writeFileSync(file, model.bytes);
  const pool = randomRows(seededRandom(11), POOL_ROWS, FEATURES);
  const singleRows = Array.from({ length: POOL_ROWS }, (_, r) => pool.subarray(r * FEATURES, (r + 1) * FEATURES));
  const sweep = [...(options.rowsPerCall ?? ROWS_PER_CALL)].sort((a, b) => a - b);

  // onnxruntime alone, before and after the sweep: each figure is the lower of the two medians, so that a burst of
  // other load on a shared machine during one of them does not make the limit look cheaper to reach than it is.
  const rawBefore = await rawCost(model.bytes, pool);
  // The host's scoring path (providerScorer over a batching provider), calls cycling through prebuilt rows.
  const hostPath = (what: Pick<InferenceModeFigures, 'mode' | 'rowsPerCall' | 'description'>, calls: readonly ModelRows[]): Promise<InferenceModeFigures> =>
    withProvider(file, model.card, BATCHING, async (provider, counter) => {
      const scorer = providerScorer(provider);
      return measureMode(options, what, (i) => scorer('mlp', calls[i % calls.length]!), counter);
    });
  const modes: InferenceModeFigures[] = [];
  for (const rowsPerCall of sweep) {
    const inputs = rowInputs(pool, rowsPerCall);

    modes.push(
      await withProvider(file, model.card, false, async (provider, counter) => {
        const score = (row: number): Promise<ScoreOutputs> => provider.score('mlp', singleRows[row % POOL_ROWS] as Float32Array, 1);
        const call: Call =
          rowsPerCall === 1
            ? (i) => score(i)
            : (i) => {
                const base = (i * rowsPerCall) % POOL_ROWS;
                const pending = new Array<Promise<ScoreOutputs>>(rowsPerCall);
                for (let j = 0; j < rowsPerCall; j++) pending[j] = score(base + j);
                return Promise.all(pending);
              };
        return measureMode(options, { mode: 'unbatched', rowsPerCall, description: 'one single-row call, one session run, per row (batching off)' }, call, counter);
      }),
    );

    modes.push(await hostPath({ mode: 'batched', rowsPerCall, description: 'providerScorer (the host path): rows as number[][], the batcher flushed once per event-loop turn as the executors score' }, inputs));

    if (rowsPerCall > 1) {
      // Each call's rows as one FeatureMatrix over the pool (zero-copy views): what providerScorer passes on as it is.
      const calls = Math.max(1, Math.floor(POOL_ROWS / rowsPerCall));
      const matrices = Array.from({ length: calls }, (_, c) => ({ rowCount: rowsPerCall, values: pool.subarray(c * rowsPerCall * FEATURES, (c + 1) * rowsPerCall * FEATURES) }));
      modes.push(await hostPath({ mode: 'batched-matrix', rowsPerCall, description: 'providerScorer (the host path) with each call\'s rows as one FeatureMatrix (Float32Array), the batcher flushed once per event-loop turn' }, matrices));
    }

    if (rowsPerCall === 1) {
      modes.push(
        await withProvider(file, model.card, BATCHING, async (provider, counter) =>
          measureMode(
            options,
            { mode: 'batched-wait', rowsPerCall, description: `DynamicBatcher alone (maxRows ${BATCHING.maxRows}, maxWait ${BATCHING.maxWaitMicros} µs), no flush: a batch runs when full or at maxWait` },
            (i) => provider.score('mlp', singleRows[i % POOL_ROWS] as Float32Array, 1),
            counter,
          ),
        ),
      );
      modes.push(await measureFloor(options, inputs));
    }
  }

  const rawAfter = await rawCost(model.bytes, pool);
  const batch1024Micros = Math.min(rawBefore.batch1024Micros, rawAfter.batch1024Micros);
  const raw = { batch1Micros: Math.min(rawBefore.batch1Micros, rawAfter.batch1Micros), batch1024Micros, batch1024MicrosPerRow: batch1024Micros / 1024 };
  log(
    `  onnxruntime alone: batch 1 ${raw.batch1Micros.toFixed(1)} µs, batch 1024 ${raw.batch1024Micros.toFixed(1)} µs (${raw.batch1024MicrosPerRow.toFixed(4)} µs/row); before / after the sweep: batch 1 ${rawBefore.batch1Micros.toFixed(1)} / ${rawAfter.batch1Micros.toFixed(1)} µs, batch 1024 ${rawBefore.batch1024Micros.toFixed(1)} / ${rawAfter.batch1024Micros.toFixed(1)} µs`,
  );
  return {
    model: { name: 'MLP (Gemm/Relu/Gemm/Sigmoid)', features: FEATURES, hidden: HIDDEN },
    callers: options.callers,
    secondsPerMode: options.secondsPerMode,
    intraOpNumThreads: INTRA_OP_THREADS,
    batching: BATCHING,
    rowsPerCall: sweep,
    modes,
    raw,
  };
}

/** Prebuilt calls of `rowsPerCall` rows each, as number[][] (what a plugin's features() returns), cycling through the pool. */
function rowInputs(pool: Float32Array, rowsPerCall: number): number[][][] {
  const calls = Math.max(1, Math.floor(POOL_ROWS / rowsPerCall));
  return Array.from({ length: calls }, (_, c) =>
    Array.from({ length: rowsPerCall }, (_, j) => {
      const r = (c * rowsPerCall + j) % POOL_ROWS;
      return Array.from(pool.subarray(r * FEATURES, (r + 1) * FEATURES));
    }),
  );
}

/** A provider with the bench model loaded and its session runs counted, closed after `use`. */
async function withProvider<T>(file: string, card: ModelCard, batching: typeof BATCHING | false, use: (provider: OnnxProvider, counter: RunCounter) => Promise<T>): Promise<T> {
  const provider = new OnnxProvider({ executionProviders: ['cpu'], intraOpNumThreads: INTRA_OP_THREADS, batching });
  try {
    await provider.load({ file, card });
    const counter = newCounter();
    provider.onRun((e) => {
      counter.runs += 1;
      counter.micros += e.micros;
    });
    provider.onBatch((stats) => countBatch(counter, stats));
    return await use(provider, counter);
  } finally {
    await provider.close();
  }
}

/** Warm up, reset the run counter, then measure one mode. */
async function measureMode(options: InferenceOptions, what: Pick<InferenceModeFigures, 'mode' | 'rowsPerCall' | 'description'>, call: Call, counter: RunCounter): Promise<InferenceModeFigures> {
  await drive(call, options.callers, (options.secondsPerMode * 1000) / 5);
  await settle();
  counter.runs = 0;
  counter.micros = 0;
  counter.queueWaitMicros = 0;
  const measured = await drive(call, options.callers, options.secondsPerMode * 1000);
  const rows = measured.calls * what.rowsPerCall;
  const latencies = Float64Array.from(measured.latencies).sort();
  const figures: InferenceModeFigures = {
    ...what,
    calls: measured.calls,
    rows,
    seconds: measured.seconds,
    rowsPerSecond: rows / measured.seconds,
    latencyMsP50: sortedPercentile(latencies, 50),
    latencyMsP99: sortedPercentile(latencies, 99),
    runs: counter.runs,
    meanBatchRows: counter.runs > 0 ? rows / counter.runs : Number.NaN,
    wallMicrosPerRow: (measured.seconds * 1e6) / rows,
    runMicrosPerRow: counter.micros / rows,
  };
  log(
    `  R=${what.rowsPerCall} ${what.mode}: ${Math.round(figures.rowsPerSecond)} rows/s, p50 ${figures.latencyMsP50.toFixed(3)} ms, p99 ${figures.latencyMsP99.toFixed(3)} ms, ${figures.meanBatchRows.toFixed(1)} rows per run, ${figures.wallMicrosPerRow.toFixed(3)} µs/row wall, ${figures.runMicrosPerRow.toFixed(3)} µs/row in runs`,
  );
  return figures;
}

/**
 * The batcher and the host's bridge alone at 1 row per call: the batched path with a runner that returns zeros at
 * once, no model. What remains per row is JavaScript (promises, copies, the caller's loop): the floor of any batched
 * mode at 1 row per call.
 */
async function measureFloor(options: InferenceOptions, inputs: readonly number[][][]): Promise<InferenceModeFigures> {
  const counter = newCounter();
  const batcher = new DynamicBatcher(async (_id, _rows, rowCount) => {
    counter.runs += 1;
    return { probability: new Float32Array(rowCount) };
  }, BATCHING);
  batcher.onBatch((stats) => countBatch(counter, stats));
  const scorer = providerScorer({ score: (id, rows, n) => batcher.score(id, rows, n), scoreRows: (id, rows) => batcher.score(id, rows, rows.length), flush: () => batcher.flush() });
  try {
    const figures = await measureMode(
      options,
      { mode: 'no-model', rowsPerCall: 1, description: 'the batched path with a runner that returns zeros (no model): the JavaScript cost per call' },
      (i) => scorer('mlp', inputs[i % inputs.length] as number[][]),
      counter,
    );
    return { ...figures, runMicrosPerRow: 0 };
  } finally {
    await batcher.close();
  }
}

/** `callers` concurrent closed loops, each issuing one call and awaiting it, until `ms` have passed. */
async function drive(call: Call, callers: number, ms: number): Promise<{ calls: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + ms;
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await call(next++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { calls: latencies.length, seconds: (performance.now() - started) / 1000, latencies };
}

/** Percentile by linear interpolation over ascending values (as common.percentile, without copying and sorting again). */
function sortedPercentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const a = sorted[lo] as number;
  const b = sorted[Math.ceil(rank)] as number;
  return a + (b - a) * (rank - lo);
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
