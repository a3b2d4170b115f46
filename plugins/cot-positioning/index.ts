import { COT_MARKET_PARAMS, cotMarketNeeds, defineStrategy, describeWeight, evaluateCotMarkets, formatDate, legacyOpenInterest, marketsProblems, netShare, percentileRank, sampleVolatility, throwIfParamProblems, volatilityTargetSize, waitingForHistoryReason, type CotMarketOutcome, type CotMarkets, type CotMarketView, type ParamValues, type SeriesWindow, type WeeklyPosition } from '../../core/index.js';

/** COMEX markets with a legacy COT series, and the ETF each is traded through. */
const MARKETS: CotMarkets = {
  GC: { cot: 'cot:GC', symbol: 'GLD' },
  SI: { cot: 'cot:SI', symbol: 'SLV' },
};

const params = {
  markets: { type: 'symbols', default: ['GC', 'SI'], minItems: 1, maxItems: 2, description: 'COMEX markets read: GC (traded through GLD) and/or SI (through SLV).' },
  lookbackWeeks: { type: 'int', min: 52, max: 520, default: 156, description: 'Weekly reports in the percentile rank of the speculators\' net share of open interest.' },
  upperPercentile: { type: 'number', min: 0.5, max: 1, default: 0.9, description: 'Speculators crowded long at or above this percentile: short (or flat without allowShort).' },
  lowerPercentile: { type: 'number', min: 0, max: 0.5, default: 0.1, description: 'Speculators crowded short at or below this percentile: long.' },
  exitBand: { type: 'number', min: 0, max: 0.4, default: 0, description: 'A trade is left once the percentile is back within this distance of the median (0: at the median).' },
  allowShort: { type: 'boolean', default: true, description: 'Short at the upper extreme (otherwise flat there: underweight against a long holder).' },
  // volTarget, volDays, maxReportAgeDays: the sizing and the stale-series gate of every weekly COT plugin.
  ...COT_MARKET_PARAMS,
} as const;

type Params = ParamValues<typeof params>;

/** One market's trade. Weights are set when a new report arrives and held until the next one. */
export interface MarketPosition extends WeeklyPosition {
  /** 1 long, -1 short, 0 flat. */
  readonly side: number;
}

export interface CotPositioningState {
  readonly positions: Readonly<Record<string, MarketPosition>>;
}

const FLAT: MarketPosition = { side: 0, weight: 0, report: null };

/**
 * Contrarian COT: the speculators' (non-commercial) net long as a share of open interest, ranked against the last
 * three years of reports; fade the extremes (crowded long: short; crowded short: long), leave toward the median.
 */
export default defineStrategy({
  id: 'cot-positioning',
  version: '1.0.0',
  api: 1,
  summary: 'Contrarian COT: fade extremes of the speculators\' net share of open interest (3-year percentile) in gold and silver',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return cotMarketNeeds(MARKETS, p.markets, p.volDays, p.lookbackWeeks);
  },
  init: (): CotPositioningState => ({ positions: {} }),
  evaluate(ctx, p, state) {
    const { signals, positions } = evaluateCotMarkets(ctx, MARKETS, p, state.positions, FLAT, 'cot', (market, previous) => evaluateMarket(market, p, previous));
    return { signals, state: { positions } };
  },
});

/** One market with a recent report (a stale one is flat before this is called). */
function evaluateMarket({ cot, close }: CotMarketView, p: Params, previous: MarketPosition): CotMarketOutcome<MarketPosition> {
  const n = cot.length;
  const shares = speculatorNetShares(cot);
  const vol = sampleVolatility(close, p.volDays);
  const last = shares[n - 1] as number;
  if (n < p.lookbackWeeks || !Number.isFinite(last) || !Number.isFinite(vol)) {
    return { position: FLAT, confidence: 0, reason: waitingForHistoryReason(n, p.lookbackWeeks, close.length, p.volDays + 1) };
  }
  const percentile = percentileRank(shares);
  const report = cot.time[n - 1] as number;
  let position = previous;
  let event = `as of report ${formatDate(report)}`;
  if (report !== previous.report) {
    const side = nextSide(previous.side, percentile, p);
    const size = volatilityTargetSize(p.volTarget / p.markets.length, vol);
    event = side === previous.side ? (side === 0 ? 'no extreme' : 'holding') : side === 0 ? 'exit toward the median' : `enter beyond ${side > 0 ? p.lowerPercentile : p.upperPercentile}`;
    position = { side, weight: side * size, report };
  }
  const crowd = percentile >= p.upperPercentile && !p.allowShort && position.side === 0 ? ', crowded long (no shorts)' : '';
  return {
    position,
    confidence: position.side === 0 ? 0 : Math.min(1, 2 * Math.abs(percentile - 0.5)),
    reason: `spec net ${(last * 100).toFixed(1)}% of OI, ${p.lookbackWeeks}w pct ${percentile.toFixed(2)}: ${describeWeight(position.weight, position.side)} (${event})${crowd}, vol ${(vol * 100).toFixed(0)}%`,
  };
}

/** The hysteresis: enter at an extreme, leave once back within exitBand of the median. */
function nextSide(side: number, percentile: number, p: Params): number {
  if (side < 0 && percentile <= 0.5 + p.exitBand) side = 0;
  if (side > 0 && percentile >= 0.5 - p.exitBand) side = 0;
  if (side === 0) {
    if (percentile >= p.upperPercentile && p.allowShort) return -1;
    if (percentile <= p.lowerPercentile) return 1;
  }
  return side;
}

/**
 * Speculators' net long over open interest, per report. Open interest is spec_long + comm_long + nonrept_long (every
 * contract has one long side), which both the real legacy files and the synthetic world carry.
 */
function speculatorNetShares(cot: SeriesWindow): Float64Array {
  return netShare(cot.field('spec_long'), cot.field('spec_short'), legacyOpenInterest(cot));
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems = marketsProblems(MARKETS, p.markets);
  if (!(p.upperPercentile > 0.5 + p.exitBand)) problems.push({ name: 'upperPercentile', received: p.upperPercentile, expected: `above 0.5 + exitBand (${0.5 + p.exitBand})` });
  if (!(p.lowerPercentile < 0.5 - p.exitBand)) problems.push({ name: 'lowerPercentile', received: p.lowerPercentile, expected: `below 0.5 - exitBand (${0.5 - p.exitBand})` });
  throwIfParamProblems('cot-positioning', problems);
}
