import { commonLogRatios, defineStrategy, fadeHysteresis, sampleVolatility, ShError, twoSidedConfidence, volatilityNeutralShares, zScore, type ParamValues, type Signal } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
/** Extra rows fetched beyond windowDays so that a few days missing in one leg still leave windowDays aligned pairs. */
const ALIGNMENT_SLACK = 20;

const params = {
  goldSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold leg.' },
  silverSymbol: { type: 'string', default: 'SLV', pattern: SYMBOL, description: 'The silver leg.' },
  windowDays: { type: 'int', min: 250, max: 756, default: 504, description: 'Days of log(gold/silver) in the z-score (1 to 3 years).' },
  entryZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'Enter when |z| exceeds this.' },
  exitZ: { type: 'number', min: 0, max: 3, default: 0.5, description: 'Leave when z has come back inside this on the side of the trade.' },
  stopLoss: { type: 'boolean', default: true, description: 'Stop out when the ratio runs on to stopZ.' },
  stopZ: { type: 'number', min: 1, max: 10, default: 4, description: 'Stop level of |z|; no re-entry on that side until |z| is back below entryZ.' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in each leg volatility.' },
  grossExposure: { type: 'number', min: 0.1, max: 1, default: 1, description: 'Sum of the absolute leg weights when in a trade.' },
} as const;

type Params = ParamValues<typeof params>;

export interface RatioState {
  /** -1: long silver / short gold; 1: long gold / short silver; 0: flat. */
  readonly side: number;
  /** After a stop, the side that may not be re-entered until |z| is back below entryZ; 0 when none. */
  readonly blockedSide: number;
}

/**
 * Mean reversion of the gold/silver ratio: fade extremes of the z-score of log(gold/silver), volatility-neutral
 * legs, with entry/exit hysteresis and an optional stop.
 */
export default defineStrategy({
  id: 'gold-silver-ratio',
  version: '1.0.0',
  api: 1,
  summary: 'Mean reversion of the gold/silver ratio: fade z-score extremes of log(gold/silver), volatility-neutral legs',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return { bars: [p.goldSymbol, p.silverSymbol], history: Math.max(p.windowDays + ALIGNMENT_SLACK, p.volDays + 1) };
  },
  init: (): RatioState => ({ side: 0, blockedSide: 0 }),
  evaluate(ctx, p, state) {
    const gold = ctx.bars(p.goldSymbol);
    const silver = ctx.bars(p.silverSymbol);
    const ratios = commonLogRatios(gold, silver, p.windowDays);
    const goldVol = sampleVolatility(gold.close, p.volDays);
    const silverVol = sampleVolatility(silver.close, p.volDays);
    if (ratios.length < p.windowDays || !Number.isFinite(goldVol) || !Number.isFinite(silverVol)) {
      const reason = `gsr waiting for history: ${ratios.length} of ${p.windowDays} aligned days`;
      return { signals: legs(p, 0, 0, 0, reason), state: { side: 0, blockedSide: 0 } };
    }
    const { z, last, mean } = zScore(ratios);
    const next = fadeHysteresis(p, state, z);
    // Inverse-volatility legs: each contributes the same volatility, the riskier metal gets the smaller weight.
    const [goldShare, silverShare] = volatilityNeutralShares(goldVol, silverVol);
    const goldWeight = next.side === 0 ? 0 : next.side * p.grossExposure * goldShare;
    const silverWeight = next.side === 0 ? 0 : -next.side * p.grossExposure * silverShare;
    const position = next.side === 0 ? 'flat' : `${silverWeight > 0 ? 'long' : 'short'} ${p.silverSymbol} ${Math.abs(silverWeight).toFixed(2)} / ${goldWeight > 0 ? 'long' : 'short'} ${p.goldSymbol} ${Math.abs(goldWeight).toFixed(2)}`;
    const reason = `gsr z ${signed(z)} (log ratio ${last.toFixed(3)} vs ${p.windowDays}d mean ${mean.toFixed(3)})${next.event}: ${position}, vol ${percent(silverVol)}/${percent(goldVol)}`;
    const confidence = next.side === 0 ? 0 : twoSidedConfidence(z);
    return { signals: legs(p, goldWeight, silverWeight, confidence, reason), state: { side: next.side, blockedSide: next.blockedSide } };
  },
});

function legs(p: Params, goldWeight: number, silverWeight: number, confidence: number, text: string): Signal[] {
  const reason = text.slice(0, 200);
  return [
    { symbol: p.goldSymbol, weight: goldWeight, confidence, reason },
    { symbol: p.silverSymbol, weight: silverWeight, confidence, reason },
  ];
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ShError[] = [];
  const bad = (name: string, received: unknown, expected: string): void => {
    problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, { where: `plugins.settings.gold-silver-ratio.params.${name}`, received, expected }));
  };
  if (p.goldSymbol === p.silverSymbol) bad('silverSymbol', p.silverSymbol, `a symbol other than goldSymbol (${p.goldSymbol})`);
  if (!(p.exitZ < p.entryZ)) bad('exitZ', p.exitZ, `less than entryZ (${p.entryZ})`);
  if (p.stopLoss && !(p.stopZ > p.entryZ)) bad('stopZ', p.stopZ, `greater than entryZ (${p.entryZ})`);
  if (problems.length > 0) throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for gold-silver-ratio`, { where: 'plugins.settings.gold-silver-ratio.params' }, problems);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
