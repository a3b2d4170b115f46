import ort from 'onnxruntime-node';
import { shError } from '../../../core/index.js';
import type { ProviderFallback } from '../../../core/index.js';

export type OrtSession = ort.InferenceSession;

/** Session options the host may set; the execution providers come from the preference list. */
export interface SessionSettings {
  /** Threads inside one operator (onnxruntime default: one per core). */
  readonly intraOpNumThreads?: number;
  /** Threads across independent operators (only used with executionMode 'parallel'). */
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** 0 verbose ... 4 fatal (onnxruntime default 2, warning). */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** Creates a session on exactly one execution provider; it throws when that provider is not available. */
export type SessionCreator = (model: Uint8Array, provider: string, settings: SessionSettings) => Promise<OrtSession>;

/**
 * The real creator: onnxruntime-node with `executionProviders: [provider]`. Probing a GPU provider that may be absent
 * runs with native logging at fatal only: its "failed to load library" line is expected, and the fallback is
 * reported by the provider (log line, /healthz, metric) instead of as a native error on stderr.
 */
export const createOrtSession: SessionCreator = (model, provider, settings) => {
  // The native logger is process-wide and set up on first use: failures still arrive as thrown errors, with details.
  if (provider !== 'cpu' && ort.env.logLevel !== 'fatal') ort.env.logLevel = 'fatal';
  return ort.InferenceSession.create(model, { ...(provider === 'cpu' ? {} : { logSeverityLevel: 4 as const }), ...settings, executionProviders: [provider] });
};

/**
 * Tries the providers in order, one at a time (a list given to onnxruntime throws as a whole when CUDA is absent; it
 * does not fall back), and says which one worked: the session itself does not tell. `skip` holds providers already
 * known to be unavailable. Throws SH_ERR_INFERENCE_LOAD_FAILED with every provider's error when none works.
 */
export async function createSessionWithFallback(
  modelId: string,
  model: Uint8Array,
  providers: readonly string[],
  settings: SessionSettings,
  create: SessionCreator,
  skip: ReadonlySet<string> = new Set(),
): Promise<{ session: OrtSession; provider: string; failed: ProviderFallback[] }> {
  const failed: ProviderFallback[] = [];
  for (const provider of providers) {
    if (skip.has(provider)) continue;
    try {
      return { session: await create(model, provider, settings), provider, failed };
    } catch (error) {
      failed.push({ provider, reason: firstLine(error) });
    }
  }
  const skipped = providers.filter((p) => skip.has(p));
  const tried = [...failed.map((f) => `${f.provider}: ${f.reason}`), ...(skipped.length > 0 ? [`skipped as unavailable: ${skipped.join(', ')}`] : [])].join('; ');
  throw shError('SH_ERR_INFERENCE_LOAD_FAILED', `Model ${modelId}: no execution provider could create a session (${tried}).`, {
    where: `model ${modelId}`,
    model: modelId,
    received: failed,
    expected: `a session on one of ${providers.join(', ')}`,
  });
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).trim();
}
