import { describe, expect, it } from 'vitest';
import { SeriesStore } from '../model/series-store.js';
import { defineStrategy } from './define-strategy.js';
import {
  BUDGET_OVERRUNS_TO_FAULT,
  evaluateHistory,
  evaluateOnce,
  HARD_BUDGET_MULTIPLE,
  OverrunCounter,
  prepareStrategy,
  validateSignals,
  type EvaluationResult,
} from './evaluate.js';
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
