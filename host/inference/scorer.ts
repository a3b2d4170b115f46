import { flattenRows, isFeatureMatrix, rowCountOf, ShError, type ModelScorer, type ModelScores, type ScoreOutputs } from '../../core/index.js';

/*
 * The bridge between the plugin contract (rows as number[][], ModelScores with a width per output) and the inference
 * port (rows as one flat Float32Array, ScoreOutputs as one flat Float32Array per output). No onnxruntime import
 * here: executors and workers that run no model never load it.
 */

/**
 * What the bridge needs of a provider: `score`, and `flush` when it batches; `scoreRows` when it takes the rows as
 * they are, one array per row, and copies them into its batch itself (OnnxProvider has all three). Without it, the
 * rows of each call are flattened here first.
 */
export interface ScoringProvider {
  score(modelId: string, rows: Float32Array, rowCount: number): Promise<ScoreOutputs>;
  scoreRows?(modelId: string, rows: readonly (readonly number[])[]): Promise<ScoreOutputs>;
  flush?(): void;
}

/** A provider's outputs for `rowCount` rows as ModelScores: width = values / rowCount for each output. */
export function toModelScores(modelId: string, outputs: ScoreOutputs, rowCount: number): ModelScores {
  const converted: Record<string, { width: number; values: Float32Array }> = {};
  for (const name in outputs) {
    const values = outputs[name] as Float32Array;
    const width = rowCount === 0 ? 0 : values.length / rowCount;
    if (!Number.isInteger(width)) {
      throw new ShError('SH_ERR_INFERENCE_RUN_FAILED', `model ${modelId}: output ${name} has ${values.length} values for ${rowCount} rows`, { where: `model ${modelId}: ${name}`, received: values.length, expected: `a multiple of ${rowCount}` });
    }
    converted[name] = { width, values };
  }
  return { rowCount, outputs: converted };
}

/** ModelScores as a provider's flat outputs (the inverse of toModelScores). */
export function toScoreOutputs(scores: ModelScores): ScoreOutputs {
  return Object.fromEntries(Object.entries(scores.outputs).map(([name, output]) => [name, output.values]));
}

/**
 * The ModelScorer the executors hand to evaluateWithModels, over a batching provider. Every call is queued in the
 * provider's batcher; once the calls of this round are all issued (the executors issue a whole chunk of plugins, or
 * one step of every history, before they await), one flush on the next event-loop turn runs them at once instead of
 * letting the batch sit until maxWait. Calls issued in the same turn still coalesce into one run per model.
 */
export function providerScorer(provider: ScoringProvider): ModelScorer {
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    provider.flush?.();
  };
  return (modelId, rows) => {
    const rowCount = rowCountOf(rows);
    let pending: Promise<ScoreOutputs>;
    try {
      // A FeatureMatrix goes to the model as it is; arrays of rows are copied into the batch by the provider.
      if (isFeatureMatrix(rows)) pending = provider.score(modelId, rows.values, rowCount);
      else pending = provider.scoreRows ? provider.scoreRows(modelId, rows) : provider.score(modelId, flattenRows(rows), rowCount);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!flushScheduled && provider.flush) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return pending.then((outputs) => toModelScores(modelId, outputs, rowCount));
  };
}
