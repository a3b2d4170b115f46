import { defineStrategy, ShError, type BarWindow, type ParamValues, type Signal } from '../../core/index.js';

const TRADING_DAYS = 252;
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

/** Sides of the ratio trade: SHORT_RATIO = long platinum / short gold (ratio high, platinum cheap), LONG_RATIO the reverse. */
const SHORT_RATIO = -1;
const LONG_RATIO = 1;

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
    const ratios = alignedLogRatios(gold, platinum, p.windowDays);
    const goldVol = volatility(gold.close, p.volDays);
    const platinumVol = volatility(platinum.close, p.volDays);
    if (ratios.length < p.windowDays || !Number.isFinite(goldVol) || !Number.isFinite(platinumVol)) {
      const reason = `au/pt waiting for history: ${ratios.length} of ${p.windowDays} aligned days`;
      return { signals: legs(p, 0, 0, 0, reason), state: { side: 0, blockedSide: 0 } };
    }
    const { z, last, mean } = zScore(ratios);
    const next = decide(p, state, z);
    // Inverse-volatility legs: each contributes the same volatility, the riskier metal gets the smaller weight.
    const [goldShare, platinumShare] = goldVol > 0 && platinumVol > 0 ? [platinumVol / (goldVol + platinumVol), goldVol / (goldVol + platinumVol)] : [0.5, 0.5];
    const goldWeight = next.side === 0 ? 0 : next.side * p.grossExposure * goldShare;
    const platinumWeight = next.side === 0 ? 0 : -next.side * p.grossExposure * platinumShare;
    const position = next.side === 0 ? 'flat' : `${platinumWeight > 0 ? 'long' : 'short'} ${p.platinumSymbol} ${Math.abs(platinumWeight).toFixed(2)} / ${goldWeight > 0 ? 'long' : 'short'} ${p.goldSymbol} ${Math.abs(goldWeight).toFixed(2)}`;
    const reason = `au/pt z ${signed(z)} (log ratio ${last.toFixed(3)} vs ${p.windowDays}d mean ${mean.toFixed(3)})${next.event}: ${position}, vol ${percent(platinumVol)}/${percent(goldVol)}`;
    const confidence = next.side === 0 ? 0 : twoSidedConfidence(z);
    return { signals: legs(p, goldWeight, platinumWeight, confidence, reason), state: { side: next.side, blockedSide: next.blockedSide } };
  },
});

/** The hysteresis: enter beyond entryZ, leave inside exitZ, stop beyond stopZ and stay out until back inside entryZ. */
function decide(p: Params, state: GoldPlatinumState, z: number): GoldPlatinumState & { event: string } {
  let side = state.side;
  let blockedSide = state.blockedSide;
  let event = '';
  if (blockedSide === SHORT_RATIO && z < p.entryZ) blockedSide = 0;
  if (blockedSide === LONG_RATIO && z > -p.entryZ) blockedSide = 0;
  // z measured on the side of the trade: positive while the ratio is still stretched in the traded direction.
  const stretch = (s: number): number => -s * z;
  if (side !== 0) {
    if (p.stopLoss && stretch(side) > p.stopZ) {
      blockedSide = side;
      side = 0;
      event = `, stopped beyond ${p.stopZ}`;
    } else if (stretch(side) < p.exitZ) {
      side = 0;
      event = `, exit inside ${p.exitZ}`;
    }
  }
  if (side === 0) {
    for (const candidate of [SHORT_RATIO, LONG_RATIO]) {
      const s = stretch(candidate);
      if (s > p.entryZ && candidate !== blockedSide && !(p.stopLoss && s > p.stopZ)) {
        side = candidate;
        event += `, enter beyond ${p.entryZ}`;
      }
    }
  }
  return { side, blockedSide, event };
}

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

/** The last `rows` values of log(gold/platinum) on days both legs have a bar, oldest first. */
function alignedLogRatios(gold: BarWindow, platinum: BarWindow, rows: number): number[] {
  const out: number[] = [];
  let i = gold.length - 1;
  let j = platinum.length - 1;
  while (i >= 0 && j >= 0 && out.length < rows) {
    const goldTime = gold.time[i] as number;
    const platinumTime = platinum.time[j] as number;
    if (goldTime === platinumTime) {
      out.push(Math.log((gold.close[i] as number) / (platinum.close[j] as number)));
      i--;
      j--;
    } else if (goldTime > platinumTime) i--;
    else j--;
  }
  return out.reverse();
}

function zScore(values: readonly number[]): { z: number; last: number; mean: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const last = values[n - 1] as number;
  return { z: sd > 0 ? (last - mean) / sd : 0, last, mean };
}

/** Annualised sample std of the last `days` daily log returns; NaN when history is short. */
function volatility(close: Float64Array, days: number): number {
  if (close.length < days + 1) return Number.NaN;
  let sum = 0;
  let sumSquares = 0;
  for (let i = close.length - days; i < close.length; i++) {
    const r = Math.log((close[i] as number) / (close[i - 1] as number));
    sum += r;
    sumSquares += r * r;
  }
  const mean = sum / days;
  return Math.sqrt(Math.max(0, (sumSquares - days * mean * mean) / (days - 1)) * TRADING_DAYS);
}

/** P(|N(0,1)| < |z|), via the Abramowitz-Stegun 7.1.26 approximation of erf. */
function twoSidedConfidence(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-x * x);
  return Math.min(1, Math.max(0, erf));
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
