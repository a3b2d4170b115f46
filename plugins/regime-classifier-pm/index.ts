import { defineStrategy, featureNeeds, featureRows, REGIME_FEATURES, ShError, type ModelScores, type ParamValues, type Signal, type StrategyContext } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';

const params = {
  modelId: { type: 'string', default: 'regime-gmm', pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'Registered model scoring the regime features (regime-v1) into posterior probabilities per state, calmest first.' },
  regimeSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'Instrument whose return and volatility (with VIX) feed the model: the one it was fitted on.' },
  universe: { type: 'symbols', default: ['GLD'], minItems: 1, maxItems: 20, description: 'Instruments held; the exposure is split equally among them.' },
  calmExposure: { type: 'number', min: -1, max: 1, default: 1, description: 'Exposure in the calmest state (state 0).' },
  stressedExposure: { type: 'number', min: -1, max: 1, default: 0.25, description: 'Exposure in the most stressed state (the last); states between are interpolated linearly.' },
  halfLifeDays: { type: 'int', min: 0, max: 60, default: 3, description: 'Half-life in evaluations of the exponential smoothing of the exposure (0: none): filters one-day flips of the posterior.' },
} as const;

type Params = ParamValues<typeof params>;

export interface RegimeClassifierState {
  /** The smoothed exposure last emitted (before the split across the universe); null before the first score. */
  readonly exposure: number | null;
}

/**
 * Regime-based exposure (Kritzman, Page and Turkington 2012; Nystrup et al. 2015): a Gaussian mixture fitted by the
 * project (`strategy-host models fit regime-gmm`) gives the posterior probability of each market state from the
 * instrument's 20-day return and volatility and VIX; the exposure is the posterior-weighted exposure of the states,
 * smoothed, long the universe in calm markets and reduced in stressed ones.
 */
export default defineStrategy({
  id: 'regime-classifier-pm',
  version: '1.0.0',
  api: 1,
  summary: 'Regime classification: a Gaussian-mixture posterior over return, volatility and VIX sets the precious-metals exposure by state',
  params,
  needs(p) {
    const features = featureNeeds(REGIME_FEATURES, [p.regimeSymbol]);
    return { bars: [...new Set([...features.bars, ...p.universe])], series: features.series, history: features.history, seriesHistory: features.seriesHistory, trades: p.universe };
  },
  models: (p) => [p.modelId],
  features: (ctx, p) => ({ [p.modelId]: featureRows(REGIME_FEATURES, ctx, [p.regimeSymbol]).rows }),
  init: (): RegimeClassifierState => ({ exposure: null }),
  evaluate(ctx, p, state) {
    const { rows } = featureRows(REGIME_FEATURES, ctx, [p.regimeSymbol]);
    if (rows.length === 0) {
      const reason = `regime waiting for history: ${ctx.bars(p.regimeSymbol).length} of ${REGIME_FEATURES.barHistory} bars of ${p.regimeSymbol}, VIX ${ctx.series('macro:VIX').length > 0 ? 'present' : 'absent'}`;
      return { signals: p.universe.map((symbol) => ({ symbol, weight: 0, confidence: 0, reason })), state };
    }
    const posterior = posteriorOf(ctx, p);
    const target = posterior.reduce((sum, probability, k) => sum + probability * stateExposure(p, k, posterior.length), 0);
    const alpha = p.halfLifeDays === 0 ? 1 : 1 - 2 ** (-1 / p.halfLifeDays);
    const exposure = state.exposure === null ? target : state.exposure + alpha * (target - state.exposure);
    const weight = Math.max(-1, Math.min(1, exposure)) / p.universe.length;
    const names = posterior.length === 2 ? ['calm', 'stressed'] : posterior.length === 3 ? ['calm', 'normal', 'stressed'] : posterior.map((_, k) => `s${k}`);
    const reason = `regime ${posterior.map((q, k) => `${names[k]} ${q.toFixed(2)}`).join(' ')} -> exposure ${exposure.toFixed(2)} (target ${target.toFixed(2)})`;
    const confidence = Math.max(...posterior);
    const signals: Signal[] = p.universe.map((symbol) => ({ symbol, weight, confidence, reason }));
    return { signals, state: { exposure } };
  },
});

/** Exposure of state k of n: calmExposure for the calmest, stressedExposure for the most stressed, linear between. */
function stateExposure(p: Params, k: number, n: number): number {
  return p.calmExposure + ((p.stressedExposure - p.calmExposure) * k) / (n - 1);
}

/** The posterior of the one row scored, checked: at least two states, probabilities in [0, 1] summing to 1. */
function posteriorOf(ctx: StrategyContext, p: Params): number[] {
  const scores: ModelScores = ctx.score(p.modelId);
  const output = scores.outputs['probabilities'];
  const posterior = output ? Array.from(output.values.subarray(0, output.width)) : [];
  const total = posterior.reduce((a, b) => a + b, 0);
  if (!output || output.width < 2 || posterior.some((q) => !(q >= 0 && q <= 1)) || Math.abs(total - 1) > 1e-3) {
    throw new ShError('SH_ERR_INFERENCE_CARD_MISMATCH', `model ${p.modelId} did not return a posterior over at least two states`, {
      where: `regime-classifier-pm (evaluate) model ${p.modelId}`,
      received: output ? posterior : Object.keys(scores.outputs),
      expected: 'an output "probabilities" of width >= 2: probabilities summing to 1, calmest state first (class-probabilities)',
    });
  }
  return posterior;
}
