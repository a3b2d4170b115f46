import { ALIGNMENT_SLACK_DAYS, commonCloses, defineStrategy, describeLegs, fadeHysteresis, fadeRuleParams, fadeRuleProblems, pairSignals, throwIfParamProblems, twoSidedConfidence, volatilityFromVariance, zScore, type BarWindow, type FadePosition, type ParamProblem, type ParamValues } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';

const params = {
  minersSymbol: { type: 'string', default: 'GDX', pattern: SYMBOL, description: 'The miners leg (regressed on the metal).' },
  metalSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The metal leg (the hedge).' },
  betaDays: { type: 'int', min: 20, max: 504, default: 60, description: 'Aligned days of daily log returns in the OLS beta of miners on metal.' },
  windowDays: { type: 'int', min: 20, max: 504, default: 60, description: 'Aligned days of the residual spread log(miners) - beta log(metal) in the z-score.' },
  ...fadeRuleParams('spread'),
  targetVol: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of the hedged position, from the residual volatility.' },
  maxGross: { type: 'number', min: 0.1, max: 1, default: 1, description: 'Cap on the sum of the absolute leg weights.' },
} as const;

type Params = ParamValues<typeof params>;

/** side 1: long miners / short metal; -1: short miners / long metal; 0: flat. blockedSide: the side a stop blocks, 0 when none. */
export type MinersState = FadePosition;

/**
 * Miners against the metal: the OLS beta of miners' daily log returns on the metal's, the residual spread
 * log(miners) - beta log(metal) z-scored over a window, faded at extremes with beta-hedged legs sized to a
 * volatility target from the residual volatility.
 */
export default defineStrategy({
  id: 'miners-vs-metal',
  version: '1.0.0',
  api: 1,
  summary: 'Gold miners against gold: fade z-score extremes of the beta-hedged residual spread of GDX on GLD',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return { bars: [p.minersSymbol, p.metalSymbol], history: requiredDays(p) + ALIGNMENT_SLACK_DAYS };
  },
  init: (): MinersState => ({ side: 0, blockedSide: 0 }),
  evaluate(ctx, p, state) {
    const symbols = [p.minersSymbol, p.metalSymbol] as const;
    const prices = alignedLogPrices(ctx.bars(p.minersSymbol), ctx.bars(p.metalSymbol), requiredDays(p));
    if (prices.miners.length < requiredDays(p)) {
      return { signals: pairSignals(symbols, [0, 0], 0, `gdx/gld waiting for history: ${prices.miners.length} of ${requiredDays(p)} aligned days`), state: { side: 0, blockedSide: 0 } };
    }
    const fit = regressReturns(prices.miners, prices.metal, p.betaDays);
    if (!(fit.beta > 0) || !(fit.residualVol > 0)) {
      const reason = `gdx/gld beta ${fit.beta.toFixed(2)}, residual vol ${percent(fit.residualVol)}: no positive hedge ratio, flat`;
      return { signals: pairSignals(symbols, [0, 0], 0, reason), state: { side: 0, blockedSide: state.blockedSide } };
    }
    const spread = residualSpread(prices.miners, prices.metal, fit.beta, p.windowDays);
    const { z, mean, last } = zScore(spread);
    const next = fadeHysteresis(p, state, z);
    // Per unit of miners, beta units of metal hedge the common gold exposure; the hedged unit's volatility is the
    // residual volatility, so minersSize = targetVol / residualVol puts the pair at the target, within maxGross.
    const minersSize = Math.min(p.targetVol / fit.residualVol, p.maxGross / (1 + fit.beta));
    const minersWeight = next.side === 0 ? 0 : next.side * minersSize;
    const metalWeight = next.side === 0 ? 0 : -next.side * fit.beta * minersSize;
    const position = next.side === 0 ? 'flat' : describeLegs(symbols, [minersWeight, metalWeight]);
    const reason = `gdx/gld z ${signed(z)} (spread ${last.toFixed(3)} vs ${p.windowDays}d mean ${mean.toFixed(3)}, beta ${fit.beta.toFixed(2)})${next.event}: ${position}, resid vol ${percent(fit.residualVol)}`;
    const confidence = next.side === 0 ? 0 : twoSidedConfidence(z);
    return { signals: pairSignals(symbols, [minersWeight, metalWeight], confidence, reason), state: { side: next.side, blockedSide: next.blockedSide } };
  },
});

/** Aligned days needed: betaDays returns (betaDays + 1 prices) and windowDays spread values. */
function requiredDays(p: Params): number {
  return Math.max(p.betaDays + 1, p.windowDays);
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ParamProblem[] = [];
  if (p.minersSymbol === p.metalSymbol) problems.push({ name: 'metalSymbol', received: p.metalSymbol, expected: `a symbol other than minersSymbol (${p.minersSymbol})` });
  throwIfParamProblems('miners-vs-metal', [...problems, ...fadeRuleProblems(p)]);
}

/** Log closes of the last `rows` days on which both legs have a bar, oldest first. */
function alignedLogPrices(miners: BarWindow, metal: BarWindow, rows: number): { miners: number[]; metal: number[] } {
  const [a, b] = commonCloses([miners, metal], rows) as [number[], number[]];
  return { miners: a.map((close) => Math.log(close)), metal: b.map((close) => Math.log(close)) };
}

/**
 * OLS with intercept of the last `days` daily log returns of miners on metal: beta, and the annualised std of
 * the residual returns (miners - beta x metal, demeaned), the volatility of a beta-hedged unit of miners.
 */
function regressReturns(miners: readonly number[], metal: readonly number[], days: number): { beta: number; residualVol: number } {
  const n = miners.length;
  let sumX = 0;
  let sumY = 0;
  for (let k = n - days; k < n; k++) {
    sumY += (miners[k] as number) - (miners[k - 1] as number);
    sumX += (metal[k] as number) - (metal[k - 1] as number);
  }
  const meanX = sumX / days;
  const meanY = sumY / days;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let k = n - days; k < n; k++) {
    const x = (metal[k] as number) - (metal[k - 1] as number) - meanX;
    const y = (miners[k] as number) - (miners[k - 1] as number) - meanY;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  // Residual sum of squares of the fit, with two fitted parameters.
  const residualVariance = Math.max(0, syy - beta * sxy) / Math.max(1, days - 2);
  return { beta, residualVol: volatilityFromVariance(residualVariance) };
}

/** log(miners) - beta log(metal) over the last `days` aligned days, with the current beta for the whole window. */
function residualSpread(miners: readonly number[], metal: readonly number[], beta: number, days: number): number[] {
  const n = miners.length;
  const out: number[] = [];
  for (let k = n - days; k < n; k++) out.push((miners[k] as number) - beta * (metal[k] as number));
  return out;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
