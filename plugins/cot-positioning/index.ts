import { defineStrategy, formatDate, legacyOpenInterest, netShare, percentileRank, reportIsStale, sampleVolatility, ShError, volatilityTargetSize, type ParamValues, type SeriesWindow, type Signal } from '../../core/index.js';

/** COMEX markets with a legacy COT series, and the ETF each is traded through. */
const MARKETS: Readonly<Record<string, { readonly cot: string; readonly symbol: string }>> = {
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
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility target of the plugin; each market gets volTarget / n, weight capped at 1.' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in each ETF\'s volatility estimate.' },
  maxReportAgeDays: { type: 'int', min: 7, max: 90, default: 21, description: 'Flat when the latest report describes a Tuesday older than this many days (a series that has stopped).' },
} as const;

type Params = ParamValues<typeof params>;

/** One market's trade. Weights are set when a new report arrives and held until the next one. */
export interface MarketPosition {
  /** 1 long, -1 short, 0 flat. */
  readonly side: number;
  readonly weight: number;
  /** Time (the Tuesday) of the report the weight was set on; null before the first. */
  readonly report: number | null;
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
    return {
      bars: p.markets.map((m) => (MARKETS[m] as { symbol: string }).symbol),
      series: p.markets.map((m) => (MARKETS[m] as { cot: string }).cot),
      history: p.volDays + 1,
      seriesHistory: p.lookbackWeeks,
    };
  },
  init: (): CotPositioningState => ({ positions: {} }),
  evaluate(ctx, p, state) {
    const positions: Record<string, MarketPosition> = {};
    const signals: Signal[] = p.markets.map((market) => {
      const { cot, symbol } = MARKETS[market] as { cot: string; symbol: string };
      const outcome = evaluateMarket(ctx.now, ctx.series(cot), ctx.bars(symbol).close, p, state.positions[market] ?? FLAT);
      positions[market] = outcome.position;
      return { symbol, weight: outcome.position.weight, confidence: outcome.confidence, reason: `cot ${market} ${outcome.reason}`.slice(0, 200) };
    });
    return { signals, state: { positions } };
  },
});

function evaluateMarket(now: number, cot: SeriesWindow, close: Float64Array, p: Params, previous: MarketPosition): { position: MarketPosition; confidence: number; reason: string } {
  const n = cot.length;
  if (reportIsStale(now, cot, p.maxReportAgeDays)) {
    return { position: FLAT, confidence: 0, reason: `stale: last report ${formatDate(cot.time[n - 1] as number)}, older than ${p.maxReportAgeDays}d` };
  }
  const shares = speculatorNetShares(cot);
  const vol = sampleVolatility(close, p.volDays);
  const last = shares[n - 1] as number;
  if (n < p.lookbackWeeks || !Number.isFinite(last) || !Number.isFinite(vol)) {
    const barsShort = close.length < p.volDays + 1 ? `, ${close.length} of ${p.volDays + 1} bars` : '';
    return { position: FLAT, confidence: 0, reason: `waiting for history: ${n} of ${p.lookbackWeeks} reports${barsShort}` };
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
  const view = position.side === 0 ? 'flat' : `${position.side > 0 ? 'long' : 'short'} ${Math.abs(position.weight).toFixed(2)}`;
  const crowd = percentile >= p.upperPercentile && !p.allowShort && position.side === 0 ? ', crowded long (no shorts)' : '';
  return {
    position,
    confidence: position.side === 0 ? 0 : Math.min(1, 2 * Math.abs(percentile - 0.5)),
    reason: `spec net ${(last * 100).toFixed(1)}% of OI, ${p.lookbackWeeks}w pct ${percentile.toFixed(2)}: ${view} (${event})${crowd}, vol ${(vol * 100).toFixed(0)}%`,
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
  const problems: ShError[] = [];
  const bad = (name: string, received: unknown, expected: string): void => {
    problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, { where: `plugins.settings.cot-positioning.params.${name}`, received, expected }));
  };
  const unknown = p.markets.filter((m) => !(m in MARKETS));
  if (unknown.length > 0) bad('markets', p.markets, `markets among ${Object.keys(MARKETS).join(', ')}`);
  if (!(p.upperPercentile > 0.5 + p.exitBand)) bad('upperPercentile', p.upperPercentile, `above 0.5 + exitBand (${0.5 + p.exitBand})`);
  if (!(p.lowerPercentile < 0.5 - p.exitBand)) bad('lowerPercentile', p.lowerPercentile, `below 0.5 - exitBand (${0.5 - p.exitBand})`);
  if (problems.length > 0) throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for cot-positioning`, { where: 'plugins.settings.cot-positioning.params' }, problems);
}
