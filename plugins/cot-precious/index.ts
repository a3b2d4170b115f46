import { COT_MARKET_PARAMS, cotMarketNeeds, defineStrategy, describeWeight, evaluateCotMarkets, formatDate, lagDifferences, netShare, sampleVolatility, ShError, unknownMarkets, volatilityTargetSize, waitingForHistoryReason, zScore, type CotMarketOutcome, type CotMarkets, type CotMarketView, type ParamValues, type WeeklyPosition } from '../../core/index.js';

/** COMEX markets with a managed-money (disaggregated COT) series, and the ETF each is traded through. */
const MARKETS: CotMarkets = {
  GC: { cot: 'cot:GC-MM', symbol: 'GLD' },
  SI: { cot: 'cot:SI-MM', symbol: 'SLV' },
};

const params = {
  markets: { type: 'symbols', default: ['GC', 'SI'], minItems: 1, maxItems: 2, description: 'COMEX markets read: GC (cot:GC-MM, traded through GLD) and/or SI (cot:SI-MM, through SLV).' },
  changeWeeks: { type: 'int', min: 1, max: 13, default: 4, description: 'Weeks (reports) of the change in managed money\'s net share of open interest.' },
  zWindowWeeks: { type: 'int', min: 26, max: 520, default: 156, description: 'Weekly changes in the z-score of the latest change.' },
  fullZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'z-score at which a position is at full size (linear below, capped above).' },
  allowShort: { type: 'boolean', default: true, description: 'Short when managed money is selling (negative z); otherwise flat then.' },
  // volTarget, volDays, maxReportAgeDays: the sizing and the stale-series gate of every weekly COT plugin.
  ...COT_MARKET_PARAMS,
} as const;

type Params = ParamValues<typeof params>;

/** One market's position: set when a new report arrives, held until the next one. */
export type MarketPosition = WeeklyPosition;

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
    return cotMarketNeeds(MARKETS, p.markets, p.volDays, reportsNeeded(p));
  },
  init: (): CotPreciousState => ({ positions: {} }),
  evaluate(ctx, p, state) {
    const { signals, positions } = evaluateCotMarkets(ctx, MARKETS, p, state.positions, FLAT, 'cot-mm', (market, previous) => evaluateMarket(market, p, previous));
    return { signals, state: { positions } };
  },
});

/** One market with a recent report (a stale one is flat before this is called). */
function evaluateMarket({ cot, close }: CotMarketView, p: Params, previous: MarketPosition): CotMarketOutcome<MarketPosition> {
  const n = cot.length;
  const needed = reportsNeeded(p);
  const shares = netShare(cot.field('mm_long'), cot.field('mm_short'), cot.field('open_interest'));
  const changes = Array.from(lagDifferences(shares, p.changeWeeks)).filter(Number.isFinite);
  const vol = sampleVolatility(close, p.volDays);
  // z-score of the latest change against all changes; NaN for fewer than 3 of them.
  const z = changes.length < 3 ? Number.NaN : zScore(changes).z;
  if (n < needed || changes.length < p.zWindowWeeks || !Number.isFinite(z) || !Number.isFinite(vol)) {
    return { position: FLAT, confidence: 0, reason: waitingForHistoryReason(n, needed, close.length, p.volDays + 1) };
  }
  const report = cot.time[n - 1] as number;
  const strength = Math.max(-1, Math.min(1, z / p.fullZ));
  const size = volatilityTargetSize(p.volTarget / p.markets.length, vol);
  // Set on a new report, held until the next: a weekly rebalance on a weekly signal.
  const position = report === previous.report ? previous : { weight: (strength < 0 && !p.allowShort ? 0 : strength) * size, report };
  const share = shares[n - 1] as number;
  const change = changes[changes.length - 1] as number;
  return {
    position,
    confidence: position.weight === 0 ? 0 : Math.abs(strength),
    reason: `mm net ${(share * 100).toFixed(1)}% of OI, ${p.changeWeeks}w ${signedPoints(change)} pts, z ${signed(z)}: ${describeWeight(position.weight)} (report ${formatDate(report)}), vol ${(vol * 100).toFixed(0)}%`,
  };
}

/** Reports each evaluation reads: zWindowWeeks changes over changeWeeks reports. */
function reportsNeeded(p: Params): number {
  return p.zWindowWeeks + p.changeWeeks;
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const unknown = unknownMarkets(MARKETS, p.markets);
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
