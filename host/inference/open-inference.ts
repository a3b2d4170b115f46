import { ShError, type InferenceDescription, type ModelSpec } from '../../core/index.js';
import { OnnxProvider, readModelRegistry, type OnnxProviderOptions } from '../../adapters/inference/onnx/index.js';
import type { HostConfig } from '../config/load-config.js';
import type { LoadedPlugin } from '../plugins/loader.js';
import { fromRoot } from '../paths.js';

/*
 * Opening inference for a run (DESIGN.md §8): check that every model the enabled plugins declare is in the
 * configured registry, load those models in the main thread (which verifies each file against its card and picks the
 * execution provider), and say what the pool workers need to open their own provider.
 *
 * This module imports onnxruntime-node: load it lazily (`await import`), only when a plugin uses models.
 */

/** The provider settings of a pool worker, and the models it loads: plain data, passed in workerData. */
export interface WorkerInference {
  readonly models: readonly ModelSpec[];
  readonly options: WorkerProviderOptions;
}

/** The serialisable part of OnnxProviderOptions (no session creator). */
export type WorkerProviderOptions = Omit<OnnxProviderOptions, 'createSession'>;

export interface OpenedInference {
  readonly provider: OnnxProvider;
  /** The models loaded, as the registry lists them (absolute file paths). */
  readonly models: readonly ModelSpec[];
  /** What each pool worker opens: the same models, on the providers the main thread did not find unavailable. */
  readonly worker: WorkerInference;
}

/** Model ids the enabled plugins declare, with the plugins that declare each. */
export function modelsInUse(plugins: readonly LoadedPlugin[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const p of plugins) {
    if (p.mode === 'disabled') continue;
    for (const id of p.prepared.models) used.set(id, [...(used.get(id) ?? []), p.id]);
  }
  return used;
}

/**
 * The provider options of a config, for the main thread or a pool worker. `intraOpNumThreads: 0` means onnxruntime's
 * default (a thread per core) in the main thread, and 1 in a worker: the pool already runs a worker per core, and
 * onnxruntime's spinning intra-op threads would take CPU from the plugins.
 */
export function providerOptions(config: HostConfig, where: 'main' | 'worker'): WorkerProviderOptions {
  const inference = config.inference;
  const intra = inference.intraOpNumThreads > 0 ? inference.intraOpNumThreads : where === 'worker' ? 1 : 0;
  return {
    executionProviders: [...inference.executionProviders],
    graphOptimizationLevel: inference.graphOptimizationLevel,
    ...(intra > 0 ? { intraOpNumThreads: intra } : {}),
    ...(inference.interOpNumThreads > 0 ? { interOpNumThreads: inference.interOpNumThreads } : {}),
    batching: { maxRows: inference.batching.maxRows, maxWaitMicros: inference.batching.maxWaitMicros },
  };
}

/**
 * Open inference for the enabled plugins, or return undefined when none declares a model. Throws, with exit code 2:
 * SH_ERR_INFERENCE_MODEL_UNKNOWN (a plugin declares a model while no registry is configured, or the registry lacks
 * it: every plugin and model listed), SH_ERR_INFERENCE_CARD_INVALID (the registry or a card is malformed),
 * SH_ERR_INFERENCE_HASH_MISMATCH / _CARD_MISMATCH / _LOAD_FAILED (a model file is not what its card says, or cannot
 * load on any execution provider). A registry configured while no plugin uses a model is still read and checked.
 */
export async function openInference(config: HostConfig, plugins: readonly LoadedPlugin[], options: { createSession?: OnnxProviderOptions['createSession'] } = {}): Promise<OpenedInference | undefined> {
  const used = modelsInUse(plugins);
  const registry = config.inference.registry.trim();
  if (registry === '') {
    if (used.size === 0) return undefined;
    const problems = [...used].flatMap(([model, ids]) => ids.map((id) => unknownModel(id, model, 'no model registry is configured (inference.registry is empty)')));
    throw summary(problems, `${problems.length} model(s) declared by enabled plugins, but inference.registry is empty`);
  }
  const specs = await readModelRegistry(fromRoot(registry));
  const byId = new Map(specs.map((s) => [s.card.id, s]));
  const missing = [...used].flatMap(([model, ids]) => (byId.has(model) ? [] : ids.map((id) => unknownModel(id, model, `the model registry ${registry} has no model ${model} (it has ${[...byId.keys()].join(', ') || 'none'})`))));
  if (missing.length > 0) throw summary(missing, `${missing.length} model(s) declared by enabled plugins are not in the model registry ${registry}`);
  if (used.size === 0) return undefined;
  const models = [...used.keys()].map((id) => byId.get(id) as ModelSpec);
  const provider = new OnnxProvider({ ...providerOptions(config, 'main'), ...(options.createSession ? { createSession: options.createSession } : {}) });
  try {
    for (const spec of models) await provider.load(spec);
  } catch (error) {
    await provider.close();
    throw error;
  }
  const description = provider.describe();
  const unavailable = new Set(description.fallbacks.map((f) => f.provider));
  const workerOptions = providerOptions(config, 'worker');
  const worker: WorkerInference = {
    models,
    options: { ...workerOptions, executionProviders: (workerOptions.executionProviders ?? []).filter((p) => !unavailable.has(p)) },
  };
  return { provider, models, worker };
}

/** Open a pool worker's own provider: the models the main thread loaded, on the providers it found available. */
export async function openWorkerProvider(init: WorkerInference): Promise<OnnxProvider> {
  const provider = new OnnxProvider(init.options);
  try {
    for (const spec of init.models) await provider.load(spec);
  } catch (error) {
    await provider.close();
    throw error;
  }
  return provider;
}

/** One line for the log: which execution provider runs the models, and why another did not. */
export function describeLine(description: InferenceDescription): string {
  const models = description.models.map((m) => `${m.id}@${m.version}`).join(', ');
  const fallbacks = description.fallbacks.map((f) => `${f.provider} unavailable: ${f.reason}`).join('; ');
  return `inference: ${description.models.length} model(s) (${models}) on execution provider ${description.provider} (requested ${description.requestedProviders.join(', ')}${fallbacks ? `; ${fallbacks}` : ''})`;
}

function unknownModel(pluginId: string, modelId: string, why: string): ShError {
  return new ShError('SH_ERR_INFERENCE_MODEL_UNKNOWN', `plugin ${pluginId} declares model ${modelId}, but ${why}`, {
    where: `plugin ${pluginId} (models)`,
    received: modelId,
    expected: 'a model id of the registry named by inference.registry',
    fix: 'Add the model to the registry (and set inference.registry), or disable the plugin (plugins.settings.<id>.mode: disabled).',
  });
}

function summary(problems: readonly ShError[], message: string): ShError {
  const first = problems[0] as ShError;
  return new ShError('SH_ERR_INFERENCE_MODEL_UNKNOWN', `${message}. First: ${first.message}`, { ...first.details, where: 'inference.registry' }, problems);
}
