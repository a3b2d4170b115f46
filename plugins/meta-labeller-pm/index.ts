import { defineStrategy, featureNeeds, featureRows, META_LABEL_FEATURES, probabilityBetSize, scoredOutput, type Signal } from '../../core/index.js';

const params = {
  modelId: { type: 'string', default: 'meta-label-logit', pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'Registered classifier scoring the meta-label features (meta-label-v1) into P(the primary trade is profitable).' },
  universe: { type: 'symbols', default: ['GLD', 'SLV'], minItems: 1, maxItems: 20, description: 'Instruments traded, each with its own primary side; the budget is split equally among them.' },
  threshold: { type: 'number', min: 0.5, max: 0.95, default: 0.55, description: 'Trades whose P(profitable) is below this are skipped (weight 0).' },
  targetVol: { type: 'number', min: 0.01, max: 1, default: 0.15, description: 'Annualised volatility at which an instrument takes its full size; more volatile ones are scaled by targetVol / vol60.' },
} as const;

/**
 * Meta-labelling (Lopez de Prado 2018, ch. 3 and 10): the primary rule, the 50/200-day moving-average crossover, gives
 * the side; a classifier fitted by the project (`strategy-host models fit meta-label-logit`) gives the probability
 * that this side earns a positive 20-day return; trades below a probability threshold are skipped and the rest are
 * sized by the probability (size = 2Φ(z) - 1, z = (p - 1/2) / sqrt(p(1 - p))), capped by volatility.
 */
export default defineStrategy({
  id: 'meta-labeller-pm',
  version: '1.0.0',
  api: 1,
  summary: 'Meta-labelling: the 50/200-day MA side, filtered and sized by a classifier\'s P(the trade is profitable)',
  params,
  needs(p) {
    const features = featureNeeds(META_LABEL_FEATURES, p.universe);
    return { bars: features.bars, series: features.series, history: features.history, seriesHistory: features.seriesHistory, trades: p.universe };
  },
  models: (p) => [p.modelId],
  features: (ctx, p) => ({ [p.modelId]: featureRows(META_LABEL_FEATURES, ctx, p.universe).rows }),
  init: (): Record<string, never> => ({}),
  evaluate(ctx, p, state) {
    const { symbols, rows } = featureRows(META_LABEL_FEATURES, ctx, p.universe);
    const probabilities = scoredOutput(ctx, p.modelId, rows.length, { name: 'probability', width: 1, perRow: 'one probability', expected: 'an output "probability" of width 1' });
    const n = p.universe.length;
    const signals: Signal[] = p.universe.map((symbol) => {
      const r = symbols.indexOf(symbol);
      if (r < 0) return { symbol, weight: 0, confidence: 0, reason: `meta waiting for history: ${ctx.bars(symbol).length} of ${META_LABEL_FEATURES.barHistory} bars, or VIX/DFII10 (21 values)` };
      const row = rows[r] as number[];
      const side = row[0] as number;
      const vol = Math.exp(row[3] as number);
      const probability = probabilities!.values[r] as number;
      const primary = `meta MA50${side > 0 ? '>=' : '<'}MA200 ${side > 0 ? 'long' : 'short'}, P(profit) ${probability.toFixed(2)}`;
      if (!(probability >= p.threshold)) return { symbol, weight: 0, confidence: Number.isFinite(probability) ? Math.min(1, Math.max(0, probability)) : 0, reason: `${primary} < ${p.threshold}: skip` };
      const size = probabilityBetSize(Math.min(1, probability));
      const volScale = Math.min(1, p.targetVol / vol);
      const weight = (side * size * volScale) / n;
      return { symbol, weight, confidence: Math.min(1, probability), reason: `${primary} -> size ${size.toFixed(2)} x vol scale ${volScale.toFixed(2)} (vol ${(vol * 100).toFixed(0)}%) / ${n} = ${weight.toFixed(3)}` };
    });
    return { signals, state };
  },
});
