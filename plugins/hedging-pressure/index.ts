import { COT_MARKET_PARAMS, cotMarketNeeds, defineStrategy, describeWeight, evaluateCotMarkets, formatDate, marketsProblems, netShare, percentileRank, sampleVolatility, throwIfParamProblems, volatilityTargetSize, waitingForHistoryReason, windowMean, zScore, type CotMarketOutcome, type CotMarkets, type CotMarketView, type ParamValues, type SeriesWindow, type WeeklyPosition } from '../../core/index.js';

/** COMEX markets with a legacy COT series, and the ETF each is traded through. */
const MARKETS: CotMarkets = {
  GC: { cot: 'cot:GC', symbol: 'GLD' },
  SI: { cot: 'cot:SI', symbol: 'SLV' },
};

const params = {
  markets: { type: 'symbols', default: ['GC', 'SI'], minItems: 1, maxItems: 2, description: 'COMEX markets read: GC (traded through GLD) and/or SI (through SLV).' },
  lookbackWeeks: { type: 'int', min: 52, max: 520, default: 156, description: 'Weekly reports of hedging pressure its latest value is compared with.' },
  measure: { type: 'enum', values: ['zscore', 'percentile'], default: 'zscore', description: 'zscore: (HP - mean) / std; percentile: the percentile rank mapped to a normal quantile, robust to fat tails.' },
  averageWeeks: { type: 'int', min: 1, max: 26, default: 1, description: 'Reports averaged into the hedging pressure that is compared (1: the latest report only).' },
  entryZ: { type: 'number', min: 0, max: 3, default: 0.5, description: 'A position needs the standardised hedging pressure beyond this.' },
  fullZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'Standardised hedging pressure at which a position is at full size.' },
  allowShort: { type: 'boolean', default: true, description: 'Short when hedging pressure is unusually low and hedgers are net long (a negative premium).' },
  // volTarget, volDays, maxReportAgeDays: the sizing and the stale-series gate of every weekly COT plugin.
  ...COT_MARKET_PARAMS,
} as const;

type Params = ParamValues<typeof params>;

/** One market's position: set when a new report arrives, held until the next one. */
export type MarketPosition = WeeklyPosition;

export interface HedgingPressureState {
  readonly positions: Readonly<Record<string, MarketPosition>>;
}

const FLAT: MarketPosition = { weight: 0, report: null };

/**
 * Hedging pressure (de Roon, Nijman, Veld 2000): commercial hedgers' net short share of their positions. Hedgers who
 * are short pay speculators a risk premium to take the long side; when their pressure is unusually high against its
 * own three-year history the premium is larger: long the metal. Unusually low, with hedgers net long: short.
 */
export default defineStrategy({
  id: 'hedging-pressure',
  version: '1.0.0',
  api: 1,
  summary: 'Hedging pressure (de Roon-Nijman-Veld): long gold/silver when commercials\' net short share is high against its history',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return cotMarketNeeds(MARKETS, p.markets, p.volDays, reportsNeeded(p));
  },
  init: (): HedgingPressureState => ({ positions: {} }),
  evaluate(ctx, p, state) {
    const { signals, positions } = evaluateCotMarkets(ctx, MARKETS, p, state.positions, FLAT, 'hp', (market, previous) => evaluateMarket(market, p, previous));
    return { signals, state: { positions } };
  },
});

/** One market with a recent report (a stale one is flat before this is called). */
function evaluateMarket({ cot, close }: CotMarketView, p: Params, previous: MarketPosition): CotMarketOutcome<MarketPosition> {
  const n = cot.length;
  const needed = reportsNeeded(p);
  const pressure = movingAverage(hedgingPressure(cot), p.averageWeeks).filter(Number.isFinite);
  const vol = sampleVolatility(close, p.volDays);
  if (n < needed || pressure.length < p.lookbackWeeks || !Number.isFinite(vol)) {
    return { position: FLAT, confidence: 0, reason: waitingForHistoryReason(n, needed, close.length, p.volDays + 1) };
  }
  const z = p.measure === 'zscore' ? zScore(pressure).z : normalQuantile(clampedPercentileRank(pressure, 0.5 / pressure.length));
  const hp = pressure[pressure.length - 1] as number;
  // de Roon et al.: the premium has the sign of hedgers' net position. Unusually high pressure while hedgers are net
  // short earns it long; unusually low pressure while hedgers are net long earns it short.
  // Curve component (inactive: no curve:GC series exists yet). With a term structure, the annualised roll yield
  // log(F1 / F2) / (T2 - T1), positive in backwardation, would be standardised the same way and blended into z
  // with its own weight before the direction is taken; see the README.
  const direction = z > p.entryZ && hp > 0 ? 1 : z < -p.entryZ && hp < 0 && p.allowShort ? -1 : 0;
  const strength = direction === 0 ? 0 : Math.min(1, Math.abs(z) / p.fullZ);
  const report = cot.time[n - 1] as number;
  const size = volatilityTargetSize(p.volTarget / p.markets.length, vol);
  // Set on a new report, held until the next: a weekly rebalance on a weekly signal.
  const position = report === previous.report ? previous : { weight: direction * strength * size, report };
  const averaged = p.averageWeeks > 1 ? ` (${p.averageWeeks}w avg)` : '';
  return {
    position,
    confidence: position.weight === 0 ? 0 : strength,
    reason: `hedgers net short ${(hp * 100).toFixed(1)}%${averaged}, ${p.lookbackWeeks}w ${p.measure === 'zscore' ? 'z' : 'pct z'} ${signed(z)}: ${describeWeight(position.weight)} (report ${formatDate(report)}), vol ${(vol * 100).toFixed(0)}%`,
  };
}

/** (comm_short - comm_long) / (comm_long + comm_short) per report: +1 all short, -1 all long; NaN without positions. */
function hedgingPressure(cot: SeriesWindow): Float64Array {
  return netShare(cot.field('comm_short'), cot.field('comm_long'));
}

/** Trailing means of `window` values (the first window - 1 are dropped). */
function movingAverage(values: Float64Array, window: number): number[] {
  const out: number[] = [];
  for (let i = window - 1; i < values.length; i++) out.push(windowMean(values, i - window + 1, i + 1));
  return out;
}

/** Percentile rank of the last value among the earlier ones (ties count half), kept within [edge, 1 - edge]. */
function clampedPercentileRank(values: readonly number[], edge: number): number {
  return Math.min(1 - edge, Math.max(edge, percentileRank(values)));
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9), for 0 < q < 1. */
function normalQuantile(q: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: readonly number[], x: number): number => k.reduce((acc, coefficient) => acc * x + coefficient, 0);
  if (q < low) {
    const t = Math.sqrt(-2 * Math.log(q));
    return poly(c, t) / (poly(d, t) * t + 1);
  }
  if (q > 1 - low) {
    const t = Math.sqrt(-2 * Math.log(1 - q));
    return -poly(c, t) / (poly(d, t) * t + 1);
  }
  const u = q - 0.5;
  const r = u * u;
  return (poly(a, r) * u) / (poly(b, r) * r + 1);
}

/** Reports each evaluation reads: lookbackWeeks averages of averageWeeks reports. */
function reportsNeeded(p: Params): number {
  return p.lookbackWeeks + p.averageWeeks - 1;
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems = marketsProblems(MARKETS, p.markets);
  if (!(p.entryZ < p.fullZ)) problems.push({ name: 'entryZ', received: p.entryZ, expected: `less than fullZ (${p.fullZ})` });
  throwIfParamProblems('hedging-pressure', problems);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
