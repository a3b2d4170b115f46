import type { Signal } from '../model/signal.js';
import type { StrategyContext } from './context.js';

/**
 * Feature rows as one row-major Float32Array: `rowCount` rows of `values.length / rowCount` features each. For a
 * plugin that scores many rows at once (a universe, a history): the host passes the array to the model as it is,
 * with no per-value conversion. Leave it unchanged until `evaluate` runs.
 */
export interface FeatureMatrix {
  readonly rowCount: number;
  readonly values: Float32Array;
}

/** One model's rows: an array of numbers per row, or a FeatureMatrix; each row in the model card's feature order. */
export type ModelRows = readonly (readonly number[])[] | FeatureMatrix;

/** Rows of features per model id, to be scored before `evaluate`. */
export type FeatureRows = Readonly<Record<string, ModelRows>>;

/** Whether a model's rows are a FeatureMatrix (else one array per row). */
export function isFeatureMatrix(rows: ModelRows): rows is FeatureMatrix {
  return !Array.isArray(rows);
}

/** How many rows a model's rows hold. */
export function rowCountOf(rows: ModelRows): number {
  return isFeatureMatrix(rows) ? rows.rowCount : rows.length;
}

/** Copy rows given as one array per row into `into` from offset `at`, row-major; returns the offset after them. */
export function copyRowsInto(rows: readonly (readonly number[])[], into: Float32Array, at: number): number {
  const width = rows[0]?.length ?? 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as readonly number[];
    for (let f = 0; f < width; f++) into[at++] = row[f] as number;
  }
  return at;
}

/** Rows given as one array per row as one row-major Float32Array (every row has the width of the first). */
export function flattenRows(rows: readonly (readonly number[])[]): Float32Array {
  const flat = new Float32Array(rows.length * (rows[0]?.length ?? 0));
  copyRowsInto(rows, flat, 0);
  return flat;
}

/** A model's rows as one array of numbers per row (a FeatureMatrix is unpacked; arrays are returned as they are). */
export function rowsAsArrays(rows: ModelRows): readonly (readonly number[])[] {
  if (!isFeatureMatrix(rows)) return rows;
  const width = rows.rowCount === 0 ? 0 : rows.values.length / rows.rowCount;
  return Array.from({ length: rows.rowCount }, (_, r) => Array.from(rows.values.subarray(r * width, (r + 1) * width)));
}
import type { ParamSpecs, ParamValues } from './params.js';

/** Contract versions this host understands. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];

/** The data a plugin needs, given its params. */
export interface StrategyNeeds {
  /** Symbols whose bars the plugin reads (`bar:<symbol>`). */
  readonly bars: readonly string[];
  /** Other series ids (`macro:VIX`, `cot:GC`...). */
  readonly series?: readonly string[];
  /** Rows of bar history each evaluation needs. */
  readonly history: number;
  /** Rows of history for `series`; defaults to `history`. */
  readonly seriesHistory?: number;
  /** Symbols the plugin may emit signals for; defaults to `bars`. */
  readonly trades?: readonly string[];
}

/** What evaluate returns: the complete target (absent instruments are 0) and the next state. */
export interface EvaluationOutput<S> {
  readonly signals: readonly Signal[];
  readonly state: S;
}

/** A strategy plugin: data plus pure functions. */
export interface StrategyDefinition<P extends ParamSpecs = ParamSpecs, S = unknown> {
  readonly id: string;
  readonly version: string;
  readonly api: number;
  readonly summary: string;
  readonly params: P;
  /** Per-evaluation time budget in milliseconds (default 50). Exceeding it faults the plugin. */
  readonly timeBudgetMs?: number;
  needs(params: ParamValues<P>): StrategyNeeds;
  /** Explicit, JSON-serialisable initial state. */
  init(params: ParamValues<P>): S;
  /** A pure function of the data available at ctx.now, the params and the state. Inputs are readonly. */
  evaluate(ctx: StrategyContext, params: ParamValues<P>, state: S): EvaluationOutput<S>;
  /** Model ids (from the model registry) this plugin scores. Plugins that use models declare them here. */
  models?(params: ParamValues<P>): readonly string[];
  /**
   * Phase one of an evaluation that uses models: the rows to score, per declared model, from the same data and
   * state `evaluate` sees (ctx.score is not available here). The host scores every plugin's rows in batches, then
   * calls `evaluate`, where `ctx.score(modelId)` returns the outputs for these rows.
   */
  features?(ctx: StrategyContext, params: ParamValues<P>, state: S): FeatureRows;
}

/** A definition with its types erased, as the host handles it. */
export type AnyStrategy = StrategyDefinition<ParamSpecs, unknown>;

/**
 * Declare a strategy plugin. Returns the definition unchanged (frozen); the host validates it at load time
 * with `validateManifest`, which reports every problem at once.
 *
 * @example
 * export default defineStrategy({
 *   id: 'my-plugin', version: '1.0.0', api: 1, summary: 'What it does',
 *   params: { lookbackDays: { type: 'int', min: 20, default: 252 } },
 *   needs: (p) => ({ bars: ['GLD'], history: p.lookbackDays + 1 }),
 *   init: () => ({}),
 *   evaluate: (ctx, p, state) => ({ signals: [], state }),
 * });
 */
export function defineStrategy<const P extends ParamSpecs, S>(definition: StrategyDefinition<P, S>): StrategyDefinition<P, S> {
  return Object.freeze({ ...definition });
}
