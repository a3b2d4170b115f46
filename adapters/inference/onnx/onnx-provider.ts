import ort from 'onnxruntime-node';
import { performance } from 'node:perf_hooks';
import { flattenRows, shError } from '../../../core/index.js';
import type { InferenceDescription, InferenceProvider, LoadedModel, ModelSpec, ProviderFallback, ScoreOutputs } from '../../../core/index.js';
import { cardMismatchError, cardMismatches } from './card-check.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import type { BatchingOptions, BatchListener } from './dynamic-batcher.js';
import { parseModelCard, widthOf } from './model-card.js';
import { readVerifiedModel } from './model-registry.js';
import { createOrtSession, createSessionWithFallback } from './session-factory.js';
import type { OrtSession, SessionCreator, SessionSettings } from './session-factory.js';

/** Options of an OnnxProvider; every one has a default. */
export interface OnnxProviderOptions extends SessionSettings {
  /** Execution providers, most preferred first (default ['cuda', 'cpu']). The first that loads is used. */
  readonly executionProviders?: readonly string[];
  /** Dynamic batching knobs, or false to run every call on its own (default: batching with DEFAULT_BATCHING). */
  readonly batching?: BatchingOptions | false;
  /** How sessions are made (default: onnxruntime-node); tests pass a creator that fails for some providers. */
  readonly createSession?: SessionCreator;
}

interface Entry {
  readonly model: LoadedModel;
  readonly session: OrtSession;
  readonly inputName: string;
  readonly featureCount: number;
  runs: number;
  rows: number;
}

/** One session run, timed, for callers that count runs (tests, benchmarks). */
export interface RunEvent {
  readonly modelId: string;
  readonly rows: number;
  readonly micros: number;
}

/**
 * The InferenceProvider on onnxruntime-node. Loads verify each file against its card (hash, then inputs and
 * outputs against the session); the execution provider is the first of the preference list that creates a session,
 * and a provider that failed while a later one worked is not tried again. Concurrent `score` calls are coalesced
 * per model by a DynamicBatcher.
 *
 * @example
 * const inference = new OnnxProvider({ executionProviders: ['cuda', 'cpu'], batching: { maxRows: 1024, maxWaitMicros: 500 } });
 * await inference.load(await modelSpecFromFile('models/gold-direction.onnx'));
 * const { probability } = await inference.score('gold-direction', rows, rowCount);
 * inference.describe().provider; // 'cuda', or 'cpu' where CUDA is absent
 */
export class OnnxProvider implements InferenceProvider {
  private readonly providers: readonly string[];
  private readonly settings: SessionSettings;
  private readonly create: SessionCreator;
  private readonly models = new Map<string, Entry>();
  private readonly loading = new Set<string>();
  private readonly unavailable = new Map<string, string>();
  private readonly batcher: DynamicBatcher | undefined;
  private readonly runListeners = new Set<(event: RunEvent) => void>();
  private closed = false;

  constructor(options: OnnxProviderOptions = {}) {
    const { executionProviders = ['cuda', 'cpu'], batching = {}, createSession = createOrtSession, ...settings } = options;
    if (executionProviders.length === 0) {
      throw shError('SH_ERR_CONFIG_INVALID', 'The execution provider list is empty.', { where: 'executionProviders', received: executionProviders, expected: "a non-empty list, e.g. ['cuda', 'cpu']" });
    }
    this.providers = [...executionProviders];
    this.settings = settings;
    this.create = createSession;
    this.batcher = batching === false ? undefined : new DynamicBatcher((id, rows, count) => this.run(id, rows, count), batching);
  }

  async load(spec: ModelSpec): Promise<LoadedModel> {
    const card = parseModelCard(spec.card, `card of ${spec.file}`);
    this.assertOpen(card.id);
    if (this.models.has(card.id) || this.loading.has(card.id)) {
      throw shError('SH_ERR_INFERENCE_MODEL_DUPLICATE', `Model ${card.id} is already loaded.`, { where: `model ${card.id}`, received: spec.file, expected: 'a model id not loaded yet' });
    }
    this.loading.add(card.id);
    try {
      const bytes = await readVerifiedModel({ file: spec.file, card });
      const skip = new Set(this.unavailable.keys());
      const { session, provider, failed } = await createSessionWithFallback(card.id, bytes, this.providers, this.settings, this.create, skip);
      // A provider that failed while a later one worked is unavailable here, not unfit for this model: skip it from now on.
      for (const f of failed) this.unavailable.set(f.provider, f.reason);
      const mismatches = cardMismatches(card, session);
      if (mismatches.length > 0 || this.closed) {
        await session.release();
        if (mismatches.length > 0) throw cardMismatchError(card.id, spec.file, mismatches);
        this.assertOpen(card.id);
      }
      const outputWidths = Object.fromEntries(card.outputs.map((o) => [o.name, widthOf(o.shape)]));
      const model: LoadedModel = { id: card.id, card, file: spec.file, provider, outputWidths };
      this.models.set(card.id, { model, session, inputName: (card.inputs[0] as { name: string }).name, featureCount: card.features.length, runs: 0, rows: 0 });
      return model;
    } finally {
      this.loading.delete(card.id);
    }
  }

  score(modelId: string, rows: Float32Array, rowCount: number): Promise<ScoreOutputs> {
    try {
      this.assertOpen(modelId);
      const entry = this.entry(modelId);
      if (!Number.isInteger(rowCount) || rowCount < 0 || rows.length !== rowCount * entry.featureCount) {
        throw shError('SH_ERR_INFERENCE_INPUT_INVALID', `Model ${modelId}: ${rows.length} values were given for ${rowCount} rows of ${entry.featureCount} features.`, {
          where: `model ${modelId}`,
          received: { values: rows.length, rowCount },
          expected: `rowCount (an integer >= 0) x ${entry.featureCount} values: ${entry.model.card.features.join(', ')}`,
        });
      }
      if (rowCount === 0) return Promise.resolve(emptyOutputs(entry));
      return this.batcher ? this.batcher.score(modelId, rows, rowCount) : this.run(modelId, rows, rowCount);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `score` for rows given as one array of numbers per row (as plugins' `features()` build them), each of the card's
   * feature count, in the card's order. With batching on, the rows are copied straight into their batch's input when
   * it runs (no flat copy per call first): leave them unchanged until the call resolves.
   */
  scoreRows(modelId: string, rows: readonly (readonly number[])[]): Promise<ScoreOutputs> {
    try {
      this.assertOpen(modelId);
      const entry = this.entry(modelId);
      for (let r = 0; r < rows.length; r++) {
        const length = (rows[r] as readonly number[]).length;
        if (length !== entry.featureCount) {
          throw shError('SH_ERR_INFERENCE_INPUT_INVALID', `Model ${modelId}: row ${r} has ${length} values; the model takes ${entry.featureCount} features.`, {
            where: `model ${modelId}`,
            received: { row: r, values: length },
            expected: `${entry.featureCount} values per row: ${entry.model.card.features.join(', ')}`,
          });
        }
      }
      if (rows.length === 0) return Promise.resolve(emptyOutputs(entry));
      return this.batcher ? this.batcher.score(modelId, rows, rows.length) : this.run(modelId, flattenRows(rows), rows.length);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  describe(): InferenceDescription {
    const models = [...this.models.values()].map((e) => ({
      id: e.model.id,
      version: e.model.card.version,
      sha256: e.model.card.sha256,
      provider: e.model.provider,
      features: e.featureCount,
      runs: e.runs,
      rows: e.rows,
    }));
    const used = new Set(models.map((m) => m.provider));
    const provider = used.size === 0 ? 'none' : used.size === 1 ? ([...used][0] as string) : 'mixed';
    const fallbacks: ProviderFallback[] = [...this.unavailable].map(([name, reason]) => ({ provider: name, reason }));
    return { provider, requestedProviders: this.providers, fallbacks, models };
  }

  /**
   * Run every score call queued so far without waiting for the rest of maxWait (see DynamicBatcher.flush): for a
   * caller that has issued all the calls of a round. Nothing to do when batching is off.
   */
  flush(): void {
    this.batcher?.flush();
  }

  /** Subscribe to batch statistics (size, queue waits, latency); returns an unsubscribe function. Nothing when batching is off. */
  onBatch(listener: BatchListener): () => void {
    return this.batcher ? this.batcher.onBatch(listener) : () => undefined;
  }

  /** Subscribe to every session run; returns an unsubscribe function. */
  onRun(listener: (event: RunEvent) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** A loaded model, or undefined. */
  model(modelId: string): LoadedModel | undefined {
    return this.models.get(modelId)?.model;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.batcher?.close();
    const entries = [...this.models.values()];
    this.models.clear();
    await Promise.all(entries.map((e) => e.session.release()));
  }

  /** One session run over `rowCount` rows; every card output, converted to float32 and checked for size. */
  private async run(modelId: string, rows: Float32Array, rowCount: number): Promise<ScoreOutputs> {
    const entry = this.entry(modelId);
    const started = performance.now();
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await entry.session.run({ [entry.inputName]: new ort.Tensor('float32', rows, [rowCount, entry.featureCount]) });
    } catch (error) {
      throw shError('SH_ERR_INFERENCE_RUN_FAILED', `Model ${modelId}: onnxruntime failed on ${rowCount} rows: ${(error as Error).message}.`, { where: `model ${modelId}`, received: rowCount, cause: error });
    }
    const micros = (performance.now() - started) * 1000;
    entry.runs += 1;
    entry.rows += rowCount;
    const outputs: Record<string, Float32Array> = {};
    for (const output of entry.model.card.outputs) {
      const tensor = results[output.name];
      const width = entry.model.outputWidths[output.name] ?? 1;
      if (tensor === undefined || tensor.dims[0] !== rowCount || tensor.size !== rowCount * width) {
        throw cardMismatchError(modelId, entry.model.file, [{ field: `outputs.${output.name}.shape`, expected: output.shape, received: tensor ? tensor.dims : '(missing)' }]);
      }
      // A float32 output is passed on as onnxruntime returned it (a new buffer per run: DynamicBatcher's split relies on it).
      outputs[output.name] = toFloat32(tensor.data);
    }
    for (const listener of this.runListeners) {
      try {
        listener({ modelId, rows: rowCount, micros });
      } catch {
        // A metrics hook must never fail a run.
      }
    }
    return outputs;
  }

  private entry(modelId: string): Entry {
    const entry = this.models.get(modelId);
    if (entry === undefined) {
      const loaded = [...this.models.keys()];
      throw shError('SH_ERR_INFERENCE_MODEL_UNKNOWN', `Model ${modelId} is not loaded. Loaded: ${loaded.join(', ') || '(none)'}.`, { where: `model ${modelId}`, received: modelId, expected: `one of ${loaded.join(', ') || '(none loaded)'}` });
    }
    return entry;
  }

  private assertOpen(modelId: string): void {
    if (this.closed) throw shError('SH_ERR_INFERENCE_CLOSED', `Model ${modelId}: the inference provider is closed.`, { where: `model ${modelId}` });
  }
}

/** Every card output with no rows: what scoring zero rows returns, without running the model. */
function emptyOutputs(entry: Entry): ScoreOutputs {
  return Object.fromEntries(entry.model.card.outputs.map((o) => [o.name, new Float32Array(0)]));
}

function toFloat32(data: ort.Tensor['data']): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, (v) => Number(v));
  if (Array.isArray(data)) return Float32Array.from(data as unknown[], (v) => Number(v));
  return Float32Array.from(data as ArrayLike<number>);
}
