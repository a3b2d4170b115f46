import { isShError, ShError, type ErrorCode } from '../errors.js';
import { barId } from '../model/series.js';
import type { BarWindow, SeriesStore, SeriesWindow } from '../model/series-store.js';
import { MAX_REASON_LENGTH, type Signal } from '../model/signal.js';
import type { EpochMs } from '../model/time.js';
import type { ModelScores, StrategyContext } from './context.js';
import { isFeatureMatrix, rowCountOf, type AnyStrategy, type FeatureRows, type ModelRows, type StrategyNeeds } from './define-strategy.js';

export const DEFAULT_TIME_BUDGET_MS = 50;
/**
 * A plugin is faulted for time when it overruns its budget this many evaluations in a row, or once by more than
 * HARD_BUDGET_MULTIPLE times its budget. One overrun alone is usually a GC pause or a busy machine, not a slow plugin:
 * quarantining a healthy live plugin for it would be worse than the delay.
 */
export const BUDGET_OVERRUNS_TO_FAULT = 3;
export const HARD_BUDGET_MULTIPLE = 10;

/** The hooks the host calls; faults name the hook. */
export type StrategyHook = 'needs' | 'init' | 'features' | 'evaluate';

/** Why a plugin was quarantined. */
export interface PluginFault {
  readonly strategyId: string;
  readonly hook: StrategyHook;
  readonly code: ErrorCode | string;
  readonly message: string;
  readonly time: EpochMs;
  /** The plugin's own error code, when it threw one. */
  readonly cause?: string;
}

/** A plugin with resolved params and needs, ready to evaluate many times. */
export interface PreparedStrategy {
  readonly definition: AnyStrategy;
  readonly params: Readonly<Record<string, unknown>>;
  readonly needs: StrategyNeeds;
  readonly universe: ReadonlySet<string>;
  readonly timeBudgetMs: number;
  /** Model ids the plugin scores (definition.models(params)); empty for plugins without models. */
  readonly models: readonly string[];
}

/** Outcome of one evaluation. */
export type EvaluationResult =
  | { readonly ok: true; readonly strategyId: string; readonly signals: readonly Signal[]; readonly state: unknown; readonly durationMs: number; readonly overBudget: boolean }
  | { readonly ok: false; readonly strategyId: string; readonly fault: PluginFault; readonly durationMs: number };

/** A monotonic clock in milliseconds, injected so core stays free of I/O. */
export type Clock = () => number;

/** Resolve needs once. Throws ShError(SH_ERR_PLUGIN_FAULTED, hook needs) when the plugin's needs() throws. */
export function prepareStrategy(definition: AnyStrategy, params: Readonly<Record<string, unknown>>): PreparedStrategy {
  let needs: StrategyNeeds;
  try {
    needs = definition.needs(params as never);
  } catch (error) {
    // A rule across params checked in needs() is a configuration error, not a fault: report it as such.
    if (isShError(error, 'SH_ERR_PLUGIN_PARAM_INVALID')) throw error;
    throw wrapFault(definition.id, 'needs', error);
  }
  if (!needs || !Array.isArray(needs.bars) || !(Number.isInteger(needs.history) && needs.history >= 1)) {
    throw new ShError('SH_ERR_PLUGIN_FAULTED', `plugin ${definition.id} returned malformed needs()`, {
      where: `${definition.id} (needs)`,
      received: needs,
      expected: '{ bars: string[], history: integer >= 1, series?: string[], trades?: string[] }',
    });
  }
  let models: readonly string[] = [];
  try {
    models = definition.models ? [...definition.models(params as never)] : [];
  } catch (error) {
    if (isShError(error, 'SH_ERR_PLUGIN_PARAM_INVALID')) throw error;
    throw wrapFault(definition.id, 'needs', error);
  }
  if (models.length > 0 && typeof definition.features !== 'function') {
    throw new ShError('SH_ERR_PLUGIN_MANIFEST_INVALID', `plugin ${definition.id} declares models but no features() hook`, { where: `${definition.id} (models)`, received: models, expected: 'a features(ctx, params, state) hook returning the rows to score' });
  }
  return {
    definition,
    params,
    needs,
    universe: new Set(needs.trades ?? needs.bars),
    timeBudgetMs: definition.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
    models,
  };
}

/** Every series id a prepared plugin reads. */
export function seriesOf(needs: StrategyNeeds): string[] {
  return [...needs.bars.map(barId), ...(needs.series ?? [])];
}

/** Build the context a plugin sees at `now`: windows of its declared series only. */
export function makeContext(prepared: PreparedStrategy, store: SeriesStore, now: EpochMs, scores?: ReadonlyMap<string, ModelScores>): StrategyContext {
  const { needs, definition } = prepared;
  const { bars, series } = declaredOf(prepared);
  const seriesRows = needs.seriesHistory ?? needs.history;
  return {
    strategyId: definition.id,
    now,
    bars(symbol: string): BarWindow {
      if (!bars.has(symbol)) throw undeclared(definition.id, `bar:${symbol}`, needs);
      return store.window(barId(symbol), now, needs.history) as BarWindow;
    },
    series(id: string): SeriesWindow {
      if (!series.has(id)) throw undeclared(definition.id, id, needs);
      return store.window(id, now, seriesRows);
    },
    score(modelId: string): ModelScores {
      if (!prepared.models.includes(modelId)) {
        throw new ShError('SH_ERR_INFERENCE_MODEL_UNKNOWN', `plugin ${definition.id} scored model ${modelId}, which its models() does not declare`, { where: `${definition.id} (evaluate)`, received: modelId, expected: `one of ${prepared.models.join(', ') || '(no models declared)'}` });
      }
      const found = scores?.get(modelId);
      if (!found) {
        throw new ShError('SH_ERR_INFERENCE_MODEL_UNKNOWN', `no scores for model ${modelId}: features() returned no rows for it at this decision time`, { where: `${definition.id} (evaluate)`, received: modelId, expected: 'rows for the model from features()' });
      }
      return found;
    },
  };
}

/** What a plugin declared it reads, as sets: built once per prepared plugin, not at every evaluation. */
const declared = new WeakMap<PreparedStrategy, { readonly bars: ReadonlySet<string>; readonly series: ReadonlySet<string> }>();

function declaredOf(prepared: PreparedStrategy): { readonly bars: ReadonlySet<string>; readonly series: ReadonlySet<string> } {
  let sets = declared.get(prepared);
  if (sets === undefined) {
    sets = { bars: new Set(prepared.needs.bars), series: new Set(prepared.needs.series ?? []) };
    declared.set(prepared, sets);
  }
  return sets;
}

/** Scores rows with a model: the host's batched inference, or a reference function in tests. */
export type ModelScorer = (modelId: string, rows: ModelRows) => Promise<ModelScores>;

/**
 * Phase one of a model-using evaluation: the plugin's feature rows, checked (declared models only, finite numbers,
 * rows of one width per model). A fault comes back as a result, like evaluateOnce.
 */
export function featuresOnce(prepared: PreparedStrategy, store: SeriesStore, now: EpochMs, state: unknown): { ok: true; rows: FeatureRows } | { ok: false; fault: PluginFault } {
  const strategyId = prepared.definition.id;
  try {
    const rows = prepared.definition.features!(makeContext(prepared, store, now), prepared.params as never, state);
    for (const [modelId, list] of Object.entries(rows ?? {})) {
      if (!prepared.models.includes(modelId)) throw new ShError('SH_ERR_INFERENCE_INPUT_INVALID', `features() returned rows for undeclared model ${modelId}`, { where: `${strategyId} (features)`, received: modelId, expected: prepared.models.join(', ') });
      if (isFeatureMatrix(list)) checkMatrix(strategyId, modelId, list);
      else checkArrayRows(strategyId, modelId, list);
    }
    return { ok: true, rows: rows ?? {} };
  } catch (error) {
    return { ok: false, fault: faultOf(strategyId, 'features', error, now) };
  }
}

function checkArrayRows(strategyId: string, modelId: string, list: readonly (readonly number[])[]): void {
  const width = list[0]?.length ?? 0;
  for (let i = 0; i < list.length; i++) {
    const row = list[i] as readonly number[];
    let ok = Array.isArray(row) && row.length === width;
    for (let f = 0; ok && f < width; f++) ok = typeof row[f] === 'number' && Number.isFinite(row[f]);
    if (!ok) throw new ShError('SH_ERR_INFERENCE_INPUT_INVALID', `features() row ${i} for ${modelId} is not ${width} finite numbers`, { where: `${strategyId} (features)`, received: row, expected: `${width} finite numbers` });
  }
}

function checkMatrix(strategyId: string, modelId: string, m: { readonly rowCount: unknown; readonly values: unknown }): void {
  const where = `${strategyId} (features)`;
  if (typeof m !== 'object' || m === null || !(m.values instanceof Float32Array) || !Number.isInteger(m.rowCount) || (m.rowCount as number) < 0) {
    throw new ShError('SH_ERR_INFERENCE_INPUT_INVALID', `features() rows for ${modelId} are neither an array of rows nor a FeatureMatrix`, { where, received: m, expected: '{ rowCount: an integer >= 0, values: Float32Array }' });
  }
  const rowCount = m.rowCount as number;
  const values = m.values;
  if (rowCount === 0 ? values.length !== 0 : values.length === 0 || values.length % rowCount !== 0) {
    throw new ShError('SH_ERR_INFERENCE_INPUT_INVALID', `features() FeatureMatrix for ${modelId}: ${values.length} values cannot be ${rowCount} rows`, { where, received: { rowCount, values: values.length }, expected: 'values.length a positive multiple of rowCount (0 values for 0 rows)' });
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const width = values.length / rowCount;
      throw new ShError('SH_ERR_INFERENCE_INPUT_INVALID', `features() FeatureMatrix for ${modelId}: row ${Math.floor(i / width)} feature ${i % width} is ${values[i]}`, { where, received: values[i], expected: 'finite numbers' });
    }
  }
}

/**
 * One evaluation of a plugin that uses models: features, then every model's rows scored (concurrently: a batching
 * scorer coalesces them with other plugins' rows), then evaluate with ctx.score. Plugins without models go straight
 * to evaluateOnce.
 */
export async function evaluateWithModels(prepared: PreparedStrategy, store: SeriesStore, now: EpochMs, state: unknown, clock: Clock, scorer: ModelScorer | undefined): Promise<EvaluationResult> {
  if (prepared.models.length === 0) return evaluateOnce(prepared, store, now, state, clock);
  const strategyId = prepared.definition.id;
  const started = clock();
  const features = featuresOnce(prepared, store, now, state);
  if (!features.ok) return { ok: false, strategyId, durationMs: clock() - started, fault: features.fault };
  if (!scorer) {
    return { ok: false, strategyId, durationMs: 0, fault: { strategyId, hook: 'features', code: 'SH_ERR_INFERENCE_MODEL_UNKNOWN', message: `plugin ${strategyId} uses models (${prepared.models.join(', ')}) but no inference provider is configured`, time: now } };
  }
  const scores = new Map<string, ModelScores>();
  try {
    await Promise.all(Object.entries(features.rows).filter(([, rows]) => rowCountOf(rows) > 0).map(async ([modelId, rows]) => scores.set(modelId, await scorer(modelId, rows))));
  } catch (error) {
    return { ok: false, strategyId, durationMs: clock() - started, fault: faultOf(strategyId, 'features', error, now) };
  }
  const result = evaluateOnce(prepared, store, now, state, clock, scores);
  return result;
}

/** evaluateHistory for plugins that use models: the same loop, one features/score/evaluate round per time. */
export async function evaluateHistoryWithModels(prepared: PreparedStrategy, store: SeriesStore, times: ArrayLike<number>, initialState: unknown, clock: Clock, scorer: ModelScorer | undefined): Promise<HistoryResult> {
  if (prepared.models.length === 0) return evaluateHistory(prepared, store, times, initialState, clock);
  const signals: (readonly Signal[])[] = [];
  let state = initialState;
  let durationMs = 0;
  const overruns = new OverrunCounter();
  for (let i = 0; i < times.length; i++) {
    const result = overruns.check(prepared, await evaluateWithModels(prepared, store, times[i] as number, state, clock, scorer), times[i] as number);
    durationMs += result.durationMs;
    if (!result.ok) {
      for (let j = i; j < times.length; j++) signals.push([]);
      return { strategyId: prepared.definition.id, signals, finalState: state, durationMs, evaluations: i + 1, fault: result.fault };
    }
    signals.push(result.signals);
    state = result.state;
  }
  return { strategyId: prepared.definition.id, signals, finalState: state, durationMs, evaluations: times.length };
}

/**
 * Check a plugin's signals: symbols in its universe, once each, finite weight in [-1, 1], confidence in [0, 1],
 * a reason of at most 200 characters. Throws SH_ERR_PLUGIN_SIGNAL_INVALID listing every bad signal.
 */
export function validateSignals(strategyId: string, signals: unknown, universe: ReadonlySet<string>): readonly Signal[] {
  if (!Array.isArray(signals)) {
    throw new ShError('SH_ERR_PLUGIN_SIGNAL_INVALID', `plugin ${strategyId} returned signals that are not an array`, { where: `${strategyId} (evaluate)`, received: typeof signals, expected: 'an array of signals' });
  }
  // A plain loop calling a module-level helper: no closure per signal (tsx names every closure it creates, at a cost).
  const problems: ShError[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i] as Partial<Signal>;
    if (typeof s !== 'object' || s === null) {
      problems.push(signalProblem(strategyId, i, '(signal)', s, 'an object'));
      continue;
    }
    if (typeof s.symbol !== 'string' || !universe.has(s.symbol)) problems.push(signalProblem(strategyId, i, 'symbol', s.symbol, `one of the plugin universe: ${[...universe].join(', ')}`));
    else if (seen.has(s.symbol)) problems.push(signalProblem(strategyId, i, 'symbol', s.symbol, 'each symbol at most once per evaluation'));
    else seen.add(s.symbol);
    if (typeof s.weight !== 'number' || !Number.isFinite(s.weight) || s.weight < -1 || s.weight > 1) problems.push(signalProblem(strategyId, i, 'weight', s.weight, 'a finite number in [-1, 1]'));
    if (s.closeWeight !== undefined && (typeof s.closeWeight !== 'number' || !Number.isFinite(s.closeWeight) || s.closeWeight < -1 || s.closeWeight > 1)) problems.push(signalProblem(strategyId, i, 'closeWeight', s.closeWeight, 'absent, or a finite number in [-1, 1]'));
    if (typeof s.confidence !== 'number' || !(s.confidence >= 0 && s.confidence <= 1)) problems.push(signalProblem(strategyId, i, 'confidence', s.confidence, 'a number in [0, 1]'));
    if (typeof s.reason !== 'string' || s.reason.length > MAX_REASON_LENGTH) problems.push(signalProblem(strategyId, i, 'reason', s.reason, `a string of at most ${MAX_REASON_LENGTH} characters`));
  }
  if (problems.length > 0) {
    throw new ShError('SH_ERR_PLUGIN_SIGNAL_INVALID', `plugin ${strategyId} returned ${problems.length} malformed signal field(s)`, { where: `${strategyId} (evaluate)` }, problems);
  }
  return signals as Signal[];
}

function signalProblem(strategyId: string, i: number, field: string, received: unknown, expected: string): ShError {
  return new ShError('SH_ERR_PLUGIN_SIGNAL_INVALID', `signal ${i} field ${field} is invalid`, { where: `${strategyId} (evaluate) signals[${i}].${field}`, received, expected });
}

/** Evaluate once at `now`. Never throws for plugin errors: a fault comes back as a result. */
export function evaluateOnce(prepared: PreparedStrategy, store: SeriesStore, now: EpochMs, state: unknown, clock: Clock, scores?: ReadonlyMap<string, ModelScores>): EvaluationResult {
  const strategyId = prepared.definition.id;
  const started = clock();
  try {
    const output = prepared.definition.evaluate(makeContext(prepared, store, now, scores), prepared.params as never, state);
    const durationMs = clock() - started;
    if (typeof output !== 'object' || output === null) {
      throw new ShError('SH_ERR_PLUGIN_SIGNAL_INVALID', `plugin ${strategyId} returned no output object`, { where: `${strategyId} (evaluate)`, received: output, expected: '{ signals, state }' });
    }
    const signals = validateSignals(strategyId, output.signals, prepared.universe);
    if (durationMs > prepared.timeBudgetMs * HARD_BUDGET_MULTIPLE) {
      return { ok: false, strategyId, durationMs, fault: overBudgetFault(prepared, now, `evaluation took ${durationMs.toFixed(1)} ms, over ${HARD_BUDGET_MULTIPLE}x its budget of ${prepared.timeBudgetMs} ms`) };
    }
    return { ok: true, strategyId, signals, state: output.state, durationMs, overBudget: durationMs > prepared.timeBudgetMs };
  } catch (error) {
    return { ok: false, strategyId, durationMs: clock() - started, fault: faultOf(strategyId, 'evaluate', error, now) };
  }
}

/** Signals of one plugin at each decision time of a history, computed in one pass (one worker task). */
export interface HistoryResult {
  readonly strategyId: string;
  /** signals[i] belongs to times[i]; after a fault the remaining entries are empty. */
  readonly signals: readonly (readonly Signal[])[];
  readonly finalState: unknown;
  /** Per-time state snapshots are not kept; the final state is. Time spent evaluating in total. */
  readonly durationMs: number;
  readonly evaluations: number;
  readonly fault?: PluginFault;
}

/**
 * Evaluate a plugin at each time in `times` in order, carrying state: exactly what bar-by-bar evaluation does,
 * so the results are identical (the parity test proves it).
 */
export function evaluateHistory(prepared: PreparedStrategy, store: SeriesStore, times: ArrayLike<number>, initialState: unknown, clock: Clock): HistoryResult {
  const signals: (readonly Signal[])[] = [];
  let state = initialState;
  let durationMs = 0;
  const overruns = new OverrunCounter();
  for (let i = 0; i < times.length; i++) {
    const result = overruns.check(prepared, evaluateOnce(prepared, store, times[i] as number, state, clock), times[i] as number);
    durationMs += result.durationMs;
    if (!result.ok) {
      for (let j = i; j < times.length; j++) signals.push([]);
      return { strategyId: prepared.definition.id, signals, finalState: state, durationMs, evaluations: i + 1, fault: result.fault };
    }
    signals.push(result.signals);
    state = result.state;
  }
  return { strategyId: prepared.definition.id, signals, finalState: state, durationMs, evaluations: times.length };
}

/**
 * Counts consecutive budget overruns of one plugin and turns the BUDGET_OVERRUNS_TO_FAULT-th into a fault.
 * The engine keeps one per plugin across cycles; evaluateHistory one per history.
 */
export class OverrunCounter {
  private consecutive = 0;

  check(prepared: PreparedStrategy, result: EvaluationResult, now: EpochMs): EvaluationResult {
    if (!result.ok) return result;
    this.consecutive = result.overBudget ? this.consecutive + 1 : 0;
    if (this.consecutive < BUDGET_OVERRUNS_TO_FAULT) return result;
    return {
      ok: false,
      strategyId: result.strategyId,
      durationMs: result.durationMs,
      fault: overBudgetFault(prepared, now, `${BUDGET_OVERRUNS_TO_FAULT} evaluations in a row over its budget of ${prepared.timeBudgetMs} ms (last ${result.durationMs.toFixed(1)} ms)`),
    };
  }
}

function overBudgetFault(prepared: PreparedStrategy, now: EpochMs, message: string): PluginFault {
  return { strategyId: prepared.definition.id, hook: 'evaluate', code: 'SH_ERR_PLUGIN_FAULTED', message, time: now };
}

/** Run a plugin's init hook, wrapping errors as faults. */
export function initState(prepared: PreparedStrategy): unknown {
  try {
    return prepared.definition.init(prepared.params as never);
  } catch (error) {
    throw wrapFault(prepared.definition.id, 'init', error);
  }
}

/** Wrap anything a plugin threw as SH_ERR_PLUGIN_FAULTED, keeping the plugin's own code (like Rollup's PLUGIN_ERROR). */
/** The fault record of a plugin that threw in `hook` at `now`: wrapFault's code and message, and the plugin's own code as its cause. */
function faultOf(strategyId: string, hook: StrategyHook, error: unknown, now: EpochMs): PluginFault {
  const fault = wrapFault(strategyId, hook, error);
  return { strategyId, hook, code: fault.code, message: fault.message, time: now, ...(typeof fault.details.cause === 'string' ? { cause: fault.details.cause } : {}) };
}

export function wrapFault(strategyId: string, hook: StrategyHook, error: unknown): ShError {
  if (isShError(error, 'SH_ERR_PLUGIN_SIGNAL_INVALID')) return error;
  const message = error instanceof Error ? error.message : String(error);
  const cause = isShError(error) ? error.code : (error as { code?: unknown } | null)?.code;
  return new ShError('SH_ERR_PLUGIN_FAULTED', `plugin ${strategyId} failed in ${hook}: ${message}`, {
    where: `${strategyId} (${hook})`,
    ...(typeof cause === 'string' ? { cause } : {}),
  });
}

function undeclared(strategyId: string, id: string, needs: StrategyNeeds): ShError {
  return new ShError('SH_ERR_DATA_SERIES_UNKNOWN', `plugin ${strategyId} read ${id}, which its needs() does not declare`, {
    where: `${strategyId} (evaluate)`,
    received: id,
    expected: `one of ${[...needs.bars.map((b) => `bar:${b}`), ...(needs.series ?? [])].join(', ')}`,
    fix: 'Declare the series in needs().',
  });
}
