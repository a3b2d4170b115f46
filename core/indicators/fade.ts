import type { ParamProblem, ParamSpecOf } from '../plugin/params.js';

/*
 * The z-score fade of a spread: entry, exit and stop thresholds with hysteresis, their params and the rules between
 * them.
 */

/** Thresholds of a z-score fade, in units of z. */
export interface FadeRule {
  /** Enter when |z| exceeds this. */
  readonly entryZ: number;
  /** Leave when z is back inside this, on the side of the trade. */
  readonly exitZ: number;
  /** Whether to stop out at stopZ. */
  readonly stopLoss: boolean;
  /** Stop when |z| runs on beyond this; no re-entry on that side until |z| is back below entryZ. */
  readonly stopZ: number;
}

/** A fade's position: side 1 is long the spread (entered at a low z), -1 short (at a high z), 0 flat. */
export interface FadePosition {
  readonly side: number;
  /** After a stop, the side that may not be re-entered until |z| is back below entryZ; 0 when none. */
  readonly blockedSide: number;
}

/** The next position of a fade, and what happened (`, exit inside 0.5`, `, enter beyond 2`, or ''). */
export interface FadeDecision extends FadePosition {
  readonly event: string;
}

/**
 * One step of a z-score fade with hysteresis: short the spread beyond +entryZ, long beyond -entryZ; leave once z is
 * back inside exitZ on the side of the trade; with stopLoss, stop beyond stopZ and block that side until |z| is back
 * below entryZ. An exit and a new entry can happen on the same step.
 *
 * @example
 * const rule = { entryZ: 2, exitZ: 0.5, stopLoss: true, stopZ: 4 };
 * fadeHysteresis(rule, { side: 0, blockedSide: 0 }, 2.5) // { side: -1, blockedSide: 0, event: ', enter beyond 2' }
 * fadeHysteresis(rule, { side: -1, blockedSide: 0 }, 4.5) // { side: 0, blockedSide: -1, event: ', stopped beyond 4' }
 */
export function fadeHysteresis(rule: FadeRule, position: FadePosition, z: number): FadeDecision {
  let side = position.side;
  let blockedSide = position.blockedSide;
  let event = '';
  if (blockedSide === -1 && z < rule.entryZ) blockedSide = 0;
  if (blockedSide === 1 && z > -rule.entryZ) blockedSide = 0;
  // z measured on the side of the trade: positive while the spread is still stretched in the traded direction.
  const stretch = (s: number): number => -s * z;
  if (side !== 0) {
    if (rule.stopLoss && stretch(side) > rule.stopZ) {
      blockedSide = side;
      side = 0;
      event = `, stopped beyond ${rule.stopZ}`;
    } else if (stretch(side) < rule.exitZ) {
      side = 0;
      event = `, exit inside ${rule.exitZ}`;
    }
  }
  if (side === 0) {
    for (const candidate of [-1, 1]) {
      const s = stretch(candidate);
      if (s > rule.entryZ && candidate !== blockedSide && !(rule.stopLoss && s > rule.stopZ)) {
        side = candidate;
        event += `, enter beyond ${rule.entryZ}`;
      }
    }
  }
  return { side, blockedSide, event };
}

/**
 * The rules between a fade's thresholds that per-parameter bounds cannot express: `exitZ < entryZ` (otherwise a
 * trade would be left as soon as it is entered) and, with `stopLoss`, `stopZ > entryZ` (otherwise no entry is
 * possible). One problem per broken rule, named after the param to change, for `throwIfParamProblems`; the params
 * must carry the FadeRule's names.
 *
 * @example fadeRuleProblems({ entryZ: 2, exitZ: 3, stopLoss: true, stopZ: 4 }) // [{ name: 'exitZ', received: 3, expected: 'less than entryZ (2)' }]
 */
export function fadeRuleProblems(rule: FadeRule): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (!(rule.exitZ < rule.entryZ)) problems.push({ name: 'exitZ', received: rule.exitZ, expected: `less than entryZ (${rule.entryZ})` });
  if (rule.stopLoss && !(rule.stopZ > rule.entryZ)) problems.push({ name: 'stopZ', received: rule.stopZ, expected: `greater than entryZ (${rule.entryZ})` });
  return problems;
}

/** The param specs of a FadeRule, as a plugin declares them. */
export interface FadeRuleParams {
  readonly entryZ: ParamSpecOf<'number'>;
  readonly exitZ: ParamSpecOf<'number'>;
  readonly stopLoss: ParamSpecOf<'boolean'>;
  readonly stopZ: ParamSpecOf<'number'>;
}

/**
 * The params of a fade's thresholds, to spread into a plugin's params: entryZ (0.5..5, default 2: Gatev, Goetzmann
 * and Rouwenhorst 2006 open pairs at two standard deviations), exitZ (0..3, default 0.5), stopLoss (default on) and
 * stopZ (1..10, default 4). `spread` names what the stop watches in the stopLoss description ('ratio', 'spread').
 * Check the rules between them with `fadeRuleProblems`.
 *
 * @example const params = { windowDays: { type: 'int', default: 60 }, ...fadeRuleParams('spread') } as const;
 */
export function fadeRuleParams(spread: string): FadeRuleParams {
  return {
    entryZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'Enter when |z| exceeds this.' },
    exitZ: { type: 'number', min: 0, max: 3, default: 0.5, description: 'Leave when z has come back inside this on the side of the trade.' },
    stopLoss: { type: 'boolean', default: true, description: `Stop out when the ${spread} runs on to stopZ.` },
    stopZ: { type: 'number', min: 1, max: 10, default: 4, description: 'Stop level of |z|; no re-entry on that side until |z| is back below entryZ.' },
  };
}
