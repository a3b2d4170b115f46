import { describe, expect, it } from 'vitest';
import { isShError } from '../errors.js';
import type { ModelScores, StrategyContext } from './context.js';
import { scoredOutput } from './scored-output.js';

const PROBABILITY = { name: 'probability', width: 1, perRow: 'one probability', expected: 'an output "probability" of width 1' };

function contextScoring(scores: ModelScores): StrategyContext & { calls: number } {
  const ctx = {
    strategyId: 'meta',
    now: 0,
    calls: 0,
    bars: () => { throw new Error('not used'); },
    series: () => { throw new Error('not used'); },
    score: () => { ctx.calls += 1; return scores; },
  };
  return ctx as unknown as StrategyContext & { calls: number };
}

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('scoredOutput', () => {
  it('returns the output when it has the expected width, and asks for no scores when no row was scored', () => {
    const values = new Float32Array([0.7, 0.2]);
    const ctx = contextScoring({ rowCount: 2, outputs: { probability: { width: 1, values } } });
    expect(scoredOutput(ctx, 'm', 2, PROBABILITY)).toEqual({ width: 1, values });
    expect(ctx.calls).toBe(1);
    expect(scoredOutput(ctx, 'm', 0, PROBABILITY)).toBeUndefined();
    expect(ctx.calls).toBe(1);
  });

  it('throws SH_ERR_INFERENCE_CARD_MISMATCH naming the plugin, the model and what came back', () => {
    const wide = thrown(() => scoredOutput(contextScoring({ rowCount: 1, outputs: { probability: { width: 2, values: new Float32Array(2) } } }), 'm', 1, PROBABILITY));
    expect(isShError(wide, 'SH_ERR_INFERENCE_CARD_MISMATCH')).toBe(true);
    expect((wide as Error).message).toBe('model m did not return one probability per row');
    expect((wide as { details: unknown }).details).toEqual({ where: 'meta (evaluate) model m', received: 'width 2', expected: 'an output "probability" of width 1' });
    const missing = thrown(() => scoredOutput(contextScoring({ rowCount: 1, outputs: {} }), 'm', 1, PROBABILITY));
    expect((missing as { details: { received: unknown } }).details.received).toBe('no output "probability"');
  });
});
