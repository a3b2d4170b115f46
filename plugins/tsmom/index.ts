import { bandedWeight, defineStrategy, ewmaVolatility, logReturnStats, sampleVolatility, twoSidedConfidence, type ParamValues, type Signal } from '../../core/index.js';

const params = {
  universe: { type: 'symbols', default: ['GLD', 'SLV', 'PPLT', 'IAU'], minItems: 1, maxItems: 50, description: 'Instruments traded, each on its own trend.' },
  lookbackDays: { type: 'int', min: 20, max: 504, default: 252, description: 'Trading days of the return whose sign sets the direction (252 = 12 months).' },
  skipRecent: { type: 'boolean', default: false, description: 'Leave out the most recent skipDays of the lookback (12-1 momentum).' },
  skipDays: { type: 'int', min: 1, max: 63, default: 21, description: 'Days left out when skipRecent is true.' },
  volEstimator: { type: 'enum', values: ['ewma', 'window'], default: 'ewma', description: 'ewma: exponentially weighted, centre of mass volDays; window: plain std of the last volDays returns.' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Centre of mass (ewma) or window length (window) of the volatility estimate, in days.' },
  targetVol: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility target of the whole plugin; each instrument gets targetVol / n.' },
  rebalanceBand: { type: 'number', min: 0, max: 1, default: 0.1, description: 'Relative no-trade band: the weight changes only when the new target differs from the last weight by more than this fraction of the larger of the two.' },
} as const;

type Params = ParamValues<typeof params>;

export interface TsmomState {
  /** The weight last emitted per symbol: the rebalance band compares new targets with it. */
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * Time-series momentum (Moskowitz, Ooi, Pedersen 2012): per instrument, the sign of its lookback return,
 * sized to an ex-ante volatility target, with a no-trade band against turnover.
 */
export default defineStrategy({
  id: 'tsmom',
  version: '1.0.0',
  api: 1,
  summary: 'Time-series momentum on precious metals: sign of the 12-month return, scaled to a volatility target',
  params,
  needs: (p) => ({ bars: p.universe, history: requiredBars(p) + (p.volEstimator === 'ewma' ? p.volDays : 0) }),
  init: (): TsmomState => ({ weights: {} }),
  evaluate(ctx, p, state) {
    const skipDays = p.skipRecent ? p.skipDays : 0;
    // Metals are strongly correlated (GLD and IAU hold the same metal), so the budget is split as if they were
    // perfectly correlated: n positions at targetVol / n each never exceed targetVol ex ante.
    const instrumentVol = p.targetVol / p.universe.length;
    const weights: Record<string, number> = {};
    const signals: Signal[] = p.universe.map((symbol) => {
      const close = ctx.bars(symbol).close;
      const trend = lookbackReturn(close, p.lookbackDays, skipDays);
      const vol = p.volEstimator === 'ewma' ? ewmaVolatility(close, p.volDays) : sampleVolatility(close, p.volDays);
      if (!trend || !Number.isFinite(vol) || close.length < requiredBars(p)) {
        weights[symbol] = 0;
        return { symbol, weight: 0, confidence: 0, reason: `tsmom waiting for history: ${close.length} of ${requiredBars(p)} bars` };
      }
      const target = vol > 0 ? Math.sign(trend.logReturn) * Math.min(1, instrumentVol / vol) : 0;
      const previous = state.weights[symbol] ?? 0;
      // A relative band (Carver-style buffering): entries, exits and sign flips always trade, resizing of a
      // held position only when it moves by more than rebalanceBand of its size.
      const weight = bandedWeight(target, previous, p.rebalanceBand);
      weights[symbol] = weight;
      const span = `${p.lookbackDays}d${skipDays > 0 ? ` skip ${skipDays}d` : ''}`;
      const held = weight === target ? '' : `, held ${weight.toFixed(2)} (band ${p.rebalanceBand})`;
      return {
        symbol,
        weight,
        confidence: twoSidedConfidence(trend.tStat),
        reason: `tsmom ${span} ret ${percent(Math.expm1(trend.logReturn))}, t ${trend.tStat.toFixed(1)}, vol ${(vol * 100).toFixed(1)}% -> ${target.toFixed(2)}${held}`,
      };
    });
    return { signals, state: { weights } };
  },
});

/** Bars needed for a first signal: the lookback return (with its skip) and a volatility estimate. */
function requiredBars(p: Params): number {
  return Math.max(p.lookbackDays + (p.skipRecent ? p.skipDays : 0), p.volDays) + 1;
}

/** Log return over `lookback` days ending `skip` days before the last close, and its t-statistic. */
function lookbackReturn(close: Float64Array, lookback: number, skip: number): { logReturn: number; tStat: number } | undefined {
  const end = close.length - 1 - skip;
  const start = end - lookback;
  if (start < 0) return undefined;
  const { sum, variance } = logReturnStats(close, lookback, end + 1);
  const sd = Math.sqrt(variance);
  if (!Number.isFinite(sum) || !Number.isFinite(sd)) return undefined;
  // t of the mean daily return; a noiseless trend is capped rather than infinite.
  const tStat = sd > 0 ? sum / (sd * Math.sqrt(lookback)) : Math.sign(sum) * 10;
  return { logReturn: sum, tStat: Math.max(-10, Math.min(10, tStat)) };
}

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}
