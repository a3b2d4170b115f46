import type { InferenceDescription } from '../../core/index.js';
import type { BatchStats, RunEvent } from '../../adapters/inference/onnx/index.js';
import type { HostMetrics } from '../metrics.js';

/*
 * Inference statistics: the main-thread provider feeds the metrics directly from its onBatch/onRun hooks; a pool
 * worker collects the same events and returns them with each task result (as it returns its timing), and the main
 * thread records them in the one registry (prom-client lives in the main thread only).
 */

/** What a provider reports, as far as statistics go (OnnxProvider). */
export interface ObservableProvider {
  onBatch(listener: (stats: BatchStats) => void): () => void;
  onRun(listener: (event: RunEvent) => void): () => void;
  model(modelId: string): { readonly provider: string } | undefined;
}

/** The events of one model since the last drain, as plain arrays (cheap to clone back from a worker). */
export interface ModelInferenceStats {
  readonly modelId: string;
  /** The execution provider the model runs on. */
  readonly provider: string;
  /** Rows of each batch. */
  readonly batchRows: number[];
  /** Time each call waited in the batcher's queue, µs. */
  readonly queueWaitsMicros: number[];
  /** Rows and duration (µs) of each session run. */
  readonly runRows: number[];
  readonly runMicros: number[];
}

export type InferenceStats = readonly ModelInferenceStats[];

/** Collects a provider's events between drains (one per task in a worker). */
export class InferenceStatsCollector {
  private readonly byModel = new Map<string, ModelInferenceStats>();
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly provider: ObservableProvider) {
    this.unsubscribe = [
      provider.onBatch((s) => {
        const entry = this.entry(s.modelId);
        entry.batchRows.push(s.rows);
        entry.queueWaitsMicros.push(...s.queueWaitsMicros);
      }),
      provider.onRun((e) => {
        const entry = this.entry(e.modelId);
        entry.runRows.push(e.rows);
        entry.runMicros.push(e.micros);
      }),
    ];
  }

  /** The events since the last drain, or undefined when there were none. */
  drain(): InferenceStats | undefined {
    if (this.byModel.size === 0) return undefined;
    const stats = [...this.byModel.values()];
    this.byModel.clear();
    return stats;
  }

  close(): void {
    for (const off of this.unsubscribe) off();
  }

  private entry(modelId: string): ModelInferenceStats {
    let entry = this.byModel.get(modelId);
    if (!entry) {
      entry = { modelId, provider: this.provider.model(modelId)?.provider ?? 'unknown', batchRows: [], queueWaitsMicros: [], runRows: [], runMicros: [] };
      this.byModel.set(modelId, entry);
    }
    return entry;
  }
}

/** Record one batch (rows, queue waits) in the metrics. */
export function recordBatch(metrics: HostMetrics, modelId: string, rows: number, queueWaitsMicros: readonly number[]): void {
  metrics.inferenceBatchRows.observe({ model_id: modelId }, rows);
  for (const wait of queueWaitsMicros) metrics.inferenceQueueWait.observe(wait / 1e6);
}

/** Record one session run (duration, rows) in the metrics. */
export function recordRun(metrics: HostMetrics, modelId: string, provider: string, rows: number, micros: number): void {
  metrics.inferenceSeconds.observe({ model_id: modelId, provider }, micros / 1e6);
  metrics.inferenceRows.inc({ model_id: modelId, provider }, rows);
}

/** Record what a worker returned with a task. */
export function recordInferenceStats(metrics: HostMetrics, stats: InferenceStats): void {
  for (const s of stats) {
    for (const rows of s.batchRows) metrics.inferenceBatchRows.observe({ model_id: s.modelId }, rows);
    for (const wait of s.queueWaitsMicros) metrics.inferenceQueueWait.observe(wait / 1e6);
    s.runRows.forEach((rows, i) => recordRun(metrics, s.modelId, s.provider, rows, s.runMicros[i] as number));
  }
}

/** Feed the metrics from a main-thread provider's hooks; returns an unsubscribe function. */
export function observeProvider(metrics: HostMetrics, provider: ObservableProvider): () => void {
  const offBatch = provider.onBatch((s) => recordBatch(metrics, s.modelId, s.rows, s.queueWaitsMicros));
  const offRun = provider.onRun((e) => recordRun(metrics, e.modelId, provider.model(e.modelId)?.provider ?? 'unknown', e.rows, e.micros));
  return () => {
    offBatch();
    offRun();
  };
}

/** Set the execution-provider gauge: 1 for the provider in use, 0 for the others requested. */
export function recordExecutionProvider(metrics: HostMetrics, description: InferenceDescription): void {
  for (const name of new Set([...description.requestedProviders, description.provider])) {
    metrics.inferenceExecutionProvider.set({ provider: name }, name === description.provider ? 1 : 0);
  }
}

/** Session runs and rows per model done in pool workers, added to the main-thread provider's own counts for /healthz. */
export class WorkerTally {
  private readonly counts = new Map<string, { runs: number; rows: number }>();

  add(stats: InferenceStats): void {
    for (const s of stats) {
      const c = this.counts.get(s.modelId) ?? { runs: 0, rows: 0 };
      c.runs += s.runRows.length;
      c.rows += s.runRows.reduce((sum, r) => sum + r, 0);
      this.counts.set(s.modelId, c);
    }
  }

  /** The description with worker runs and rows added to each model's. */
  apply(description: InferenceDescription): InferenceDescription {
    return {
      ...description,
      models: description.models.map((m) => {
        const c = this.counts.get(m.id);
        return c ? { ...m, runs: m.runs + c.runs, rows: m.rows + c.rows } : m;
      }),
    };
  }
}
