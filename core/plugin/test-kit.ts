import { ERROR_CODES, isShError, ShError, type ErrorCode } from '../errors.js';
import { barId, type SeriesData } from '../model/series.js';
import { SeriesStore, type SeriesWindow } from '../model/series-store.js';
import type { Signal } from '../model/signal.js';
import { formatTime, type EpochMs } from '../model/time.js';
import type { ModelScores, StrategyContext } from './context.js';
import { rowsAsArrays, type AnyStrategy, type FeatureRows, type StrategyDefinition } from './define-strategy.js';
import { evaluateOnce, featuresOnce, initState, prepareStrategy, seriesOf, validateSignals, type Clock, type PluginFault, type PreparedStrategy, type StrategyHook } from './evaluate.js';
import { resolveParams, type ParamSpecs } from './params.js';
import { decisionTimes, unionOfAvailability } from './test-kit-data.js';

export * from './test-kit-data.js';

/*
 * The plugin test kit: build data, run a plugin over it the way the host does, and check the generic contract
 * (inputs never mutated, no look-ahead, state survives JSON, deterministic, trades at all). Like ESLint's
 * RuleTester it deep-freezes what it hands a plugin. It does not import a test framework: it throws ShErrors.
 */

// ---------------------------------------------------------------------------------------------- running

export interface RunOptions<S = unknown> {
  /** Param overrides, validated against the plugin's specs like the host does. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly data: readonly SeriesData[];
  /** Decision times. Default: decisionTimes of needs().bars (of needs().series for a plugin without bars). */
  readonly times?: readonly number[];
  /** Start from this state instead of init(params). It is deep-frozen in place. */
  readonly state?: S;
  /** Clock for the time budget (e.g. performance.now). Default: none, every evaluation takes 0 ms. */
  readonly clock?: Clock;
  /**
   * Reference scorers of the models the plugin declares in `models()`, by model id: synchronous functions of the
   * rows `features()` returned (e.g. a JS logistic function with the model's weights), standing in for the host's
   * batched inference. Build their result with `modelScores`. Required for every model a plugin declares.
   */
  readonly models?: Readonly<Record<string, ReferenceScorer>>;
}

/** A synchronous stand-in for a model: the scores of the rows a plugin's `features()` returned, in order. */
export type ReferenceScorer = (rows: readonly (readonly number[])[]) => ModelScores;

/**
 * Build the ModelScores of `rowCount` rows from plain numbers: per output name, its width (values per row) and
 * `rowCount x width` values, row-major. Values become float32, as the host's inference returns them.
 * Throws SH_ERR_INFERENCE_RUN_FAILED when an output does not hold `rowCount x width` finite-or-NaN numbers.
 *
 * @example
 * // a logistic "model" with two weights, as a reference scorer for the test kit
 * const direction = (rows) => modelScores({ probability: { width: 1, values: rows.map(([a, b]) => 1 / (1 + Math.exp(-(0.8 * a - 0.3 * b)))) } }, rows.length);
 * runStrategy(plugin, { data, models: { 'gold-direction': direction } });
 */
export function modelScores(outputs: Readonly<Record<string, { readonly width: number; readonly values: ArrayLike<number> }>>, rowCount: number): ModelScores {
  const problems: string[] = [];
  if (!Number.isInteger(rowCount) || rowCount < 0) problems.push(`rowCount was ${rowCount}, expected an integer >= 0`);
  const converted: Record<string, { width: number; values: Float32Array }> = {};
  for (const [name, output] of Object.entries(outputs)) {
    const { width, values } = output ?? ({} as { width: number; values: ArrayLike<number> });
    if (!Number.isInteger(width) || width < 1) problems.push(`output ${name}: width was ${width}, expected an integer >= 1`);
    else if (values?.length !== rowCount * width) problems.push(`output ${name}: ${values?.length} values, expected ${rowCount} rows x ${width} = ${rowCount * width}`);
    else if (Array.prototype.some.call(values, (v: unknown) => typeof v !== 'number')) problems.push(`output ${name}: every value must be a number`);
    else converted[name] = { width, values: Float32Array.from(values) };
  }
  if (problems.length > 0) {
    throw new ShError('SH_ERR_INFERENCE_RUN_FAILED', `modelScores: ${problems.join('; ')}`, { where: 'modelScores', received: Object.keys(outputs), expected: 'per output { width, values: rowCount x width numbers }' });
  }
  return { rowCount, outputs: converted };
}

export interface StrategyRun<S = unknown> {
  readonly times: readonly number[];
  /** signals[i] is the complete target at times[i]. */
  readonly signals: readonly (readonly Signal[])[];
  /** states[i] is the state after evaluating at times[i]. */
  readonly states: readonly S[];
  readonly finalState: S;
}

/**
 * Evaluate a plugin at each decision time, as the host does, with checks: params and state are deep-frozen before
 * every call, and every data window the plugin may read is checksummed before and after.
 * Throws ShError: SH_ERR_PLUGIN_PARAM_INVALID (every bad param in `problems`), SH_ERR_PLUGIN_MUTATED_INPUT,
 * SH_ERR_PLUGIN_SIGNAL_INVALID, SH_ERR_PLUGIN_FAULTED (a throw or a time-budget overrun), SH_ERR_DATA_SERIES_UNKNOWN.
 *
 * @example
 * const run = runStrategy(tsmom, { params: { lookbackDays: 126 }, data: [barsFromCloses('GLD', closes)] });
 * signalAt(run, 'GLD', -1); // the last target weight of GLD
 */
export function runStrategy<P extends ParamSpecs, S>(definition: StrategyDefinition<P, S>, options: RunOptions<S>): StrategyRun<S> {
  const watch: Watch = {};
  const plugin = definition as unknown as AnyStrategy;
  const { params, problems } = resolveParams(plugin.params, options.params, `plugins.settings.${plugin.id}.params`);
  if (problems.length > 0) {
    throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} invalid parameter(s) for plugin ${plugin.id}: ${problems.map((p) => p.details.where).join(', ')}`, { where: `plugins.settings.${plugin.id}.params` }, problems);
  }
  const prepared = guardHook(watch, plugin.id, () => prepareStrategy(instrument(plugin, watch), deepFreeze(params)));
  const store = SeriesStore.build(options.data);
  const missing = seriesOf(prepared.needs).filter((id) => !store.has(id));
  if (missing.length > 0) {
    throw new ShError('SH_ERR_DATA_SERIES_UNKNOWN', `plugin ${plugin.id} needs ${missing.join(', ')}, which the data does not hold`, { where: `${plugin.id} (needs)`, received: store.ids(), expected: seriesOf(prepared.needs).join(', '), fix: 'Pass every series the plugin needs in `data`.' });
  }
  const unscored = prepared.models.filter((id) => typeof options.models?.[id] !== 'function');
  if (unscored.length > 0) {
    throw new ShError('SH_ERR_INFERENCE_MODEL_UNKNOWN', `plugin ${plugin.id} scores ${unscored.join(', ')}, which options.models has no reference scorer for`, {
      where: `${plugin.id} (models)`,
      received: Object.keys(options.models ?? {}),
      expected: prepared.models.join(', '),
      fix: 'Pass models: { <model id>: (rows) => modelScores({ <output>: { width, values } }, rows.length) } for every model the plugin declares.',
    });
  }
  const times = options.times ? [...options.times] : prepared.needs.bars.length > 0 ? decisionTimes(store, prepared.needs.bars) : unionOfAvailability(store, prepared.needs.series ?? []);
  // No timing by default: time budgets belong to the host and to benchmarks, never to unit tests on a busy machine.
  const clock = options.clock ?? (() => 0);
  let state: S = options.state !== undefined ? options.state : (guardHook(watch, plugin.id, () => initState(prepared)) as S);
  const signals: Signal[][] = [];
  const states: unknown[] = [];
  for (const now of times) {
    deepFreeze(state);
    const windows = readableWindows(prepared, store, now);
    const before = windows.map(checksum);
    watch.mutation = undefined;
    watch.output = undefined;
    watch.error = undefined;
    let scores: Map<string, ModelScores> | undefined;
    if (prepared.models.length > 0) {
      // Phase one, as the host runs it: features, then every model's rows scored (here by the reference scorers).
      const features = featuresOnce(prepared, store, now, state);
      const writtenByFeatures = windows.find((w, i) => checksum(w) !== before[i]);
      if (writtenByFeatures) throw mutated(plugin.id, 'features', now, `wrote into the data window ${writtenByFeatures.id}`);
      if (watch.mutation) throw mutated(plugin.id, 'features', now, watch.mutation);
      if (!features.ok) throw faultError(features.fault, prepared, watch);
      scores = scoreWithReferences(plugin.id, now, deepFreeze(features.rows), options.models ?? {});
      watch.error = undefined;
    }
    const scoreCopies = scores && [...scores.values()].flatMap((s) => Object.values(s.outputs).map((o) => [o.values, o.values.slice()] as const));
    const result = evaluateOnce(prepared, store, now, state, clock, scores);
    const written = windows.find((w, i) => checksum(w) !== before[i]);
    if (written) throw mutated(plugin.id, 'evaluate', now, `wrote into the data window ${written.id}`);
    if (scoreCopies?.some(([values, copy]) => values.some((v, i) => !Object.is(v, copy[i])))) throw mutated(plugin.id, 'evaluate', now, 'wrote into the model scores ctx.score() returned');
    if (watch.mutation) throw mutated(plugin.id, 'evaluate', now, watch.mutation);
    if (!result.ok) throw faultError(result.fault, prepared, watch);
    signals.push([...result.signals]);
    states.push(result.state);
    state = result.state as S;
  }
  return { times, signals, states: states as S[], finalState: deepFreeze(state) };
}

/**
 * The target weight of `symbol` at decision `index` of a run (negative counts from the end); 0 when absent.
 *
 * @example signalAt(run, 'SLV', -1)
 */
export function signalAt(run: Pick<StrategyRun, 'signals'>, symbol: string, index: number): number {
  const at = index < 0 ? run.signals.length + index : index;
  return run.signals[at]?.find((s) => s.symbol === symbol)?.weight ?? 0;
}

// ---------------------------------------------------------------------------------------------- contract

export type ContractCheck = 'inputs-not-mutated' | 'deterministic' | 'trades' | 'no-look-ahead' | 'state-json-round-trip';

export interface ContractReport {
  readonly strategyId: string;
  readonly evaluations: number;
  /** Signals with a non-zero weight over the full run. */
  readonly nonZeroSignals: number;
  /** The decision times at which look-ahead was checked. */
  readonly lookAheadTimes: readonly number[];
  /** The checks that passed, in the order run. */
  readonly checks: readonly ContractCheck[];
}

/**
 * Check the generic plugin contract on the data given and throw an ShError for the first check that fails:
 * inputs never mutated (SH_ERR_PLUGIN_MUTATED_INPUT), deterministic (SH_ERR_PLUGIN_NONDETERMINISTIC),
 * at least one non-zero signal (SH_ERR_PLUGIN_NO_SIGNAL), no look-ahead at 5 times in the second half
 * (SH_ERR_PLUGIN_LOOK_AHEAD), state survives JSON (SH_ERR_PLUGIN_STATE_NOT_SERIALISABLE).
 *
 * @example expect(checkStrategyContract(plugin, { data }).checks).toHaveLength(5);
 */
export function checkStrategyContract<P extends ParamSpecs, S>(definition: StrategyDefinition<P, S>, options: Omit<RunOptions<S>, 'state'>): ContractReport {
  const strategyId = definition.id;
  const full = runStrategy(definition, options);
  const again = runStrategy(definition, options);
  const n = full.times.length;
  for (let i = 0; i < n; i++) {
    const difference = firstDifference(again.signals[i] ?? [], full.signals[i] ?? []);
    if (difference) throw contractError('SH_ERR_PLUGIN_NONDETERMINISTIC', strategyId, full.times[i] as number, `two runs on the same data differ: ${difference}`);
  }
  // A plugin that only holds overnight trades through closeWeight: that counts as trading.
  const nonZeroSignals = full.signals.flat().filter((s) => s.weight !== 0 || (s.closeWeight ?? 0) !== 0).length;
  if (nonZeroSignals === 0) {
    throw new ShError('SH_ERR_PLUGIN_NO_SIGNAL', `plugin ${strategyId} gave no non-zero signal in ${n} evaluations`, { where: `${strategyId} (evaluate)`, received: n, expected: 'at least one non-zero weight' });
  }
  const lookAheadTimes: number[] = [];
  for (const index of lookAheadIndices(n)) {
    const t = full.times[index] as number;
    const truncated = runStrategy(definition, { ...options, data: options.data.map((d) => truncate(d, t)), times: full.times.slice(0, index + 1) });
    const difference = firstDifference(truncated.signals[index] ?? [], full.signals[index] ?? []);
    if (difference) throw contractError('SH_ERR_PLUGIN_LOOK_AHEAD', strategyId, t, `signals change when data after this time is removed: ${difference}`);
    lookAheadTimes.push(t);
  }
  full.states.forEach((state, i) => {
    const problem = jsonProblem(state);
    if (problem) throw contractError('SH_ERR_PLUGIN_STATE_NOT_SERIALISABLE', strategyId, full.times[i] as number, `the state after this evaluation ${problem}`);
  });
  const middle = Math.floor(n / 2) - 1;
  if (middle >= 0) {
    const resumed = runStrategy(definition, { ...options, times: full.times.slice(middle + 1), state: JSON.parse(JSON.stringify(full.states[middle])) as S });
    resumed.signals.forEach((signals, k) => {
      const difference = firstDifference(signals, full.signals[middle + 1 + k] ?? []);
      if (difference) throw contractError('SH_ERR_PLUGIN_STATE_NOT_SERIALISABLE', strategyId, resumed.times[k] as number, `resuming from a JSON copy of the state changes signals: ${difference}`);
    });
  }
  return { strategyId, evaluations: n, nonZeroSignals, lookAheadTimes, checks: ['inputs-not-mutated', 'deterministic', 'trades', 'no-look-ahead', 'state-json-round-trip'] };
}

// ---------------------------------------------------------------------------------------------- internals

/** What the instrumented hooks saw during the current call. */
interface Watch {
  mutation?: string | undefined;
  output?: unknown;
  error?: unknown;
}

/** The plugin with its hooks wrapped so a write to a frozen input is recognised before the host wraps the error. */
function instrument(definition: AnyStrategy, watch: Watch): AnyStrategy {
  const seen = <R>(call: () => R): R => {
    try {
      return call();
    } catch (error) {
      watch.error = error;
      if (isFrozenWrite(error)) watch.mutation = `wrote into a frozen input (params or state): ${error.message}`;
      throw error;
    }
  };
  return {
    ...definition,
    needs: (params) => seen(() => definition.needs(params)),
    init: (params) => seen(() => definition.init(params)),
    evaluate: (ctx, params, state) => seen(() => (watch.output = definition.evaluate(ctx, params, state))),
    ...(definition.models ? { models: (params: never) => seen(() => definition.models!(params)) } : {}),
    ...(definition.features ? { features: (ctx: StrategyContext, params: never, state: unknown) => seen(() => definition.features!(ctx, params, state)) } : {}),
  };
}

/** Score each model's rows with its reference scorer, checking that every scorer returned one score per row. */
function scoreWithReferences(strategyId: string, now: EpochMs, rows: FeatureRows, scorers: Readonly<Record<string, ReferenceScorer>>): Map<string, ModelScores> {
  const scores = new Map<string, ModelScores>();
  for (const [modelId, given] of Object.entries(rows)) {
    // Reference scorers take one array per row, whichever form features() used.
    const list = rowsAsArrays(given);
    if (list.length === 0) continue;
    const scored = (scorers[modelId] as ReferenceScorer)(list);
    const bad = typeof scored !== 'object' || scored === null || scored.rowCount !== list.length || typeof scored.outputs !== 'object'
      || Object.values(scored.outputs).some((o) => !(o.values instanceof Float32Array) || o.values.length !== list.length * o.width);
    if (bad) {
      throw new ShError('SH_ERR_INFERENCE_RUN_FAILED', `the reference scorer of ${modelId} did not return ModelScores for the ${list.length} rows features() gave (at ${formatTime(now)})`, {
        where: `${strategyId} (features) model ${modelId}`,
        time: now,
        received: typeof scored === 'object' && scored !== null ? { rowCount: scored.rowCount, outputs: Object.keys(scored.outputs ?? {}) } : scored,
        expected: `modelScores({ <output>: { width, values } }, ${list.length})`,
      });
    }
    scores.set(modelId, deepFreeze(scored));
  }
  return scores;
}

/** Run needs/init, reporting a write to frozen params as SH_ERR_PLUGIN_MUTATED_INPUT. */
function guardHook<R>(watch: Watch, strategyId: string, call: () => R): R {
  try {
    return call();
  } catch (error) {
    if (watch.mutation && isShError(error)) throw mutated(strategyId, error.details.where?.includes('(init)') ? 'init' : 'needs', undefined, watch.mutation);
    throw error;
  }
}

/** V8's messages for writes to frozen objects (engine text, not ours: there is no other way to tell). */
function isFrozenWrite(error: unknown): error is TypeError {
  return error instanceof TypeError && /read[- ]only|not extensible|Cannot (add|assign|delete|define|redefine) property|Cannot redefine|frozen/i.test(error.message);
}

function mutated(strategyId: string, hook: StrategyHook, time: EpochMs | undefined, what: string): ShError {
  const at = time === undefined ? '' : ` at ${formatTime(time)}`;
  return new ShError('SH_ERR_PLUGIN_MUTATED_INPUT', `plugin ${strategyId} ${what} (hook ${hook}${at})`, { where: `${strategyId} (${hook})`, ...(time === undefined ? {} : { time }) });
}

function faultError(fault: PluginFault, prepared: PreparedStrategy, watch: Watch): ShError {
  const code: ErrorCode = fault.code in ERROR_CODES ? (fault.code as ErrorCode) : 'SH_ERR_PLUGIN_FAULTED';
  let problems: readonly ShError[] = isShError(watch.error) ? watch.error.problems : [];
  if (code === 'SH_ERR_PLUGIN_SIGNAL_INVALID' && watch.output && typeof watch.output === 'object') {
    try {
      validateSignals(fault.strategyId, (watch.output as { signals?: unknown }).signals, prepared.universe);
    } catch (error) {
      if (isShError(error)) problems = error.problems;
    }
  }
  const details = { where: `${fault.strategyId} (${fault.hook})`, time: fault.time, fault, ...(fault.cause ? { cause: fault.cause } : {}) };
  return new ShError(code, `${fault.message} (at ${formatTime(fault.time)})`, details, problems);
}

function contractError(code: ErrorCode, strategyId: string, time: EpochMs, what: string): ShError {
  return new ShError(code, `plugin ${strategyId} at ${formatTime(time)}: ${what}`, { where: `${strategyId} (evaluate)`, time });
}

/** Deep-freeze plain data in place (typed arrays cannot be frozen and are skipped). */
function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  return Object.freeze(value);
}

function readableWindows(prepared: PreparedStrategy, store: SeriesStore, now: EpochMs): SeriesWindow[] {
  const { needs } = prepared;
  return [...needs.bars.map((s) => store.window(barId(s), now, needs.history)), ...(needs.series ?? []).map((id) => store.window(id, now, needs.seriesHistory ?? needs.history))];
}

/** FNV-1a over the raw 32-bit words of every column: any single changed value changes the sum. */
function checksum(window: SeriesWindow): number {
  let hash = 0x811c9dc5;
  for (const column of [window.time, window.available, ...window.spec.fields.map((f) => window.field(f))]) {
    const words = new Uint32Array(column.buffer, column.byteOffset, column.length * 2);
    for (let i = 0; i < words.length; i++) hash = Math.imul(hash ^ (words[i] as number), 0x01000193);
  }
  return hash >>> 0;
}

/** Describe the first difference between two targets (absent = 0), or undefined when they are identical. */
function firstDifference(actual: readonly Signal[], expected: readonly Signal[]): string | undefined {
  const bySymbol = (list: readonly Signal[]): Map<string, Signal> => new Map(list.map((s) => [s.symbol, s]));
  const a = bySymbol(actual);
  const e = bySymbol(expected);
  for (const symbol of [...new Set([...e.keys(), ...a.keys()])].sort()) {
    const x = a.get(symbol);
    const y = e.get(symbol);
    // closeWeight counts like weight: an absent one means "the same as weight".
    for (const field of ['weight', 'closeWeight', 'confidence', 'reason'] as const) {
      const was = field === 'closeWeight' ? (x?.closeWeight ?? x?.weight ?? 0) : (x?.[field] ?? (field === 'weight' ? 0 : undefined));
      const want = field === 'closeWeight' ? (y?.closeWeight ?? y?.weight ?? 0) : (y?.[field] ?? (field === 'weight' ? 0 : undefined));
      if (was !== want) return `${symbol} ${field} was ${JSON.stringify(was)}, expected ${JSON.stringify(want)}`;
    }
  }
  return undefined;
}

/** Five decision indices evenly spaced over the second half, ending with the last. */
function lookAheadIndices(n: number): number[] {
  if (n === 0) return [];
  return [...new Set([0.6, 0.7, 0.8, 0.9, 1].map((f) => Math.min(n - 1, Math.max(0, Math.ceil(f * n) - 1))))];
}

/** The observations of a series available at or before `t` (availability is non-decreasing, so a prefix). */
function truncate(data: SeriesData, t: EpochMs): SeriesData {
  let end = 0;
  while (end < data.available.length && (data.available[end] as number) <= t) end++;
  const columns: Record<string, Float64Array> = {};
  for (const [field, column] of Object.entries(data.columns)) columns[field] = column.subarray(0, end);
  return { spec: data.spec, time: data.time.subarray(0, end), available: data.available.subarray(0, end), columns };
}

/** Why a state does not survive JSON.parse(JSON.stringify(state)), or undefined when it does. */
function jsonProblem(state: unknown): string | undefined {
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(state) ?? 'null');
  } catch (error) {
    return `cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  const path = jsonMismatch(state, copy, 'state');
  return path ? `changes in a JSON round trip at ${path}` : undefined;
}

function jsonMismatch(value: unknown, copy: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return value === copy ? undefined : `${path} (was ${String(value)}, becomes ${JSON.stringify(copy)})`;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return `${path} (a ${value.constructor?.name ?? 'non-plain object'}, not a plain object or array)`;
  if (typeof copy !== 'object' || copy === null) return path;
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (child === undefined && !Array.isArray(value)) continue;
    const bad = jsonMismatch(child, (copy as Record<string, unknown>)[key], `${path}.${key}`);
    if (bad) return bad;
  }
  return undefined;
}

