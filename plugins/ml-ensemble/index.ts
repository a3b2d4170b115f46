import {
  clipSymmetric,
  COT_SERIES_FOR,
  defineStrategy,
  ENSEMBLE_FEATURES,
  featureNeeds,
  featureRows,
  ML_TRADING_DAYS,
  normalCdf,
  realisedVolatility,
  scoredOutput,
  ShError,
  type Signal,
} from '../../core/index.js';

const params = {
  modelId: { type: 'string', default: 'ensemble-gbt', pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'Registered regression model scoring the ensemble features (ensemble-v1) into the predicted horizon log return.' },
  universe: { type: 'symbols', default: ['GLD', 'SLV'], minItems: 1, maxItems: 20, description: `Instruments traded; each needs a COT report (${Object.keys(COT_SERIES_FOR).join(', ')}).` },
  horizonDays: { type: 'int', min: 1, max: 252, default: 20, description: 'Horizon of the predicted return, in trading days: the label horizon of the model (its card says).' },
  volDays: { type: 'int', min: 20, max: 250, default: 60, description: 'Days of daily returns in the volatility that scales the prediction.' },
  signalScale: { type: 'number', min: 0.1, max: 10, default: 1, description: 'weight = clip(signalScale x prediction / sigma, -1, 1) / n, sigma the volatility of the horizon return.' },
} as const;

/**
 * A gradient-boosted tree ensemble fitted by the project (`strategy-host models fit ensemble-gbt`) predicts each
 * instrument's log return over the next horizonDays from return, volatility, macro, COT and gold/silver-ratio
 * features; the signal is the prediction over the volatility of the horizon return, clipped to [-1, 1].
 */
export default defineStrategy({
  id: 'ml-ensemble',
  version: '1.0.0',
  api: 1,
  summary: 'Gradient-boosted tree ensemble: predicted 20-day return over its volatility, clipped, from return, volatility, macro, COT and ratio features',
  params,
  needs(p) {
    const unknown = p.universe.filter((s) => COT_SERIES_FOR[s] === undefined);
    if (unknown.length > 0) {
      throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter universe is invalid: ${unknown.join(', ')} have no COT report`, {
        where: 'plugins.settings.ml-ensemble.params.universe',
        received: p.universe,
        expected: `symbols with a legacy COT report: ${Object.keys(COT_SERIES_FOR).join(', ')}`,
      });
    }
    const features = featureNeeds(ENSEMBLE_FEATURES, p.universe);
    return { bars: features.bars, series: features.series, history: Math.max(features.history, p.volDays + 1), seriesHistory: features.seriesHistory, trades: p.universe };
  },
  models: (p) => [p.modelId],
  features: (ctx, p) => ({ [p.modelId]: featureRows(ENSEMBLE_FEATURES, ctx, p.universe).rows }),
  init: (): Record<string, never> => ({}),
  evaluate(ctx, p, state) {
    const { symbols, rows } = featureRows(ENSEMBLE_FEATURES, ctx, p.universe);
    const predictions = scoredOutput(ctx, p.modelId, rows.length, { name: 'prediction', width: 1, perRow: 'one prediction', expected: 'an output "prediction" of width 1 (regression)' });
    const n = p.universe.length;
    const signals: Signal[] = p.universe.map((symbol) => {
      const r = symbols.indexOf(symbol);
      const sigma = realisedVolatility(ctx.bars(symbol).close, p.volDays) * Math.sqrt(p.horizonDays / ML_TRADING_DAYS);
      if (r < 0 || !(sigma > 0)) {
        return { symbol, weight: 0, confidence: 0, reason: `ensemble waiting for history: ${ctx.bars(symbol).length} of ${ENSEMBLE_FEATURES.barHistory} bars, or macro/COT series (52 reports)` };
      }
      const prediction = predictions!.values[r] as number;
      const z = prediction / sigma;
      const weight = clipSymmetric(p.signalScale * z) / n;
      return {
        symbol,
        weight,
        confidence: Math.abs(2 * normalCdf(z) - 1),
        reason: `ensemble pred ${percent(prediction)} over ${p.horizonDays}d, sigma ${(sigma * 100).toFixed(1)}% -> z ${z >= 0 ? '+' : ''}${z.toFixed(2)} -> ${weight.toFixed(3)}`,
      };
    });
    return { signals, state };
  },
});

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}
