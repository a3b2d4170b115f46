import { defineStrategy, describeLegs, fadeRuleProblems, pairSignals, ratioFadeHistory, ratioFadeParams, ratioFadeStep, throwIfParamProblems, type FadePosition, type ParamProblem, type ParamValues } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';

const params = {
  goldSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold leg.' },
  silverSymbol: { type: 'string', default: 'SLV', pattern: SYMBOL, description: 'The silver leg.' },
  // windowDays, entryZ, exitZ, stopLoss, stopZ, volDays, grossExposure: what ratioFadeStep reads.
  ...ratioFadeParams('gold/silver'),
} as const;

type Params = ParamValues<typeof params>;

/** side -1: long silver / short gold; 1: long gold / short silver; 0: flat. blockedSide: the side a stop blocks, 0 when none. */
export type RatioState = FadePosition;

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
    return { bars: [p.goldSymbol, p.silverSymbol], history: ratioFadeHistory(p) };
  },
  init: (): RatioState => ({ side: 0, blockedSide: 0 }),
  evaluate(ctx, p, state) {
    const symbols = [p.goldSymbol, p.silverSymbol] as const;
    // Side 1 is long gold / short silver; the legs are inverse-volatility, so the riskier metal gets the smaller weight.
    const step = ratioFadeStep(ctx.bars(p.goldSymbol), ctx.bars(p.silverSymbol), p, state);
    if (!step.ready) {
      const reason = `gsr waiting for history: ${step.alignedDays} of ${p.windowDays} aligned days`;
      return { signals: pairSignals(symbols, [0, 0], 0, reason), state: { side: 0, blockedSide: 0 } };
    }
    const [goldWeight, silverWeight] = step.weights;
    const [goldVol, silverVol] = step.vols;
    const position = step.side === 0 ? 'flat' : describeLegs([p.silverSymbol, p.goldSymbol], [silverWeight, goldWeight]);
    const reason = `gsr z ${signed(step.z)} (log ratio ${step.last.toFixed(3)} vs ${p.windowDays}d mean ${step.mean.toFixed(3)})${step.event}: ${position}, vol ${percent(silverVol)}/${percent(goldVol)}`;
    return { signals: pairSignals(symbols, step.weights, step.confidence, reason), state: { side: step.side, blockedSide: step.blockedSide } };
  },
});

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ParamProblem[] = [];
  if (p.goldSymbol === p.silverSymbol) problems.push({ name: 'silverSymbol', received: p.silverSymbol, expected: `a symbol other than goldSymbol (${p.goldSymbol})` });
  throwIfParamProblems('gold-silver-ratio', [...problems, ...fadeRuleProblems(p)]);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
