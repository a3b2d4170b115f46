import { defineStrategy, describeLegs, fadeRuleProblems, pairSignals, ratioFadeHistory, ratioFadeParams, ratioFadeStep, throwIfParamProblems, type FadePosition, type ParamProblem, type ParamValues } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';

const params = {
  goldSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold leg.' },
  platinumSymbol: { type: 'string', default: 'PPLT', pattern: SYMBOL, description: 'The platinum leg.' },
  // windowDays, entryZ, exitZ, stopLoss, stopZ, volDays, grossExposure: what ratioFadeStep reads.
  ...ratioFadeParams('gold/platinum'),
} as const;

type Params = ParamValues<typeof params>;

/** side -1: long platinum / short gold; 1: long gold / short platinum; 0: flat. blockedSide: the side a stop blocks, 0 when none. */
export type GoldPlatinumState = FadePosition;

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
    return { bars: [p.goldSymbol, p.platinumSymbol], history: ratioFadeHistory(p) };
  },
  init: (): GoldPlatinumState => ({ side: 0, blockedSide: 0 }),
  evaluate(ctx, p, state) {
    const symbols = [p.goldSymbol, p.platinumSymbol] as const;
    // Side 1 is long gold / short platinum; the legs are inverse-volatility, so the riskier metal gets the smaller weight.
    const step = ratioFadeStep(ctx.bars(p.goldSymbol), ctx.bars(p.platinumSymbol), p, state);
    if (!step.ready) {
      const reason = `au/pt waiting for history: ${step.alignedDays} of ${p.windowDays} aligned days`;
      return { signals: pairSignals(symbols, [0, 0], 0, reason), state: { side: 0, blockedSide: 0 } };
    }
    const [goldWeight, platinumWeight] = step.weights;
    const [goldVol, platinumVol] = step.vols;
    const position = step.side === 0 ? 'flat' : describeLegs([p.platinumSymbol, p.goldSymbol], [platinumWeight, goldWeight]);
    const reason = `au/pt z ${signed(step.z)} (log ratio ${step.last.toFixed(3)} vs ${p.windowDays}d mean ${step.mean.toFixed(3)})${step.event}: ${position}, vol ${percent(platinumVol)}/${percent(goldVol)}`;
    return { signals: pairSignals(symbols, step.weights, step.confidence, reason), state: { side: step.side, blockedSide: step.blockedSide } };
  },
});

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ParamProblem[] = [];
  if (p.goldSymbol === p.platinumSymbol) problems.push({ name: 'platinumSymbol', received: p.platinumSymbol, expected: `a symbol other than goldSymbol (${p.goldSymbol})` });
  throwIfParamProblems('gold-platinum', [...problems, ...fadeRuleProblems(p)]);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
