import { commonLogRatios, defineStrategy, fadeHysteresis, sampleVolatility, ShError, twoSidedConfidence, volatilityNeutralShares, zScore, type ParamValues, type Signal } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
/** Extra rows fetched beyond windowDays so that a few days missing in one leg still leave windowDays aligned pairs. */
const ALIGNMENT_SLACK = 20;

const params = {
  goldSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold leg.' },
  platinumSymbol: { type: 'string', default: 'PPLT', pattern: SYMBOL, description: 'The platinum leg.' },
  windowDays: { type: 'int', min: 250, max: 756, default: 504, description: 'Days of log(gold/platinum) in the z-score (1 to 3 years).' },
  entryZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'Enter when |z| exceeds this.' },
  exitZ: { type: 'number', min: 0, max: 3, default: 0.5, description: 'Leave when z has come back inside this on the side of the trade.' },
  stopLoss: { type: 'boolean', default: true, description: 'Stop out when the ratio runs on to stopZ.' },
  stopZ: { type: 'number', min: 1, max: 10, default: 4, description: 'Stop level of |z|; no re-entry on that side until |z| is back below entryZ.' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in each leg volatility.' },
  grossExposure: { type: 'number', min: 0.1, max: 1, default: 1, description: 'Sum of the absolute leg weights when in a trade.' },
} as const;

type Params = ParamValues<typeof params>;

export interface GoldPlatinumState {
  /** -1: long platinum / short gold; 1: long gold / short platinum; 0: flat. */
  readonly side: number;
  /** After a stop, the side that may not be re-entered until |z| is back below entryZ; 0 when none. */
  readonly blockedSide: number;
}

/**
 * Relative value between gold and platinum: fade extremes of the z-score of log(gold/platinum), volatility-neutral
 * legs, with entry/exit hysteresis and an optional stop.
 */
export default defineStrategy({
  id: 'gold-platinum',
  version: '1.0.0',
  api: 1,
  summary: 'Gold/platinum relative value: fade z-score extremes of log(gold/platinum), volatility-neutral legs',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return { bars: [p.goldSymbol, p.platinumSymbol], history: Math.max(p.windowDays + ALIGNMENT_SLACK, p.volDays + 1) };
  },
  init: (): GoldPlatinumState => ({ side: 0, blockedSide: 0 }),
  evaluate(ctx, p, state) {
    const gold = ctx.bars(p.goldSymbol);
    const platinum = ctx.bars(p.platinumSymbol);
    const ratios = commonLogRatios(gold, platinum, p.windowDays);
    const goldVol = sampleVolatility(gold.close, p.volDays);
    const platinumVol = sampleVolatility(platinum.close, p.volDays);
    if (ratios.length < p.windowDays || !Number.isFinite(goldVol) || !Number.isFinite(platinumVol)) {
      const reason = `au/pt waiting for history: ${ratios.length} of ${p.windowDays} aligned days`;
      return { signals: legs(p, 0, 0, 0, reason), state: { side: 0, blockedSide: 0 } };
    }
    const { z, last, mean } = zScore(ratios);
    const next = fadeHysteresis(p, state, z);
    // Inverse-volatility legs: each contributes the same volatility, the riskier metal gets the smaller weight.
    const [goldShare, platinumShare] = volatilityNeutralShares(goldVol, platinumVol);
    const goldWeight = next.side === 0 ? 0 : next.side * p.grossExposure * goldShare;
    const platinumWeight = next.side === 0 ? 0 : -next.side * p.grossExposure * platinumShare;
    const position = next.side === 0 ? 'flat' : `${platinumWeight > 0 ? 'long' : 'short'} ${p.platinumSymbol} ${Math.abs(platinumWeight).toFixed(2)} / ${goldWeight > 0 ? 'long' : 'short'} ${p.goldSymbol} ${Math.abs(goldWeight).toFixed(2)}`;
    const reason = `au/pt z ${signed(z)} (log ratio ${last.toFixed(3)} vs ${p.windowDays}d mean ${mean.toFixed(3)})${next.event}: ${position}, vol ${percent(platinumVol)}/${percent(goldVol)}`;
    const confidence = next.side === 0 ? 0 : twoSidedConfidence(z);
    return { signals: legs(p, goldWeight, platinumWeight, confidence, reason), state: { side: next.side, blockedSide: next.blockedSide } };
  },
});

function legs(p: Params, goldWeight: number, platinumWeight: number, confidence: number, text: string): Signal[] {
  const reason = text.slice(0, 200);
  return [
    { symbol: p.goldSymbol, weight: goldWeight, confidence, reason },
    { symbol: p.platinumSymbol, weight: platinumWeight, confidence, reason },
  ];
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ShError[] = [];
  const bad = (name: string, received: unknown, expected: string): void => {
    problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, { where: `plugins.settings.gold-platinum.params.${name}`, received, expected }));
  };
  if (p.goldSymbol === p.platinumSymbol) bad('platinumSymbol', p.platinumSymbol, `a symbol other than goldSymbol (${p.goldSymbol})`);
  if (!(p.exitZ < p.entryZ)) bad('exitZ', p.exitZ, `less than entryZ (${p.entryZ})`);
  if (p.stopLoss && !(p.stopZ > p.entryZ)) bad('stopZ', p.stopZ, `greater than entryZ (${p.entryZ})`);
  if (problems.length > 0) throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for gold-platinum`, { where: 'plugins.settings.gold-platinum.params' }, problems);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
