import { performance } from 'node:perf_hooks';
import { isShError, shError } from '../../../core/index.js';
import type { ScoreOutputs } from '../../../core/index.js';

/** Runs one batch of `rowCount` rows (flat, row-major) of one model; returns every output, row-major. */
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
  readonly rows: Float32Array;
  readonly rowCount: number;
  readonly enqueuedAt: number;
  readonly resolve: (outputs: ScoreOutputs) => void;
  readonly reject: (error: unknown) => void;
}

interface Timer {
  cancelled: boolean;
  cancel(): void;
}

interface ModelQueue {
  readonly modelId: string;
  pending: Pending[];
  pendingRows: number;
  inFlight: number;
  timer?: Timer;
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

  /** Queue `rowCount` rows (`rows.length / rowCount` values each) for a model; resolves with the outputs of those rows. */
  score(modelId: string, rows: Float32Array, rowCount: number): Promise<ScoreOutputs> {
    if (this.closing) return Promise.reject(shError('SH_ERR_INFERENCE_CLOSED', `Cannot score model ${modelId}: the batcher is closed.`, { where: `model ${modelId}` }));
    if (!Number.isInteger(rowCount) || rowCount < 1 || rows.length === 0 || rows.length % rowCount !== 0) {
      return Promise.reject(
        shError('SH_ERR_INFERENCE_INPUT_INVALID', `Model ${modelId}: ${rows.length} values cannot be ${rowCount} rows.`, { where: `model ${modelId}`, received: { values: rows.length, rowCount }, expected: 'rowCount >= 1 dividing the number of values' }),
      );
    }
    let queue = this.queues.get(modelId);
    if (queue === undefined) {
      queue = { modelId, pending: [], pendingRows: 0, inFlight: 0, flushedAt: Number.NEGATIVE_INFINITY };
      this.queues.set(modelId, queue);
    }
    const target = queue;
    return new Promise<ScoreOutputs>((resolve, reject) => {
      target.pending.push({ rows, rowCount, enqueuedAt: performance.now(), resolve, reject });
      target.pendingRows += rowCount;
      if (target.pendingRows >= this.options.maxRows) this.pump(target);
      else if (target.timer === undefined) this.arm(target);
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

  /** Dispatch every batch that is full or due, as far as the concurrency limit allows; arm a timer for the rest. */
  private pump(queue: ModelQueue): void {
    queue.timer?.cancel();
    queue.timer = undefined;
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

  private arm(queue: ModelQueue): void {
    const oldest = queue.pending[0];
    if (oldest === undefined) return;
    const delayMs = oldest.enqueuedAt + this.options.maxWaitMicros / 1000 - performance.now();
    const timer: Timer = { cancelled: false, cancel: () => undefined };
    const fire = (): void => {
      if (!timer.cancelled) this.pump(queue);
    };
    if (delayMs <= 0) queueMicrotask(fire);
    else if (delayMs >= 1) {
      const handle = setTimeout(fire, Math.floor(delayMs));
      timer.cancel = () => clearTimeout(handle);
    } else {
      const handle = setImmediate(fire);
      timer.cancel = () => clearImmediate(handle);
    }
    const cancel = timer.cancel;
    timer.cancel = () => {
      timer.cancelled = true;
      cancel();
    };
    queue.timer = timer;
  }

  /** Whole calls from the head of the queue, up to maxRows rows (at least one call). */
  private take(queue: ModelQueue): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    while (queue.pending.length > 0) {
      const next = queue.pending[0] as Pending;
      if (batch.length > 0 && rows + next.rowCount > this.options.maxRows) break;
      batch.push(next);
      rows += next.rowCount;
      queue.pending.shift();
    }
    queue.pendingRows -= rows;
    return batch;
  }

  private dispatch(queue: ModelQueue, batch: readonly Pending[], trigger: BatchStats['trigger']): void {
    queue.inFlight += 1;
    const run = this.execute(queue.modelId, batch, trigger).finally(() => {
      queue.inFlight -= 1;
      this.running.delete(run);
      this.pump(queue);
    });
    this.running.add(run);
  }

  private async execute(modelId: string, batch: readonly Pending[], trigger: BatchStats['trigger']): Promise<void> {
    const started = performance.now();
    const queueWaitsMicros = batch.map((p) => (started - p.enqueuedAt) * 1000);
    const rowCount = batch.reduce((sum, p) => sum + p.rowCount, 0);
    let outputs: ScoreOutputs | undefined;
    let failure: unknown;
    try {
      outputs = await this.runner(modelId, concatenate(batch), rowCount);
    } catch (error) {
      failure = error;
    }
    const inferenceMicros = (performance.now() - started) * 1000;
    let parts: ScoreOutputs[] | undefined;
    if (outputs !== undefined) {
      try {
        parts = split(modelId, outputs, batch, rowCount);
      } catch (error) {
        failure = error;
      }
    }
    this.emit({ modelId, requests: batch.length, rows: rowCount, trigger, queueWaitsMicros, inferenceMicros, failed: parts === undefined });
    if (parts === undefined) {
      const error = isShError(failure) ? failure : shError('SH_ERR_INFERENCE_RUN_FAILED', `Model ${modelId}: the run failed: ${(failure as Error)?.message ?? String(failure)}.`, { where: `model ${modelId}`, cause: failure });
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => p.resolve(parts[i] as ScoreOutputs));
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

/** The rows of a batch as one array (the caller's own array when the batch is one call). */
function concatenate(batch: readonly Pending[]): Float32Array {
  if (batch.length === 1) return (batch[0] as Pending).rows;
  const rows = new Float32Array(batch.reduce((sum, p) => sum + p.rows.length, 0));
  let offset = 0;
  for (const p of batch) {
    rows.set(p.rows, offset);
    offset += p.rows.length;
  }
  return rows;
}

/** Cut each output into the callers' rows; every output must hold a whole number of values per row. */
function split(modelId: string, outputs: ScoreOutputs, batch: readonly Pending[], rowCount: number): ScoreOutputs[] {
  if (batch.length === 1) return [outputs];
  const widths = Object.entries(outputs).map(([name, data]) => {
    const width = data.length / rowCount;
    if (!Number.isInteger(width)) {
      throw shError('SH_ERR_INFERENCE_RUN_FAILED', `Model ${modelId}: output ${name} has ${data.length} values for ${rowCount} rows.`, { where: `model ${modelId}: ${name}`, received: data.length, expected: `a multiple of ${rowCount}` });
    }
    return [name, data, width] as const;
  });
  let row = 0;
  return batch.map((p) => {
    const part: Record<string, Float32Array> = {};
    for (const [name, data, width] of widths) part[name] = data.slice(row * width, (row + p.rowCount) * width);
    row += p.rowCount;
    return part;
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
