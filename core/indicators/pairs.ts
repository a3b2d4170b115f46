/*
 * Pairs and spreads: closes on common dates, log ratios, volatility-neutral legs, and the entry/exit/stop
 * hysteresis of a z-score fade.
 */

/** The columns of a bar window that alignment reads (a BarWindow is one). */
export interface DatedCloses {
  readonly time: ArrayLike<number>;
  readonly close: ArrayLike<number>;
}

/**
 * Closes of each window on the last `rows` dates that every window has a bar for, oldest first: `out[k][i]` is
 * window k's close on common date i. Fewer than `rows` when the windows share fewer dates; a date missing in any
 * window is skipped, never filled. Times must increase within each window.
 *
 * @example
 * const a = { time: [1, 2, 3, 4], close: [10, 11, 12, 13] };
 * const b = { time: [1, 3, 4], close: [20, 22, 23] };
 * commonCloses([a, b], 2) // [[12, 13], [22, 23]]: dates 3 and 4 (date 2 is missing in b)
 */
export function commonCloses(windows: readonly DatedCloses[], rows: number): number[][] {
  // Read each column once: a window's columns may be getters.
  const times = windows.map((w) => w.time);
  const closes = windows.map((w) => w.close);
  const out: number[][] = windows.map(() => []);
  const cursor = times.map((time) => time.length - 1);
  const first = out[0];
  while (first !== undefined && first.length < rows) {
    // The newest date every window may still share: the oldest of their current dates.
    let latest = Number.POSITIVE_INFINITY;
    for (let k = 0; k < times.length; k++) {
      if ((cursor[k] as number) < 0) return reversed(out);
      latest = Math.min(latest, (times[k] as ArrayLike<number>)[cursor[k] as number] as number);
    }
    let common = true;
    for (let k = 0; k < times.length; k++) {
      const time = times[k] as ArrayLike<number>;
      let i = cursor[k] as number;
      while (i >= 0 && (time[i] as number) > latest) i--;
      cursor[k] = i;
      if (i < 0) return reversed(out);
      if ((time[i] as number) !== latest) common = false;
    }
    if (!common) continue;
    for (let k = 0; k < times.length; k++) {
      (out[k] as number[]).push((closes[k] as ArrayLike<number>)[cursor[k] as number] as number);
      cursor[k] = (cursor[k] as number) - 1;
    }
  }
  return reversed(out);
}

function reversed(out: number[][]): number[][] {
  for (const column of out) column.reverse();
  return out;
}

/**
 * `log(a / b)` of the closes of two windows on their last `rows` common dates, oldest first (fewer when they share
 * fewer dates): the log price ratio of a pair, e.g. gold/silver.
 *
 * @example commonLogRatios({ time: [1, 2], close: [20, 30] }, { time: [1, 2], close: [10, 10] }, 5) // [log 2, log 3]
 */
export function commonLogRatios(a: DatedCloses, b: DatedCloses, rows: number): number[] {
  const [x, y] = commonCloses([a, b], rows) as [number[], number[]];
  return x.map((value, i) => Math.log(value / (y[i] as number)));
}

/**
 * Volatility-neutral shares of a two-leg position: each leg's share of the gross is the other leg's volatility over
 * the sum, so both legs carry the same volatility and the riskier one gets the smaller share. [0.5, 0.5] unless
 * both volatilities are positive.
 *
 * @example volatilityNeutralShares(0.15, 0.3) // [2/3, 1/3]: silver at twice gold's volatility gets half its weight
 */
export function volatilityNeutralShares(volA: number, volB: number): [number, number] {
  return volA > 0 && volB > 0 ? [volB / (volA + volB), volA / (volA + volB)] : [0.5, 0.5];
}

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
