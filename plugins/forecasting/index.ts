import { clipSymmetric, defineStrategy, featureNeeds, featureRows, FORECAST_FEATURES, normalCdf, scoredOutput, type Signal } from '../../core/index.js';

/** q90 - q10 of a normal distribution, in standard deviations: 2 x 1.2816. */
const NORMAL_DECILE_SPREAD = 2.5631;

const params = {
  modelId: { type: 'string', default: 'forecast-quantiles', pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'Registered model scoring the forecast features (forecast-v1) into the 10%, 50% and 90% quantiles of the horizon log return.' },
  universe: { type: 'symbols', default: ['GLD', 'SLV'], minItems: 1, maxItems: 20, description: 'Instruments traded, each on its own forecast; the budget is split equally among them.' },
  signalScale: { type: 'number', min: 0.1, max: 20, default: NORMAL_DECILE_SPREAD, description: 'weight = clip(signalScale x q50 / (q90 - q10), -1, 1) / n; the default makes it the median over the implied standard deviation.' },
  minSpread: { type: 'number', min: 0, max: 0.5, default: 0.001, description: 'Forecasts whose q90 - q10 is below this (crossed or degenerate quantiles) are not traded.' },
} as const;

/**
 * Quantile forecasting: linear quantile regressions fitted by the project (`strategy-host models fit
 * forecast-quantiles`) give the 10%, 50% and 90% quantiles of each instrument's 20-day log return from its own
 * returns, volatility and trend; the position is proportional to the median over the q90 - q10 spread, a
 * signal-to-uncertainty ratio.
 */
export default defineStrategy({
  id: 'forecasting',
  version: '1.0.0',
  api: 1,
  summary: 'Quantile forecasts of the 20-day return: position proportional to the median over the q90-q10 spread',
  params,
  needs(p) {
    const features = featureNeeds(FORECAST_FEATURES, p.universe);
    return { bars: features.bars, history: features.history, trades: p.universe };
  },
  models: (p) => [p.modelId],
  features: (ctx, p) => ({ [p.modelId]: featureRows(FORECAST_FEATURES, ctx, p.universe).rows }),
  init: (): Record<string, never> => ({}),
  evaluate(ctx, p, state) {
    const { symbols, rows } = featureRows(FORECAST_FEATURES, ctx, p.universe);
    const quantiles = scoredOutput(ctx, p.modelId, rows.length, { name: 'quantiles', width: 3, perRow: 'three quantiles', expected: 'an output "quantiles" of width 3: q10, q50, q90 of the horizon log return' });
    const n = p.universe.length;
    const signals: Signal[] = p.universe.map((symbol) => {
      const r = symbols.indexOf(symbol);
      if (r < 0) return { symbol, weight: 0, confidence: 0, reason: `forecast waiting for history: ${ctx.bars(symbol).length} of ${FORECAST_FEATURES.barHistory} bars` };
      const values = quantiles!.values;
      const [q10, q50, q90] = [values[3 * r] as number, values[3 * r + 1] as number, values[3 * r + 2] as number];
      const spread = q90 - q10;
      const quoted = `forecast q10 ${percent(q10)} q50 ${percent(q50)} q90 ${percent(q90)}`;
      if (!(spread >= p.minSpread) || !Number.isFinite(q50)) return { symbol, weight: 0, confidence: 0, reason: `${quoted}: spread below ${p.minSpread}, not traded` };
      const ratio = q50 / spread;
      const weight = clipSymmetric(p.signalScale * ratio) / n;
      return { symbol, weight, confidence: Math.abs(2 * normalCdf(NORMAL_DECILE_SPREAD * ratio) - 1), reason: `${quoted} -> q50/spread ${ratio.toFixed(3)} -> ${weight.toFixed(3)}` };
    });
    return { signals, state };
  },
});

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}
