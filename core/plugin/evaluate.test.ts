import { describe, expect, it } from 'vitest';
import { SeriesStore } from '../model/series-store.js';
import { ShError } from '../errors.js';
import { defineStrategy } from './define-strategy.js';
import {
  BUDGET_OVERRUNS_TO_FAULT,
  evaluateWithModels,
  evaluateHistory,
  evaluateOnce,
  HARD_BUDGET_MULTIPLE,
  OverrunCounter,
  prepareStrategy,
  validateSignals,
  type EvaluationResult,
  type ModelScorer,
} from './evaluate.js';
import { rowCountOf, rowsAsArrays, type ModelRows } from './define-strategy.js';
import { barsFromCloses, decisionTimes } from './test-kit.js';

const plugin = defineStrategy({
  id: 'constant',
  version: '1.0.0',
  api: 1,
  summary: 'always long GLD',
  params: {},
  timeBudgetMs: 50,
  needs: () => ({ bars: ['GLD'], history: 2 }),
  init: () => ({ n: 0 }),
  evaluate: (_ctx, _p, state) => ({ signals: [{ symbol: 'GLD', weight: 0.5, confidence: 1, reason: 'constant' }], state: { n: state.n + 1 } }),
});

const store = SeriesStore.build([barsFromCloses('GLD', Array.from({ length: 20 }, (_, i) => 100 + i))]);
const times = decisionTimes(store, ['GLD']);
const prepared = prepareStrategy(plugin, {});

/** A clock whose successive evaluations take the given milliseconds (two readings per evaluation). */
function clockTaking(durations: number[]): () => number {
  const readings: number[] = [];
  let t = 0;
  for (const d of durations) readings.push(t, (t += d));
  let i = 0;
  return () => readings[Math.min(i++, readings.length - 1)]!;
}

describe('time budget', () => {
  it.each([
    [[60, 10, 60, 60, 10, 10], -1, 'overruns that are not consecutive never fault'],
    [[60, 60, 60, 10], 2, `the ${BUDGET_OVERRUNS_TO_FAULT}rd consecutive overrun faults`],
    [[10, 50, 50, 50, 10], -1, 'at the budget exactly is not over it'],
    [[10, 50 * HARD_BUDGET_MULTIPLE + 1], 1, `one evaluation over ${HARD_BUDGET_MULTIPLE}x the budget faults at once`],
    [[10, 50 * HARD_BUDGET_MULTIPLE], -1, `exactly ${HARD_BUDGET_MULTIPLE}x the budget is one overrun only`],
  ])('%j -> fault at index %d (%s)', (durations, faultAt) => {
    const h = evaluateHistory(prepared, store, times.slice(0, durations.length), { n: 0 }, clockTaking(durations));
    if (faultAt < 0) {
      expect(h.fault).toBeUndefined();
      expect(h.finalState).toEqual({ n: durations.length });
    } else {
      expect(h.fault?.code).toBe('SH_ERR_PLUGIN_FAULTED');
      expect(h.fault?.message).toMatch(/budget of 50 ms/);
      expect(h.evaluations).toBe(faultAt + 1);
      expect(h.signals.slice(faultAt).every((s) => s.length === 0)).toBe(true);
    }
  });

  it('the engine-side counter gives the same verdicts cycle by cycle as a history does', () => {
    const durations = [60, 60, 10, 60, 60, 60];
    const counter = new OverrunCounter();
    const clock = clockTaking(durations);
    const verdicts: EvaluationResult[] = [];
    let state: unknown = { n: 0 };
    for (let i = 0; i < durations.length; i++) {
      const r = counter.check(prepared, evaluateOnce(prepared, store, times[i]!, state, clock), times[i]!);
      verdicts.push(r);
      if (r.ok) state = r.state;
    }
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, true, true, true, false]);
    const h = evaluateHistory(prepared, store, times.slice(0, durations.length), { n: 0 }, clockTaking(durations));
    expect(h.evaluations).toBe(6);
    expect(h.fault).toBeDefined();
  });
});

describe('validateSignals', () => {
  const universe = new Set(['GLD', 'SLV']);
  it.each([
    [[{ symbol: 'GLD', weight: 1, confidence: 0, reason: '' }], 0],
    [[{ symbol: 'GLD', weight: -1, confidence: 1, reason: 'x'.repeat(200) }], 0],
    [[{ symbol: 'GLD', weight: 1.0001, confidence: 0.5, reason: 'r' }], 1],
    [[{ symbol: 'GLD', weight: Number.NaN, confidence: 0.5, reason: 'r' }], 1],
    [[{ symbol: 'SPY', weight: 0.1, confidence: 0.5, reason: 'r' }], 1],
    [[{ symbol: 'GLD', weight: 0.1, confidence: 1.5, reason: 'x'.repeat(201) }], 2],
    [[{ symbol: 'GLD', weight: 0.1, confidence: 0.5, reason: 'r' }, { symbol: 'GLD', weight: 0.2, confidence: 0.5, reason: 'r' }], 1],
  ])('%j has %d problem(s)', (signals, problems) => {
    if (problems === 0) {
      expect(validateSignals('p', signals, universe)).toBe(signals);
      return;
    }
    try {
      validateSignals('p', signals, universe);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('SH_ERR_PLUGIN_SIGNAL_INVALID');
      expect((error as { problems: unknown[] }).problems).toHaveLength(problems);
    }
  });
});

describe('features(): rows as arrays or as a FeatureMatrix', () => {
  /** A plugin whose features() returns what `rows` gives; its signal is the first score. */
  const scoring = (rows: () => ModelRows) =>
    prepareStrategy(
      defineStrategy({
        id: 'scoring',
        version: '1.0.0',
        api: 1,
        summary: 'scores rows',
        params: {},
        needs: () => ({ bars: ['GLD'], history: 2 }),
        models: () => ['m'],
        features: () => ({ m: rows() }),
        init: () => ({}),
        evaluate: (ctx, _p, state) => ({ signals: [{ symbol: 'GLD', weight: Math.max(-1, Math.min(1, ctx.score('m').outputs.y!.values[0]!)), confidence: 1, reason: 'score' }], state }),
      }),
      {},
    );
  const seen: { rowCount: number; rows: ModelRows }[] = [];
  /** Scores each row as the mean of its features / 10. */
  const scorer: ModelScorer = async (_id, rows) => {
    const n = Array.isArray(rows) ? rows.length : (rows as { rowCount: number }).rowCount;
    seen.push({ rowCount: n, rows });
    const flat = Array.isArray(rows) ? rows.flat() : Array.from((rows as { values: Float32Array }).values);
    const width = flat.length / n;
    return { rowCount: n, outputs: { y: { width: 1, values: Float32Array.from({ length: n }, (_, r) => flat.slice(r * width, (r + 1) * width).reduce((a, b) => a + b, 0) / width / 10) } } };
  };
  const clock = () => 0;

  it('gives the same signals whichever form the rows take, and hands a FeatureMatrix to the scorer as it is', async () => {
    const matrix = { rowCount: 2, values: Float32Array.from([1, 3, 5, 7]) };
    const fromArrays = await evaluateWithModels(scoring(() => [[1, 3], [5, 7]]), store, times[5]!, {}, clock, scorer);
    const fromMatrix = await evaluateWithModels(scoring(() => matrix), store, times[5]!, {}, clock, scorer);
    expect([fromArrays, fromMatrix].map((r) => (r.ok ? "ok" : r.fault.message))).toEqual(["ok", "ok"]);
    if (fromArrays.ok && fromMatrix.ok) expect(fromMatrix.signals).toEqual(fromArrays.signals);
    expect(seen.at(-1)!.rows).toBe(matrix);
  });

  it.each([
    ['a NaN value', () => ({ rowCount: 2, values: Float32Array.from([1, Number.NaN, 3, 4]) }), /row 0 feature 1 is NaN/],
    ['values that are not whole rows', () => ({ rowCount: 3, values: new Float32Array(4) }), /4 values cannot be 3 rows/],
    ['values that are not a Float32Array', () => ({ rowCount: 1, values: [1, 2] as unknown as Float32Array }), /neither an array of rows nor a FeatureMatrix/],
    ['array rows of two widths', () => [[1, 2], [3]], /row 1 for m is not 2 finite numbers/],
  ])('refuses %s: a fault of the features hook, caused by SH_ERR_INFERENCE_INPUT_INVALID', async (_what, rows, message) => {
    const result = await evaluateWithModels(scoring(rows as () => ModelRows), store, times[5]!, {}, clock, scorer);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.fault).toMatchObject({ hook: 'features', code: 'SH_ERR_PLUGIN_FAULTED', cause: 'SH_ERR_INFERENCE_INPUT_INVALID' });
      expect(result.fault.message).toMatch(message);
    }
  });

  it('a scorer that fails is a fault of the features hook, caused by the scorer\'s own code', async () => {
    const failing: ModelScorer = () => Promise.reject(new ShError('SH_ERR_INFERENCE_RUN_FAILED', 'the model run failed'));
    const result = await evaluateWithModels(scoring(() => [[1, 3]]), store, times[5]!, {}, clock, failing);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.fault).toMatchObject({ hook: 'features', code: 'SH_ERR_PLUGIN_FAULTED', cause: 'SH_ERR_INFERENCE_RUN_FAILED' });
      expect(result.fault.message).toMatch(/the model run failed/);
    }
  });

  it('rowsAsArrays unpacks a FeatureMatrix row by row (what reference scorers in the test kit receive)', () => {
    const matrix = { rowCount: 2, values: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    expect(rowsAsArrays(matrix)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(rowCountOf(matrix)).toBe(2);
    const arrays = [[1], [2]];
    expect(rowsAsArrays(arrays)).toBe(arrays);
    expect(rowsAsArrays({ rowCount: 0, values: new Float32Array(0) })).toEqual([]);
  });
});
