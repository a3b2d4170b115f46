import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../errors.js';
import { COT_AVAILABILITY, DAILY_CLOSE_LAG_MS } from '../model/series.js';
import { SeriesStore } from '../model/series-store.js';
import { dayOfWeek, formatDate, formatTime, parseDate } from '../model/time.js';
import { defineStrategy, type AnyStrategy } from './define-strategy.js';
import {
  barsFromCloses,
  checkStrategyContract,
  decisionTimes,
  modelScores,
  pricePath,
  runStrategy,
  seededNormals,
  seriesFromValues,
  signalAt,
  weeklySeries,
} from './test-kit.js';

/** Zig-zag closes: five days up, five days down, so a 3-day momentum rule trades both ways. */
const closes = Array.from({ length: 60 }, (_, i) => 100 + (i % 10 < 5 ? i % 10 : 10 - (i % 10)) + i * 0.1);
const data = [barsFromCloses('X', closes)];

interface CountState {
  readonly evaluations: number;
  readonly last: number;
}

/** A well-behaved plugin: sign of the 3-day change, half weight; counts evaluations in its state. */
const good = defineStrategy({
  id: 'good-plugin',
  version: '1.0.0',
  api: 1,
  summary: 'sign of the 3-day change',
  params: { days: { type: 'int', min: 1, max: 10, default: 3 }, universe: { type: 'symbols', default: ['X'] } },
  needs: (p) => ({ bars: p.universe, history: p.days + 1 }),
  init: (): CountState => ({ evaluations: 0, last: 0 }),
  evaluate(ctx, p, state) {
    const close = ctx.bars('X').close;
    if (close.length <= p.days) return { signals: [], state: { ...state, evaluations: state.evaluations + 1 } };
    const change = (close[close.length - 1] as number) - (close[0] as number);
    const weight = Math.sign(change) * 0.5;
    return { signals: [{ symbol: 'X', weight, confidence: 0.5, reason: `${p.days}d change ${change.toFixed(2)}` }], state: { evaluations: state.evaluations + 1, last: weight } };
  },
});

/** The good plugin with one evaluate replaced. */
function variant(evaluate: AnyStrategy['evaluate'], extra: Partial<AnyStrategy> = {}): AnyStrategy {
  return { ...(good as unknown as AnyStrategy), id: 'bad-plugin', evaluate, ...extra };
}

const goodEvaluate = (good as unknown as AnyStrategy).evaluate;

function thrown(call: () => unknown): { code?: string; message: string; problems?: readonly unknown[]; details?: Record<string, unknown> } {
  try {
    call();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the call to throw');
}

describe('data builders', () => {
  it('barsFromCloses makes business-day bars available at the close, open = previous close', () => {
    const bars = barsFromCloses('GLD', [10, 11, 12, 13], { start: '2021-01-01', spreadPct: 1 });
    expect([...bars.time].map(formatDate)).toEqual(['2021-01-01', '2021-01-04', '2021-01-05', '2021-01-06']);
    expect(bars.available[0]! - bars.time[0]!).toBe(DAILY_CLOSE_LAG_MS);
    expect([...bars.columns.open!]).toEqual([10, 10, 11, 12]);
    expect(bars.columns.high![1]).toBeCloseTo(11 * 1.01, 12);
    expect(bars.columns.low![1]).toBeCloseTo(10 * 0.99, 12);
    expect(bars.spec.id).toBe('bar:GLD');
  });

  it('barsFromCloses rejects a non-positive close', () => {
    expect(thrown(() => barsFromCloses('GLD', [10, -1])).code).toBe('SH_ERR_DATA_CSV_INVALID');
  });

  it('seriesFromValues takes explicit days, a field name and monthly spacing', () => {
    const macro = seriesFromValues('macro:VIX', [20, 25], { days: ['2022-03-01', '2022-03-08'], field: 'close' });
    expect(macro.spec).toMatchObject({ id: 'macro:VIX', kind: 'macro', fields: ['close'] });
    expect(macro.time[1]).toBe(parseDate('2022-03-08'));
    const monthly = seriesFromValues('macro:CPI', [1, 2, 3], { start: '2022-01-31', frequency: 'monthly' });
    expect([...monthly.time].map(formatDate)).toEqual(['2022-01-28', '2022-02-28', '2022-03-28']);
    expect(thrown(() => seriesFromValues('VIX', [1])).code).toBe('SH_ERR_DATA_CATALOG_INVALID');
  });

  it('weeklySeries puts rows on Tuesdays, visible on Friday 20:30 UTC', () => {
    const cot = weeklySeries('cot:GC', [{ long: 1, short: 2 }, { long: 3, short: 4 }], { start: '2023-01-01' });
    expect(cot.spec.fields).toEqual(['long', 'short']);
    expect([...cot.time].map(dayOfWeek)).toEqual([2, 2]);
    expect(formatTime(cot.available[0]!)).toBe('2023-01-06T20:30:00.000Z');
    expect(cot.spec.availability).toEqual(COT_AVAILABILITY);
  });

  it('decisionTimes is the sorted union of bar availability times', () => {
    const store = SeriesStore.build([barsFromCloses('A', [1, 2, 3], { start: '2020-01-06' }), barsFromCloses('B', [1, 2], { start: '2020-01-07' })]);
    expect(decisionTimes(store, ['A', 'B']).map(formatDate)).toEqual(['2020-01-06', '2020-01-07', '2020-01-08']);
  });

  it('seededNormals and pricePath are reproducible', () => {
    expect(seededNormals(3, 5)).toEqual(seededNormals(3, 5));
    expect(seededNormals(3, 5)).not.toEqual(seededNormals(4, 5));
    const path = pricePath(1000, { drift: 0.001, volatility: 0.01, seed: 9 });
    expect(Math.log(path[999]! / 100)).toBeGreaterThan(0.5);
  });
});

describe('runStrategy', () => {
  it('evaluates at each bar close and carries state', () => {
    const run = runStrategy(good, { data });
    expect(run.times).toHaveLength(60);
    expect(run.finalState).toEqual({ evaluations: 60, last: signalAt(run, 'X', -1) });
    expect(run.signals[2]).toEqual([]);
    expect(signalAt(run, 'X', 5)).toBe(0.5); // days 1..5 rise
    expect(signalAt(run, 'X', 9)).toBe(-0.5);
    expect(signalAt(run, 'Y', 9)).toBe(0);
  });

  it('starts from a given state and evaluates only at the given times', () => {
    const run = runStrategy(good, { data, times: [data[0]!.available[10]!], state: { evaluations: 41, last: 0 } });
    expect(run.finalState.evaluations).toBe(42);
  });

  it('rejects bad params with every problem listed', () => {
    const error = thrown(() => runStrategy(good, { data, params: { days: 0, colour: 'red' } }));
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems).toHaveLength(2);
  });

  it('names a series the data lacks', () => {
    const error = thrown(() => runStrategy(good, { data, params: { universe: ['X', 'Y'] } }));
    expect(error.code).toBe('SH_ERR_DATA_SERIES_UNKNOWN');
    expect(error.message).toContain('bar:Y');
  });

  it('turns a throwing plugin into SH_ERR_PLUGIN_FAULTED naming hook and time', () => {
    const plugin = variant((ctx) => {
      if (ctx.now >= data[0]!.available[30]!) throw new Error('boom');
      return { signals: [], state: {} };
    });
    const error = thrown(() => runStrategy(plugin, { data }));
    expect(error.code).toBe('SH_ERR_PLUGIN_FAULTED');
    expect(error.message).toContain('failed in evaluate: boom');
    expect(error.details?.time).toBe(data[0]!.available[30]);
  });

  it('lists each malformed signal field', () => {
    const plugin = variant((_ctx, _p, state) => ({ signals: [{ symbol: 'X', weight: 2, confidence: -1, reason: 'bad' }], state }));
    const error = thrown(() => runStrategy(plugin, { data }));
    expect(error.code).toBe('SH_ERR_PLUGIN_SIGNAL_INVALID');
    expect(error.problems).toHaveLength(2);
  });
});

/** Bad plugins, each caught by the kit with its own code. */
const badPlugins: { name: string; plugin: AnyStrategy; code: ErrorCode; says: string }[] = [
  {
    name: 'mutates its state',
    plugin: variant((ctx, p, state) => {
      (state as { evaluations: number }).evaluations += 1;
      return goodEvaluate(ctx, p, { evaluations: 0, last: 0 });
    }),
    code: 'SH_ERR_PLUGIN_MUTATED_INPUT',
    says: 'frozen input',
  },
  {
    name: 'mutates a nested part of a copied state',
    plugin: variant((_ctx, _p, state) => {
      const next = { ...(state as { history?: number[] }) };
      if (next.history) next.history.push(1);
      return { signals: [], state: { history: next.history ?? [] } };
    }),
    code: 'SH_ERR_PLUGIN_MUTATED_INPUT',
    says: 'frozen input',
  },
  {
    name: 'mutates its params',
    plugin: variant((ctx, p, state) => {
      (p.universe as unknown as string[]).push('Y');
      return goodEvaluate(ctx, p, state);
    }),
    code: 'SH_ERR_PLUGIN_MUTATED_INPUT',
    says: 'frozen input',
  },
  {
    name: 'mutates its params in needs',
    plugin: variant(goodEvaluate, {
      needs: (p) => {
        (p as Record<string, unknown>).days = 5;
        return { bars: ['X'], history: 5 };
      },
    }),
    code: 'SH_ERR_PLUGIN_MUTATED_INPUT',
    says: 'hook needs',
  },
  {
    name: 'writes into a data window',
    plugin: variant((ctx, p, state) => {
      ctx.bars('X').close[0] = 1;
      return goodEvaluate(ctx, p, state);
    }),
    code: 'SH_ERR_PLUGIN_MUTATED_INPUT',
    says: 'data window bar:X',
  },
  {
    name: 'is non-deterministic',
    plugin: variant((_ctx, _p, state) => ({ signals: [{ symbol: 'X', weight: Math.random() > 0.5 ? 0.5 : -0.5, confidence: 0.5, reason: 'coin' }], state })),
    code: 'SH_ERR_PLUGIN_NONDETERMINISTIC',
    says: 'two runs',
  },
  {
    name: 'never trades',
    plugin: variant((_ctx, _p, state) => ({ signals: [{ symbol: 'X', weight: 0, confidence: 0, reason: 'flat' }], state })),
    code: 'SH_ERR_PLUGIN_NO_SIGNAL',
    says: 'no non-zero signal',
  },
  {
    name: 'peeks at the next close through the window buffer',
    plugin: variant((ctx, _p, state) => {
      const close = ctx.bars('X').close;
      const next = new Float64Array(close.buffer, close.byteOffset + close.byteLength, 1)[0] as number;
      return { signals: [{ symbol: 'X', weight: next > (close[close.length - 1] as number) ? 0.5 : -0.5, confidence: 0.5, reason: 'peek' }], state };
    }),
    code: 'SH_ERR_PLUGIN_LOOK_AHEAD',
    says: 'data after this time is removed',
  },
  {
    name: 'keeps a Map in its state',
    plugin: variant((ctx, p, _state) => ({ signals: goodEvaluate(ctx, p, { evaluations: 0, last: 0 }).signals, state: { seen: new Map([['X', 1]]) } })),
    code: 'SH_ERR_PLUGIN_STATE_NOT_SERIALISABLE',
    says: 'a Map',
  },
  {
    name: 'keeps NaN in its state',
    plugin: variant((ctx, p, _state) => ({ signals: goodEvaluate(ctx, p, { evaluations: 0, last: 0 }).signals, state: { level: Number.NaN } })),
    code: 'SH_ERR_PLUGIN_STATE_NOT_SERIALISABLE',
    says: 'state.level',
  },
];

describe('checkStrategyContract', () => {
  it('passes a good plugin and reports what it checked', () => {
    const report = checkStrategyContract(good, { data });
    expect(report).toMatchObject({ strategyId: 'good-plugin', evaluations: 60, checks: ['inputs-not-mutated', 'deterministic', 'trades', 'no-look-ahead', 'state-json-round-trip'] });
    expect(report.lookAheadTimes).toHaveLength(5);
    expect(report.lookAheadTimes.at(-1)).toBe(data[0]!.available[59]);
    expect(report.nonZeroSignals).toBeGreaterThan(50);
  });

  it.each(badPlugins)('fails a plugin that $name with $code', ({ plugin, code, says }) => {
    const error = thrown(() => checkStrategyContract(plugin, { data }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(says);
    expect(error.message).toContain('bad-plugin');
  });

  it('fails a plugin that behaves differently after its state went through JSON', () => {
    // An undefined-valued key is dropped by JSON: a plugin that tests `'key' in state` changes after a restart.
    const plugin = variant((ctx, p, state) => {
      const reason = 'marker' in (state as object) ? 'has marker' : 'no marker';
      const out = goodEvaluate(ctx, p, { evaluations: 0, last: 0 });
      return { signals: out.signals.map((s) => ({ ...s, reason })), state: { marker: undefined } };
    });
    const error = thrown(() => checkStrategyContract(plugin, { data }));
    expect(error.code).toBe('SH_ERR_PLUGIN_STATE_NOT_SERIALISABLE');
    expect(error.message).toContain('resuming from a JSON copy');
  });
});

// ---------------------------------------------------------------------------------------------- plugins with models

/** A logistic "model" of two features: the JS reference a plugin test uses in place of the host's inference. */
const WEIGHTS = [40, -20] as const;
const logistic = (rows: readonly (readonly number[])[]) =>
  modelScores({ probability: { width: 1, values: rows.map(([a = 0, b = 0]) => 1 / (1 + Math.exp(-(WEIGHTS[0] * a + WEIGHTS[1] * b)))) } }, rows.length);

interface ModelState {
  readonly evaluations: number;
  readonly lastProbability: number;
}

/** Scores one row per decision (3-day and 1-day returns of X) and goes long above 0.55, short below 0.45. */
const scored = defineStrategy({
  id: 'scored-plugin',
  version: '1.0.0',
  api: 1,
  summary: 'logistic model of two returns',
  params: { threshold: { type: 'number', min: 0, max: 0.5, default: 0.05 } },
  needs: () => ({ bars: ['X'], history: 4 }),
  models: () => ['direction'],
  init: (): ModelState => ({ evaluations: 0, lastProbability: 0.5 }),
  features(ctx) {
    const close = ctx.bars('X').close;
    if (close.length < 4) return { direction: [] }; // no rows: nothing scored, evaluate must not call ctx.score
    const last = close[close.length - 1] as number;
    return { direction: [[last / (close[0] as number) - 1, last / (close[close.length - 2] as number) - 1]] };
  },
  evaluate(ctx, p, state) {
    if (ctx.bars('X').close.length < 4) return { signals: [], state: { ...state, evaluations: state.evaluations + 1 } };
    const probability = ctx.score('direction').outputs['probability']!.values[0] as number;
    const weight = probability > 0.5 + p.threshold ? 0.5 : probability < 0.5 - p.threshold ? -0.5 : 0;
    return { signals: [{ symbol: 'X', weight, confidence: Math.abs(probability - 0.5) * 2, reason: `p(up) ${probability.toFixed(3)}` }], state: { evaluations: state.evaluations + 1, lastProbability: probability } };
  },
});

/** The model plugin with some hooks replaced. */
function scoredVariant(extra: Partial<AnyStrategy>): AnyStrategy {
  return { ...(scored as unknown as AnyStrategy), id: 'bad-plugin', ...extra };
}

describe('modelScores', () => {
  it('builds float32 outputs with their widths', () => {
    const scores = modelScores({ p: { width: 1, values: [0.25, 0.5] }, q: { width: 2, values: [1, 2, 3, 4] } }, 2);
    expect(scores.rowCount).toBe(2);
    expect(scores.outputs['q']).toEqual({ width: 2, values: Float32Array.from([1, 2, 3, 4]) });
    expect(scores.outputs['p']!.values).toBeInstanceOf(Float32Array);
  });

  it('rejects values that are not rowCount x width', () => {
    const error = thrown(() => modelScores({ p: { width: 2, values: [1, 2, 3] } }, 2));
    expect(error.code).toBe('SH_ERR_INFERENCE_RUN_FAILED');
    expect(error.message).toContain('output p: 3 values, expected 2 rows x 2 = 4');
  });
});

describe('runStrategy and checkStrategyContract with models', () => {
  it('calls features, scores the rows with the reference scorer, then evaluate with ctx.score', () => {
    const seen: number[][][] = [];
    const run = runStrategy(scored, { data, models: { direction: (rows) => (seen.push(rows.map((r) => [...r])), logistic(rows)) } });
    expect(run.times).toHaveLength(60);
    expect(seen).toHaveLength(57); // no rows (and no scorer call) before 4 bars of history
    expect(seen.every((rows) => rows.length === 1 && rows[0]!.length === 2)).toBe(true);
    const expected = 1 / (1 + Math.exp(-(40 * seen[10]![0]![0]! - 20 * seen[10]![0]![1]!)));
    expect(run.states[13]!.lastProbability).toBe(Math.fround(expected));
    expect(run.signals.flat().some((s) => s.weight > 0)).toBe(true);
    expect(run.signals.flat().some((s) => s.weight < 0)).toBe(true);
  });

  it('passes the whole contract (determinism, no look-ahead, JSON state) for a plugin with models', () => {
    const report = checkStrategyContract(scored, { data, models: { direction: logistic } });
    expect(report.checks).toEqual(['inputs-not-mutated', 'deterministic', 'trades', 'no-look-ahead', 'state-json-round-trip']);
    expect(report.lookAheadTimes).toHaveLength(5);
  });

  it('a plugin returning its rows as a FeatureMatrix gets the same signals, and passes the contract', () => {
    const asMatrix = scoredVariant({
      id: 'scored-matrix',
      features(ctx, params, state) {
        const rows = (scored.features!(ctx, params as never, state as never) as { direction: number[][] }).direction;
        return { direction: { rowCount: rows.length, values: Float32Array.from(rows.flat()) } };
      },
    });
    const arrays = runStrategy(scored, { data, models: { direction: logistic } });
    const matrix = runStrategy(asMatrix, { data, models: { direction: logistic } });
    // Float32 features: the same rows to float32 precision, so the same decisions.
    expect(matrix.signals.map((list) => list.map((sig) => sig.weight))).toEqual(arrays.signals.map((list) => list.map((sig) => sig.weight)));
    expect(checkStrategyContract(asMatrix, { data, models: { direction: logistic } }).checks).toContain('no-look-ahead');
  });

  it('needs a reference scorer for every declared model', () => {
    const error = thrown(() => runStrategy(scored, { data }));
    expect(error.code).toBe('SH_ERR_INFERENCE_MODEL_UNKNOWN');
    expect(error.message).toContain('scored-plugin scores direction');
  });

  it('reports a look-ahead made through features()', () => {
    // Peeks at the next close through the window's buffer, in features() rather than evaluate().
    const plugin = scoredVariant({
      features: (ctx) => {
        const close = ctx.bars('X').close;
        if (close.length < 4) return { direction: [] };
        const next = new Float64Array(close.buffer, close.byteOffset + close.byteLength, 1)[0] as number;
        return { direction: [[next > (close[close.length - 1] as number) ? 1 : -1, 0]] };
      },
    });
    const error = thrown(() => checkStrategyContract(plugin, { data, models: { direction: logistic } }));
    expect(error.code).toBe('SH_ERR_PLUGIN_LOOK_AHEAD');
  });

  it('faults features() that throws, or returns rows for an undeclared model, naming the hook', () => {
    const throwing = thrown(() => runStrategy(scoredVariant({ features: () => { throw new Error('boom'); } }), { data, models: { direction: logistic } }));
    expect(throwing.code).toBe('SH_ERR_PLUGIN_FAULTED');
    expect(throwing.message).toContain('failed in features: boom');
    const undeclared = thrown(() => runStrategy(scoredVariant({ features: () => ({ other: [[1, 2]] }) }), { data, models: { direction: logistic } }));
    expect(undeclared.message).toContain('undeclared model other');
  });

  it('reports a features() hook that writes into its state, and an evaluate that writes into its scores', () => {
    const writesState = scoredVariant({ features: (ctx, p, state) => ((state as { evaluations: number }).evaluations = 1, {}) });
    expect(thrown(() => runStrategy(writesState, { data, models: { direction: logistic } })).code).toBe('SH_ERR_PLUGIN_MUTATED_INPUT');
    const evaluate = (scored as unknown as AnyStrategy).evaluate;
    const writesScores = scoredVariant({
      evaluate: (ctx, p, state) => {
        if (ctx.bars('X').close.length >= 4) (ctx.score('direction').outputs['probability']!.values as Float32Array)[0] = 0.9;
        return evaluate(ctx, p, state);
      },
    });
    const error = thrown(() => runStrategy(writesScores, { data, models: { direction: logistic } }));
    expect(error.code).toBe('SH_ERR_PLUGIN_MUTATED_INPUT');
    expect(error.message).toContain('model scores');
  });

  it('rejects a reference scorer that returns the wrong number of rows', () => {
    const error = thrown(() => runStrategy(scored, { data, models: { direction: () => modelScores({ probability: { width: 1, values: [0.5, 0.5] } }, 2) } }));
    expect(error.code).toBe('SH_ERR_INFERENCE_RUN_FAILED');
    expect(error.message).toContain('reference scorer of direction');
  });
});

describe('checkStrategyContract and closeWeight', () => {
  const overnightOnly = defineStrategy({
    id: 'overnight-only',
    version: '1.0.0',
    api: 1,
    summary: 'holds only from the close to the next open',
    params: {},
    needs: () => ({ bars: ['GLD'], history: 2 }),
    init: () => ({}),
    evaluate: (ctx, _p, state) => ({ signals: [{ symbol: 'GLD', weight: 0, closeWeight: ctx.bars('GLD').length > 1 ? 0.5 : 0, confidence: 1, reason: 'overnight' }], state }),
  });
  const peekingClose = defineStrategy({
    ...overnightOnly,
    id: 'peeking-close',
    // Non-deterministic close leg: the kit must compare closeWeight, not only weight.
    evaluate: (_ctx, _p, state) => ({ signals: [{ symbol: 'GLD', weight: 0, closeWeight: Math.random() * 0.5, confidence: 1, reason: 'x' }], state }),
  });
  const data = [barsFromCloses('GLD', Array.from({ length: 40 }, (_, i) => 100 + i))];

  it('a plugin trading only through closeWeight trades, as far as the kit is concerned', () => {
    expect(checkStrategyContract(overnightOnly, { data }).nonZeroSignals).toBeGreaterThan(30);
  });

  it('closeWeight is compared: a non-deterministic close leg is caught', () => {
    expect(() => checkStrategyContract(peekingClose, { data })).toThrowError(expect.objectContaining({ code: 'SH_ERR_PLUGIN_NONDETERMINISTIC' }));
  });
});
