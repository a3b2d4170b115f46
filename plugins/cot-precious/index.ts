import { defineStrategy, formatDate, lagDifferences, netShare, reportIsStale, sampleVolatility, ShError, volatilityTargetSize, zScore, type ParamValues, type SeriesWindow, type Signal } from '../../core/index.js';

/** COMEX markets with a managed-money (disaggregated COT) series, and the ETF each is traded through. */
const MARKETS: Readonly<Record<string, { readonly cot: string; readonly symbol: string }>> = {
  GC: { cot: 'cot:GC-MM', symbol: 'GLD' },
  SI: { cot: 'cot:SI-MM', symbol: 'SLV' },
};

const params = {
  markets: { type: 'symbols', default: ['GC', 'SI'], minItems: 1, maxItems: 2, description: 'COMEX markets read: GC (cot:GC-MM, traded through GLD) and/or SI (cot:SI-MM, through SLV).' },
  changeWeeks: { type: 'int', min: 1, max: 13, default: 4, description: 'Weeks (reports) of the change in managed money\'s net share of open interest.' },
  zWindowWeeks: { type: 'int', min: 26, max: 520, default: 156, description: 'Weekly changes in the z-score of the latest change.' },
  fullZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'z-score at which a position is at full size (linear below, capped above).' },
  allowShort: { type: 'boolean', default: true, description: 'Short when managed money is selling (negative z); otherwise flat then.' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility target of the plugin; each market gets volTarget / n, weight capped at 1.' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in each ETF\'s volatility estimate.' },
  maxReportAgeDays: { type: 'int', min: 7, max: 90, default: 21, description: 'Flat when the latest report describes a Tuesday older than this many days (a series that has stopped).' },
} as const;

type Params = ParamValues<typeof params>;

/** One market's position: set when a new report arrives, held until the next one. */
export interface MarketPosition {
  readonly weight: number;
  /** Time (the Tuesday) of the report the weight was set on; null before the first. */
  readonly report: number | null;
}

export interface CotPreciousState {
  readonly positions: Readonly<Record<string, MarketPosition>>;
}

const FLAT: MarketPosition = { weight: 0, report: null };

/**
 * Managed-money flow momentum in gold and silver: the change of managed money's net position (as a share of open
 * interest) over the last few reports, z-scored against its own history; follow it (buying: long, selling: short).
 */
export default defineStrategy({
  id: 'cot-precious',
  version: '1.0.0',
  api: 1,
  summary: 'Managed-money flow momentum: z-score of the 4-week change of the net share of open interest, in gold and silver',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return {
      bars: p.markets.map((m) => (MARKETS[m] as { symbol: string }).symbol),
      series: p.markets.map((m) => (MARKETS[m] as { cot: string }).cot),
      history: p.volDays + 1,
      seriesHistory: p.zWindowWeeks + p.changeWeeks,
    };
  },
  init: (): CotPreciousState => ({ positions: {} }),
  evaluate(ctx, p, state) {
    const positions: Record<string, MarketPosition> = {};
    const signals: Signal[] = p.markets.map((market) => {
      const { cot, symbol } = MARKETS[market] as { cot: string; symbol: string };
      const outcome = evaluateMarket(ctx.now, ctx.series(cot), ctx.bars(symbol).close, p, state.positions[market] ?? FLAT);
      positions[market] = outcome.position;
      return { symbol, weight: outcome.position.weight, confidence: outcome.confidence, reason: `cot-mm ${market} ${outcome.reason}`.slice(0, 200) };
    });
    return { signals, state: { positions } };
  },
});

function evaluateMarket(now: number, cot: SeriesWindow, close: Float64Array, p: Params, previous: MarketPosition): { position: MarketPosition; confidence: number; reason: string } {
  const n = cot.length;
  if (reportIsStale(now, cot, p.maxReportAgeDays)) {
    return { position: FLAT, confidence: 0, reason: `stale: last report ${formatDate(cot.time[n - 1] as number)}, older than ${p.maxReportAgeDays}d` };
  }
  const needed = p.zWindowWeeks + p.changeWeeks;
  const shares = netShare(cot.field('mm_long'), cot.field('mm_short'), cot.field('open_interest'));
  const changes = Array.from(lagDifferences(shares, p.changeWeeks)).filter(Number.isFinite);
  const vol = sampleVolatility(close, p.volDays);
  // z-score of the latest change against all changes; NaN for fewer than 3 of them.
  const z = changes.length < 3 ? Number.NaN : zScore(changes).z;
  if (n < needed || changes.length < p.zWindowWeeks || !Number.isFinite(z) || !Number.isFinite(vol)) {
    const barsShort = close.length < p.volDays + 1 ? `, ${close.length} of ${p.volDays + 1} bars` : '';
    return { position: FLAT, confidence: 0, reason: `waiting for history: ${n} of ${needed} reports${barsShort}` };
  }
  const report = cot.time[n - 1] as number;
  const strength = Math.max(-1, Math.min(1, z / p.fullZ));
  let position = previous;
  if (report !== previous.report) {
    const size = volatilityTargetSize(p.volTarget / p.markets.length, vol);
    position = { weight: (strength < 0 && !p.allowShort ? 0 : strength) * size, report };
  }
  const share = shares[n - 1] as number;
  const change = changes[changes.length - 1] as number;
  const view = position.weight === 0 ? 'flat' : `${position.weight > 0 ? 'long' : 'short'} ${Math.abs(position.weight).toFixed(2)}`;
  return {
    position,
    confidence: position.weight === 0 ? 0 : Math.abs(strength),
    reason: `mm net ${(share * 100).toFixed(1)}% of OI, ${p.changeWeeks}w ${signedPoints(change)} pts, z ${signed(z)}: ${view} (report ${formatDate(report)}), vol ${(vol * 100).toFixed(0)}%`,
  };
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const unknown = p.markets.filter((m) => !(m in MARKETS));
  if (unknown.length > 0) {
    throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter markets names ${unknown.join(', ')}, which has no managed-money series`, {
      where: 'plugins.settings.cot-precious.params.markets',
      received: p.markets,
      expected: `markets among ${Object.keys(MARKETS).join(', ')}`,
      fix: 'Use GC and/or SI; with the real data, which has no cot:SI-MM, use ["GC"].',
    });
  }
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

/** A share as signed percentage points. */
function signedPoints(share: number): string {
  return `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}`;
}
