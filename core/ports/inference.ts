/**
 * The inference port: models scored by the host on behalf of plugins (DESIGN.md §8). A model is a file plus a model
 * card that says what goes in (features, in order), what comes out (each output and its meaning) and what it was
 * trained on. Providers verify the card against the file before they score anything.
 */

/** Element types a card may declare. Inputs are float32; an output is float32, or int64 for class labels. */
export type TensorDataType = 'float32' | 'int64';

/** One dimension of a tensor: a fixed size, or `'batch'` for the row dimension (written -1 or "batch" in JSON). */
export type TensorDimension = number | 'batch';

/** A named tensor of a model, as its card declares it. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: TensorDataType;
  /** The first dimension is always `'batch'`; the others are fixed sizes, e.g. `['batch', 16]`. */
  readonly shape: readonly TensorDimension[];
}

/** The model input: one float32 tensor `['batch', features.length]`, one row per scored item. */
export interface InputSpec extends TensorSpec {
  readonly dtype: 'float32';
}

/**
 * What an output's numbers mean:
 * - `probability`: one probability in [0, 1] per row (shape `['batch']` or `['batch', 1]`);
 * - `class-probabilities`: one column per class, in the order of `labels`;
 * - `quantiles`: one column per quantile level, in the order of `quantiles`;
 * - `regression`: one or more real-valued targets;
 * - `label`: the predicted class (an index, or a value named by `labels`).
 */
export type OutputMeaning = 'probability' | 'quantiles' | 'regression' | 'class-probabilities' | 'label';

/** A model output and how to read it. */
export interface OutputSpec extends TensorSpec {
  readonly meaning: OutputMeaning;
  /** Class names: the columns of `class-probabilities`, or the classes a `label` indexes. */
  readonly labels?: readonly string[];
  /** Quantile levels in (0, 1), ascending: the columns of a `quantiles` output. */
  readonly quantiles?: readonly number[];
}

/** The data a model was fitted on; a walk-forward backtest must not score it on or before `to`. Dates are YYYY-MM-DD, inclusive. */
export interface TrainingWindow {
  readonly from: string;
  readonly to: string;
}

/**
 * Everything the host needs to know about a model file to use it safely. Stored as JSON next to the model
 * (`<name>.card.json`) or inline in a model registry; see adapters/inference/onnx/README.md.
 *
 * @example
 * { "id": "gold-direction", "version": "2024.1", "sha256": "9f2c...",
 *   "features": ["ret_5d", "ret_20d"], "trainingWindow": { "from": "2010-01-04", "to": "2015-12-31" },
 *   "inputs": [{ "name": "features", "dtype": "float32", "shape": ["batch", 2] }],
 *   "outputs": [{ "name": "probability", "dtype": "float32", "shape": ["batch", 1], "meaning": "probability" }] }
 */
export interface ModelCard {
  /** Unique among loaded models; plugins score by this id. */
  readonly id: string;
  readonly version: string;
  /** Lowercase hex SHA-256 of the model file; a file with another hash is refused. */
  readonly sha256: string;
  readonly description?: string;
  /** Feature names in column order: row r of a score call holds `features.length` values in this order. */
  readonly features: readonly string[];
  readonly trainingWindow: TrainingWindow;
  /** Exactly one input, `['batch', features.length]`. */
  readonly inputs: readonly InputSpec[];
  /** Every output of the model, in the model's order. */
  readonly outputs: readonly OutputSpec[];
}

/** Where a model is and what it claims to be: what `InferenceProvider.load` takes. */
export interface ModelSpec {
  /** Path of the model file. */
  readonly file: string;
  readonly card: ModelCard;
}

/** A model a provider verified and can score. */
export interface LoadedModel {
  readonly id: string;
  readonly card: ModelCard;
  readonly file: string;
  /** The execution provider its session runs on, e.g. `'cuda'` or `'cpu'`. */
  readonly provider: string;
  /** Values per row of each output, by output name (1 for `['batch']`). */
  readonly outputWidths: Readonly<Record<string, number>>;
}

/**
 * The result of a score call: for each output name, `rowCount x width` values, row-major, row r of the result
 * belonging to row r of the input. int64 label outputs are converted to float32 (exact up to 2^24).
 */
export type ScoreOutputs = Readonly<Record<string, Float32Array>>;

/** A provider of the preference list that could not be used, and why. */
export interface ProviderFallback {
  readonly provider: string;
  readonly reason: string;
}

/** One loaded model as health and metrics show it. */
export interface ModelDescription {
  readonly id: string;
  readonly version: string;
  readonly sha256: string;
  readonly provider: string;
  readonly features: number;
  /** Session runs (batches) and rows scored since load. */
  readonly runs: number;
  readonly rows: number;
}

/** What a provider runs on, for health and metrics. */
export interface InferenceDescription {
  /** The execution provider the sessions run on: `'cuda'`, `'cpu'`, ...; `'none'` before any load, `'mixed'` if they differ. */
  readonly provider: 'cuda' | 'cpu' | 'none' | 'mixed' | (string & {});
  /** The preference list, most preferred first. */
  readonly requestedProviders: readonly string[];
  /** Providers that were tried and skipped, with the reason. */
  readonly fallbacks: readonly ProviderFallback[];
  readonly models: readonly ModelDescription[];
}

/**
 * The port every inference provider implements. Calls from many plugins may be coalesced into one model run;
 * each caller still receives exactly the outputs of its own rows.
 */
export interface InferenceProvider {
  /** Verify the file against its card (hash, inputs, outputs) and make the model ready to score. */
  load(model: ModelSpec): Promise<LoadedModel>;
  /**
   * Score `rowCount` rows given as one flat array of `rowCount x features.length` values, row-major, features in
   * the card's order.
   */
  score(modelId: string, rows: Float32Array, rowCount: number): Promise<ScoreOutputs>;
  describe(): InferenceDescription;
  /** Finish the calls already accepted, then release every model; later calls fail. */
  close(): Promise<void>;
}
