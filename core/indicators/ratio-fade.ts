import type { ParamSpecOf } from '../plugin/params.js';
import { fadeHysteresis, fadeRuleParams, type FadeDecision, type FadePosition, type FadeRule, type FadeRuleParams } from './fade.js';
import { ALIGNMENT_SLACK_DAYS, commonLogRatios, volatilityNeutralShares, type DatedCloses } from './pairs.js';
import { sampleVolatility } from './volatility.js';
import { twoSidedConfidence, zScore } from './zscore.js';

/*
 * The log-ratio fade of two assets (gold/silver, gold/platinum): z-score of log(a / b) over a window, faded with
 * entry/exit/stop hysteresis, in volatility-neutral legs. One step per evaluation; the plugin keeps the position.
 */

/** The params a ratio fade reads: the fade's thresholds, its two windows and its size. */
export interface RatioFadeSettings extends FadeRule {
  /** Days on which both legs have a bar, of log(a / b), in the z-score. */
  readonly windowDays: number;
  /** Days of daily log returns in each leg's volatility. */
  readonly volDays: number;
  /** Sum of the absolute leg weights in a trade. */
  readonly grossExposure: number;
}

/** The param specs of a ratio fade, as a plugin declares them. */
export interface RatioFadeParams extends FadeRuleParams {
  readonly windowDays: ParamSpecOf<'int'>;
  readonly volDays: ParamSpecOf<'int'>;
  readonly grossExposure: ParamSpecOf<'number'>;
}

/**
 * The params of a ratio fade, to spread into a plugin's params after its two symbols: windowDays (250..756 aligned
 * days, default 504: two years), the fade's thresholds (`fadeRuleParams`), volDays (10..260, default 60) and
 * grossExposure (0.1..1, default 1). `ratio` names the ratio in the windowDays description, e.g. 'gold/silver'.
 *
 * @example const params = { goldSymbol: ..., silverSymbol: ..., ...ratioFadeParams('gold/silver') } as const;
 */
export function ratioFadeParams(ratio: string): RatioFadeParams {
  return {
    windowDays: { type: 'int', min: 250, max: 756, default: 504, description: `Days of log(${ratio}) in the z-score (1 to 3 years).` },
    ...fadeRuleParams('ratio'),
    volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in each leg volatility.' },
    grossExposure: { type: 'number', min: 0.1, max: 1, default: 1, description: 'Sum of the absolute leg weights when in a trade.' },
  };
}

/** Not enough history yet: fewer than windowDays aligned days, or fewer than volDays + 1 closes in a leg. */
export interface RatioFadeWaiting {
  readonly ready: false;
  /** Aligned days available (at most windowDays). */
  readonly alignedDays: number;
}

/** A step of the fade: the next position (side 1 long a / short b) with its weights and what it was decided on. */
export interface RatioFadeStep extends FadeDecision {
  readonly ready: true;
  /** z-score of the last log ratio in the window, the last log ratio and the window mean. */
  readonly z: number;
  readonly last: number;
  readonly mean: number;
  /** Annualised volatility of a and of b. */
  readonly vols: readonly [number, number];
  /** Target weights of a and b; both 0 when flat. */
  readonly weights: readonly [number, number];
  /** P(|N(0,1)| < |z|) in a trade, 0 when flat. */
  readonly confidence: number;
}

/**
 * Bars a ratio fade needs: windowDays aligned days plus ALIGNMENT_SLACK_DAYS for days missing in one leg, and
 * volDays + 1 closes for the volatilities.
 *
 * @example ratioFadeHistory({ windowDays: 504, volDays: 60 }) // 524
 */
export function ratioFadeHistory(settings: Pick<RatioFadeSettings, 'windowDays' | 'volDays'>): number {
  return Math.max(settings.windowDays + ALIGNMENT_SLACK_DAYS, settings.volDays + 1);
}

/**
 * One evaluation of the log-ratio fade of `a` against `b`:
 * 1. `z` of log(a close / b close) over the last windowDays days on which both have a bar;
 * 2. the fade's next position from `position` (`fadeHysteresis`): a high ratio (a rich) is short a / long b;
 * 3. inverse-volatility legs (`volatilityNeutralShares`, volatility of volDays daily log returns): each leg carries the
 *    same volatility, the riskier asset gets the smaller weight; the absolute weights sum to grossExposure.
 * Waiting, with the aligned days found, until windowDays aligned days and both volatilities exist.
 *
 * @example
 * const step = ratioFadeStep(ctx.bars('GLD'), ctx.bars('SLV'), p, state);
 * if (step.ready) step.weights // e.g. [-0.65, 0.35]: short GLD / long SLV after z passed +entryZ
 */
export function ratioFadeStep(a: DatedCloses, b: DatedCloses, settings: RatioFadeSettings, position: FadePosition): RatioFadeWaiting | RatioFadeStep {
  const ratios = commonLogRatios(a, b, settings.windowDays);
  const volA = sampleVolatility(a.close, settings.volDays);
  const volB = sampleVolatility(b.close, settings.volDays);
  if (ratios.length < settings.windowDays || !Number.isFinite(volA) || !Number.isFinite(volB)) return { ready: false, alignedDays: ratios.length };
  const { z, last, mean } = zScore(ratios);
  const next = fadeHysteresis(settings, position, z);
  const [shareA, shareB] = volatilityNeutralShares(volA, volB);
  const weightA = next.side === 0 ? 0 : next.side * settings.grossExposure * shareA;
  const weightB = next.side === 0 ? 0 : -next.side * settings.grossExposure * shareB;
  const confidence = next.side === 0 ? 0 : twoSidedConfidence(z);
  return { ready: true, ...next, z, last, mean, vols: [volA, volB], weights: [weightA, weightB], confidence };
}
