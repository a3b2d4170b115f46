import { barsSince, defineStrategy, formatDate, MS_PER_DAY, sampleVolatility, ShError, twoSidedConfidence, volatilityTargetSize, zScore, type BarWindow, type ParamValues, type SeriesWindow } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
const FIX = 'macro:LBMA-GOLD-AM';
/** Extra rows so that London-only and New-York-only holidays still leave windowDays matched days. */
const ALIGNMENT_SLACK = 20;

const params = {
  referenceSymbol: { type: 'string', default: 'GC', pattern: SYMBOL, description: 'The futures (or spot proxy) whose price the fix is compared with.' },
  tradeSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The instrument traded to fade the dislocation (GLD: no multiplier, no roll).' },
  reference: {
    type: 'enum',
    values: ['close', 'open', 'prior-close'],
    default: 'close',
    description: 'Which reference price the fix of day t is compared with: the close of day t, the open of day t, or the close of the day before.',
  },
  windowDays: { type: 'int', min: 20, max: 504, default: 60, description: 'Matched days of the basis log(fix) - log(reference) in the z-score.' },
  entryZ: { type: 'number', min: 1, max: 5, default: 2, description: 'k: fade when |z| of the basis exceeds this.' },
  exitZ: { type: 'number', min: 0, max: 3, default: 0.5, description: 'Leave when the basis z is back inside this on the side of the trade.' },
  maxHoldDays: { type: 'int', min: 0, max: 60, default: 5, description: 'Leave after this many bars of tradeSymbol even if the basis has not come back; 0: no limit.' },
  maxStaleDays: { type: 'number', min: 1, max: 30, default: 5, description: 'Flat when the latest fix matched with a reference price is older than this many calendar days.' },
  targetVol: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of the position; weight = min(1, targetVol / vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 20, description: 'Days of daily returns of tradeSymbol in the volatility estimate.' },
} as const;

type Params = ParamValues<typeof params>;

export interface FixState {
  /** 1 long, -1 short, 0 flat. */
  readonly side: number;
  /** Time of the tradeSymbol bar the trade was entered on; 0 when flat. */
  readonly entryTime: number;
  /** After a time stop, the side not re-entered until |z| is back below entryZ; 0 when none. */
  readonly blockedSide: number;
}

const FLAT: FixState = { side: 0, entryTime: 0, blockedSide: 0 };

/**
 * London fix dislocation: the basis log(LBMA gold AM fix) - log(futures price) z-scored over a window; when the fix
 * stands more than k sigma above the futures, the futures are cheap against the physical benchmark: buy (GLD by
 * default); k sigma below: sell. Exit when the basis is back near its mean, after maxHoldDays, or when the fix is stale.
 */
export default defineStrategy({
  id: 'fix-dislocation',
  version: '1.0.0',
  api: 1,
  summary: 'London gold fix against futures: fade z-score extremes of the basis log(LBMA AM fix) - log(GC), trading GLD',
  params,
  needs: (p) => {
    if (!(p.exitZ < p.entryZ)) {
      throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'parameter exitZ must be less than entryZ', {
        where: 'plugins.settings.fix-dislocation.params.exitZ',
        received: p.exitZ,
        expected: `a number less than entryZ (${p.entryZ})`,
      });
    }
    const history = Math.max(p.windowDays + ALIGNMENT_SLACK + 1, p.volDays + 1, p.maxHoldDays + 1);
    return { bars: [...new Set([p.referenceSymbol, p.tradeSymbol])], series: [FIX], history, seriesHistory: p.windowDays + ALIGNMENT_SLACK, trades: [p.tradeSymbol] };
  },
  init: (): FixState => FLAT,
  evaluate(ctx, p, state) {
    const trade = ctx.bars(p.tradeSymbol);
    const fix = ctx.series(FIX);
    const signal = (weight: number, confidence: number, text: string): { symbol: string; weight: number; confidence: number; reason: string } => ({ symbol: p.tradeSymbol, weight, confidence, reason: `fix ${text}`.slice(0, 200) });
    // The fix ends (LBMA files stop, a publication fails) while bars go on: never trade on an old benchmark.
    const stale = (time: number, what: string): { signals: ReturnType<typeof signal>[]; state: FixState } | undefined => {
      const ageDays = (ctx.now - time) / MS_PER_DAY;
      return ageDays > p.maxStaleDays ? { signals: [signal(0, 0, `stale: ${what} ${formatDate(time)} is ${ageDays.toFixed(1)} days old (max ${p.maxStaleDays}): flat`)], state: FLAT } : undefined;
    };
    const lastFix = fix.length > 0 ? (fix.time[fix.length - 1] as number) : Number.NaN;
    const fixStale = Number.isFinite(lastFix) ? stale(lastFix, 'last fix') : undefined;
    if (fixStale) return fixStale;
    const basis = matchedBasis(fix, ctx.bars(p.referenceSymbol), p);
    const vol = sampleVolatility(trade.close, p.volDays);
    if (basis.values.length < p.windowDays || !Number.isFinite(vol)) {
      return { signals: [signal(0, 0, `waiting for history: ${basis.values.length} of ${p.windowDays} matched days`)], state: FLAT };
    }
    const matchStale = stale(basis.lastTime, `last fix matched with ${p.referenceSymbol} ${p.reference}`);
    if (matchStale) return matchStale;
    const { z, last, mean } = zScore(basis.values);
    const next = decide(p, state, z, trade);
    const size = volatilityTargetSize(p.targetVol, vol);
    const weight = next.side * size;
    const position = next.side === 0 ? 'flat' : `${next.side > 0 ? 'long' : 'short'} ${p.tradeSymbol} ${size.toFixed(2)}`;
    const text = `basis z ${signed(z)} (log fix/${p.referenceSymbol} ${p.reference} ${signedPercent(last)} vs ${p.windowDays}d mean ${signedPercent(mean)}, fix ${formatDate(basis.lastTime)}): ${position}${next.event}, vol ${(vol * 100).toFixed(0)}%`;
    return { signals: [signal(weight, next.side === 0 ? 0 : twoSidedConfidence(z), text)], state: { side: next.side, entryTime: next.entryTime, blockedSide: next.blockedSide } };
  },
});

/**
 * Enter beyond ±entryZ (fix above the futures: long), leave inside exitZ on the side of the trade or after
 * maxHoldDays; after a time stop, do not re-enter that side until |z| is back below entryZ.
 */
function decide(p: Params, state: FixState, z: number, trade: BarWindow): FixState & { event: string } {
  let { side, entryTime, blockedSide } = state;
  let event = '';
  if ((blockedSide === 1 && z < p.entryZ) || (blockedSide === -1 && z > -p.entryZ)) blockedSide = 0;
  // z on the side of the trade: positive while the basis is still stretched in the traded direction.
  const stretch = (s: number): number => s * z;
  if (side !== 0) {
    const held = barsSince(trade.time, entryTime);
    if (stretch(side) < p.exitZ) {
      side = 0;
      event = `, exit inside ${p.exitZ}`;
    } else if (p.maxHoldDays > 0 && held >= p.maxHoldDays) {
      // Still dislocated after maxHoldDays: a level shift (a futures roll, a change in carry), not a dislocation.
      blockedSide = stretch(side) > p.entryZ ? side : 0;
      side = 0;
      event = `, exit after ${held} days`;
    } else {
      event = `, held ${held}d`;
    }
  }
  if (side === 0) {
    for (const candidate of [1, -1]) {
      if (stretch(candidate) > p.entryZ && candidate !== blockedSide) {
        side = candidate;
        entryTime = trade.time[trade.length - 1] as number;
        event += `, enter beyond ${p.entryZ}`;
      }
    }
  }
  return side === 0 ? { side: 0, entryTime: 0, blockedSide, event } : { side, entryTime, blockedSide, event };
}

/**
 * The last windowDays values of log(fix of day t) - log(reference price), oldest first, with the day of the newest.
 * close/open: the reference bar of the same day; prior-close: the close of the last reference bar before day t.
 * A fix without a matching reference bar (a New York holiday) is skipped.
 */
function matchedBasis(fix: SeriesWindow, reference: BarWindow, p: Params): { values: number[]; lastTime: number } {
  const fixValue = fix.field('value');
  const price = p.reference === 'open' ? reference.open : reference.close;
  const values: number[] = [];
  let lastTime = Number.NEGATIVE_INFINITY;
  let j = reference.length - 1;
  for (let i = fix.length - 1; i >= 0 && values.length < p.windowDays; i--) {
    const day = fix.time[i] as number;
    const value = fixValue[i] as number;
    if (p.reference === 'prior-close') while (j >= 0 && (reference.time[j] as number) >= day) j--;
    else while (j >= 0 && (reference.time[j] as number) > day) j--;
    if (j < 0) break;
    if (p.reference !== 'prior-close' && (reference.time[j] as number) !== day) continue;
    const ref = price[j] as number;
    if (!(value > 0) || !(ref > 0)) continue;
    values.push(Math.log(value / ref));
    if (values.length === 1) lastTime = day;
  }
  return { values: values.reverse(), lastTime };
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}
