import { performance } from 'node:perf_hooks';
import { copyRowsInto, isShError, shError } from '../../../core/index.js';
import type { ScoreOutputs } from '../../../core/index.js';

/**
 * The rows of one call: flat and row-major (`rowCount x width` values), or one array of numbers per row, as plugins
 * build them. Array rows are copied straight into the batch's input when it runs, with no flat copy per call first.
 */
export type BatchRows = Float32Array | readonly (readonly number[])[];

/**
 * Runs one batch of `rowCount` rows (flat, row-major) of one model; returns every output, row-major. Callers receive
 * views into the returned arrays (see `split`), so a runner must return arrays it does not reuse or change afterwards.
 */
export type BatchRunner = (modelId: string, rows: Float32Array, rowCount: number) => Promise<ScoreOutputs>;

/** The batching knobs. */
export interface BatchingOptions {
  /** Most rows in one run (default 1024). A single call with more rows runs alone, unsplit. */
  readonly maxRows?: number;
  /**
   * How long the oldest queued call may wait for others before its batch runs (default 500 µs). 0: only calls made
   * in the same tick are coalesced. Waits under 1 ms poll with setImmediate, so the event loop keeps running.
   */
  readonly maxWaitMicros?: number;
  /** Runs of one model in flight at once (default 1). While they run, new calls queue and form the next batch. */
  readonly maxConcurrentRuns?: number;
}

/** What one batch did, for metrics: one event per session run. */
export interface BatchStats {
  readonly modelId: string;
  /** Calls coalesced into this run. */
  readonly requests: number;
  readonly rows: number;
  /** Why it ran: it reached maxRows, its oldest call reached maxWait, a caller flushed the queue, or the batcher was closing. */
  readonly trigger: 'full' | 'deadline' | 'flush' | 'close';
  /** Time each call waited in the queue, µs, in call order. */
  readonly queueWaitsMicros: readonly number[];
  /** Time the run took, µs. */
  readonly inferenceMicros: number;
  readonly failed: boolean;
}

export type BatchListener = (stats: BatchStats) => void;

interface Pending {
  readonly rows: BatchRows;
  readonly rowCount: number;
  /** rowCount x width. */
  readonly values: number;
  readonly enqueuedAt: number;
  readonly resolve: (outputs: ScoreOutputs) => void;
  readonly reject: (error: unknown) => void;
}

/** Calls taken from a queue to run together, their rows and values. */
interface Batch {
  readonly calls: Pending[];
  readonly rows: number;
  readonly values: number;
}

interface ModelQueue {
  readonly modelId: string;
  pending: Pending[];
  pendingRows: number;
  inFlight: number;
  /**
   * A wake-up is armed: a timeout, an immediate or a microtask that pumps the queue when it fires. One callback per
   * queue (`wake`), made once, so arming allocates no closure. A microtask cannot be cancelled, so a cancelled one may
   * still fire while a later wake-up is armed; that early pump is harmless (it only runs what is full, due or flushed,
   * and re-arms for the rest).
   */
  armed: boolean;
  timeout: ReturnType<typeof setTimeout> | undefined;
  immediate: ReturnType<typeof setImmediate> | undefined;
  readonly wake: () => void;
  /** Calls enqueued at or before this time are due now: a caller flushed them. */
  flushedAt: number;
}

export const DEFAULT_BATCHING: Required<BatchingOptions> = { maxRows: 1024, maxWaitMicros: 500, maxConcurrentRuns: 1 };

/**
 * Coalesces concurrent `score(modelId, rows, rowCount)` calls into batches, per model, and runs each batch once;
 * every caller receives exactly the outputs of its own rows. A batch runs when it holds `maxRows` rows, or when its
 * oldest call has waited `maxWaitMicros`, whichever comes first, and no more than `maxConcurrentRuns` at once.
 *
 * @example
 * const batcher = new DynamicBatcher((id, rows, n) => runSession(id, rows, n), { maxRows: 1024, maxWaitMicros: 500 });
 * batcher.onBatch((s) => metrics.batchRows.observe(s.rows));
 * const { probability } = await batcher.score('gold-direction', rows, 3);
 */
export class DynamicBatcher {
  private readonly options: Required<BatchingOptions>;
  private readonly queues = new Map<string, ModelQueue>();
  private readonly listeners = new Set<BatchListener>();
  private readonly running = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly runner: BatchRunner,
    options: BatchingOptions = {},
  ) {
    this.options = { ...DEFAULT_BATCHING, ...stripUndefined(options) };
    const { maxRows, maxWaitMicros, maxConcurrentRuns } = this.options;
    const problems: string[] = [];
    if (!Number.isInteger(maxRows) || maxRows < 1) problems.push(`maxRows was ${maxRows}, expected an integer >= 1`);
    if (!Number.isFinite(maxWaitMicros) || maxWaitMicros < 0) problems.push(`maxWaitMicros was ${maxWaitMicros}, expected a finite number >= 0`);
    if (!Number.isInteger(maxConcurrentRuns) || maxConcurrentRuns < 1) problems.push(`maxConcurrentRuns was ${maxConcurrentRuns}, expected an integer >= 1`);
    if (problems.length > 0) throw shError('SH_ERR_CONFIG_INVALID', `Invalid batching options: ${problems.join('; ')}.`, { where: 'batching', received: options, expected: problems.join('; ') });
  }

  /** The knobs in effect. */
  get settings(): Readonly<Required<BatchingOptions>> {
    return this.options;
  }

  /** Subscribe to one event per run; returns an unsubscribe function. A listener that throws does not affect scoring. */
  onBatch(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queue `rowCount` rows for a model: flat (`rows.length / rowCount` values each) or one array per row (`rowCount`
   * arrays of one length). Resolves with the outputs of those rows. The rows are read when their batch runs: leave
   * them unchanged until the call resolves.
   */
  score(modelId: string, rows: BatchRows, rowCount: number): Promise<ScoreOutputs> {
    if (this.closing) return Promise.reject(shError('SH_ERR_INFERENCE_CLOSED', `Cannot score model ${modelId}: the batcher is closed.`, { where: `model ${modelId}` }));
    const values = rows instanceof Float32Array ? flatValues(modelId, rows, rowCount) : arrayValues(modelId, rows, rowCount);
    if (typeof values !== 'number') return Promise.reject(values);
    const target = this.queues.get(modelId) ?? this.addQueue(modelId);
    return new Promise<ScoreOutputs>((resolve, reject) => {
      target.pending.push({ rows, rowCount, values, enqueuedAt: performance.now(), resolve, reject });
      target.pendingRows += rowCount;
      if (target.pendingRows >= this.options.maxRows) this.pump(target);
      else if (!target.armed) this.arm(target);
    });
  }

  /**
   * Make every call queued so far due now: it runs without waiting for maxWait, still in batches of at most maxRows
   * and at most maxConcurrentRuns at once (what a run in flight holds back runs as soon as it ends). For callers that
   * know no more calls are coming this round, e.g. a host that has issued the score calls of every plugin of a cycle.
   * Calls made later wait as usual.
   */
  flush(): void {
    const now = performance.now();
    for (const queue of this.queues.values()) {
      if (queue.pending.length === 0) continue;
      queue.flushedAt = now;
      this.pump(queue);
    }
  }

  /** Run everything queued now, refuse new calls, and resolve once every run has finished. */
  async close(): Promise<void> {
    this.closing = true;
    for (const queue of this.queues.values()) this.pump(queue);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private addQueue(modelId: string): ModelQueue {
    const queue: ModelQueue = {
      modelId,
      pending: [],
      pendingRows: 0,
      inFlight: 0,
      armed: false,
      timeout: undefined,
      immediate: undefined,
      // pump disarms first: a stale wake-up (see ModelQueue.armed) also clears the timer armed after it.
      wake: () => {
        if (queue.armed) this.pump(queue);
      },
      flushedAt: Number.NEGATIVE_INFINITY,
    };
    this.queues.set(modelId, queue);
    return queue;
  }

  /** Dispatch every batch that is full or due, as far as the concurrency limit allows; arm a timer for the rest. */
  private pump(queue: ModelQueue): void {
    this.disarm(queue);
    const waitMs = this.options.maxWaitMicros / 1000;
    while (queue.pending.length > 0 && queue.inFlight < this.options.maxConcurrentRuns) {
      const full = queue.pendingRows >= this.options.maxRows;
      const oldest = (queue.pending[0] as Pending).enqueuedAt;
      const flushed = oldest <= queue.flushedAt;
      const due = flushed || performance.now() >= oldest + waitMs;
      if (!full && !due && !this.closing) break;
      this.dispatch(queue, this.take(queue), full ? 'full' : this.closing ? 'close' : flushed ? 'flush' : 'deadline');
    }
    // When the concurrency limit is reached the end of a run pumps again; otherwise wait for the oldest call's deadline.
    if (queue.pending.length > 0 && queue.inFlight < this.options.maxConcurrentRuns) this.arm(queue);
  }

  /** Wake the queue when its oldest call reaches maxWait. */
  private arm(queue: ModelQueue): void {
    const oldest = queue.pending[0];
    if (oldest === undefined) return;
    const delayMs = oldest.enqueuedAt + this.options.maxWaitMicros / 1000 - performance.now();
    queue.armed = true;
    if (delayMs <= 0) queueMicrotask(queue.wake);
    else if (delayMs >= 1) queue.timeout = setTimeout(queue.wake, Math.floor(delayMs));
    else queue.immediate = setImmediate(queue.wake);
  }

  private disarm(queue: ModelQueue): void {
    if (!queue.armed) return;
    queue.armed = false;
    if (queue.timeout !== undefined) clearTimeout(queue.timeout);
    if (queue.immediate !== undefined) clearImmediate(queue.immediate);
    queue.timeout = undefined;
    queue.immediate = undefined;
  }

  /** Whole calls from the head of the queue, up to maxRows rows (at least one call). */
  private take(queue: ModelQueue): Batch {
    const pending = queue.pending;
    let count = 0;
    let rows = 0;
    let values = 0;
    while (count < pending.length) {
      const next = pending[count] as Pending;
      if (count > 0 && rows + next.rowCount > this.options.maxRows) break;
      rows += next.rowCount;
      values += next.values;
      count += 1;
    }
    queue.pendingRows -= rows;
    // The common case, a flush of everything queued, takes the array itself: no per-call shift.
    let calls: Pending[];
    if (count === pending.length) {
      calls = pending;
      queue.pending = [];
    } else {
      calls = pending.splice(0, count);
    }
    return { calls, rows, values };
  }

  private dispatch(queue: ModelQueue, batch: Batch, trigger: BatchStats['trigger']): void {
    queue.inFlight += 1;
    const run = this.execute(queue.modelId, batch, trigger).finally(() => {
      queue.inFlight -= 1;
      this.running.delete(run);
      this.pump(queue);
    });
    this.running.add(run);
  }

  private async execute(modelId: string, batch: Batch, trigger: BatchStats['trigger']): Promise<void> {
    const { calls, rows: rowCount, values } = batch;
    const started = performance.now();
    const queueWaitsMicros = calls.map((p) => (started - p.enqueuedAt) * 1000);
    let outputs: ScoreOutputs | undefined;
    let failure: unknown;
    try {
      outputs = await this.runner(modelId, concatenate(calls, values), rowCount);
    } catch (error) {
      failure = error;
    }
    const inferenceMicros = (performance.now() - started) * 1000;
    let parts: ScoreOutputs[] | undefined;
    if (outputs !== undefined) {
      try {
        parts = split(modelId, outputs, calls, rowCount);
      } catch (error) {
        failure = error;
      }
    }
    this.emit({ modelId, requests: calls.length, rows: rowCount, trigger, queueWaitsMicros, inferenceMicros, failed: parts === undefined });
    if (parts === undefined) {
      const error = isShError(failure) ? failure : shError('SH_ERR_INFERENCE_RUN_FAILED', `Model ${modelId}: the run failed: ${(failure as Error)?.message ?? String(failure)}.`, { where: `model ${modelId}`, cause: failure });
      for (const p of calls) p.reject(error);
      return;
    }
    for (let i = 0; i < calls.length; i++) (calls[i] as Pending).resolve(parts[i] as ScoreOutputs);
  }

  private emit(stats: BatchStats): void {
    for (const listener of this.listeners) {
      try {
        listener(stats);
      } catch {
        // A metrics hook must never fail the callers of a batch.
      }
    }
  }
}

/** The values of `rowCount` flat rows, or the error that refuses them. */
function flatValues(modelId: string, rows: Float32Array, rowCount: number): number | Error {
  if (Number.isInteger(rowCount) && rowCount >= 1 && rows.length > 0 && rows.length % rowCount === 0) return rows.length;
  return shError('SH_ERR_INFERENCE_INPUT_INVALID', `Model ${modelId}: ${rows.length} values cannot be ${rowCount} rows.`, { where: `model ${modelId}`, received: { values: rows.length, rowCount }, expected: 'rowCount >= 1 dividing the number of values' });
}

/** The values of `rowCount` array rows (all of one length >= 1), or the error that refuses them. */
function arrayValues(modelId: string, rows: readonly (readonly number[])[], rowCount: number): number | Error {
  const width = rows[0]?.length ?? 0;
  let problem: string | undefined;
  if (rowCount !== rows.length || rowCount < 1) problem = `${rows.length} rows cannot be ${rowCount} rows`;
  else if (width < 1) problem = 'row 0 has no values';
  else {
    for (let r = 1; r < rows.length; r++) {
      const length = (rows[r] as readonly number[]).length;
      if (length !== width) {
        problem = `row ${r} has ${length} values, row 0 has ${width}`;
        break;
      }
    }
  }
  if (problem === undefined) return rowCount * width;
  return shError('SH_ERR_INFERENCE_INPUT_INVALID', `Model ${modelId}: ${problem}.`, { where: `model ${modelId}`, received: { rows: rows.length, rowCount }, expected: 'rowCount >= 1 rows, all of one width >= 1' });
}

/**
 * The rows of a batch as one flat array: the caller's own array when the batch is one flat call; otherwise one new
 * array, each call's rows copied in (array rows straight from the caller's arrays).
 */
function concatenate(batch: readonly Pending[], values: number): Float32Array {
  const first = batch[0] as Pending;
  if (batch.length === 1 && first.rows instanceof Float32Array) return first.rows;
  const into = new Float32Array(values);
  let at = 0;
  for (const p of batch) {
    if (p.rows instanceof Float32Array) {
      into.set(p.rows, at);
      at += p.values;
    } else {
      at = copyRowsInto(p.rows, into, at);
    }
  }
  return into;
}

/**
 * Cut each output into the callers' rows; every output must hold a whole number of values per row. Each caller gets a
 * `subarray` view of the run's output, not a copy: the views of one run never overlap, and the output buffer belongs
 * to this run alone. onnxruntime-node returns every output of every run in a new ArrayBuffer (it copies the tensor
 * out, or hands over the tensor it allocated for that run; nothing is bound or reused across runs, as this provider
 * passes no preallocated `fetches`), and OnnxProvider passes a float32 output on as it is (a converted one is a new
 * array too). The views keep the whole batch output alive while any caller holds one: a few bytes per row.
 */
function split(modelId: string, outputs: ScoreOutputs, batch: readonly Pending[], rowCount: number): ScoreOutputs[] {
  if (batch.length === 1) return [outputs];
  const names: string[] = [];
  const widths: number[] = [];
  for (const name of Object.keys(outputs)) {
    const data = outputs[name] as Float32Array;
    const width = data.length / rowCount;
    if (!Number.isInteger(width)) {
      throw shError('SH_ERR_INFERENCE_RUN_FAILED', `Model ${modelId}: output ${name} has ${data.length} values for ${rowCount} rows.`, { where: `model ${modelId}: ${name}`, received: data.length, expected: `a multiple of ${rowCount}` });
    }
    names.push(name);
    widths.push(width);
  }
  const parts = new Array<ScoreOutputs>(batch.length);
  let row = 0;
  for (let i = 0; i < batch.length; i++) {
    const count = (batch[i] as Pending).rowCount;
    const part: Record<string, Float32Array> = {};
    for (let o = 0; o < names.length; o++) {
      const width = widths[o] as number;
      part[names[o] as string] = (outputs[names[o] as string] as Float32Array).subarray(row * width, (row + count) * width);
    }
    parts[i] = part;
    row += count;
  }
  return parts;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
