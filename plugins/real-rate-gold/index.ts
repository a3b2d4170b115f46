import { ageExceedsDays, bandedWeight, defineStrategy, formatDate, sampleVolatility, ShError, valueAsOf, volatilityTargetSize, type BarWindow, type ParamValues, type SeriesWindow, type Signal } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
const REAL_YIELD = 'macro:DFII10';
/** Extra rows of the yield fetched beyond the regression window, so holidays of one calendar still leave a full window. */
const ALIGNMENT_SLACK = 20;
/** Rows of a daily series per week (business days). */
const ROWS_PER_WEEK = 5;

const params = {
  symbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold instrument traded.' },
  windowDays: { type: 'int', min: 126, max: 1260, default: 504, description: 'Days of the rolling regression of log gold on the 10y real yield.' },
  fullZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'Residual |z| at which the fair-value leg is at full strength (linear below, capped above).' },
  requireNegativeBeta: { type: 'boolean', default: true, description: 'Switch the fair-value leg off while the fitted slope is not negative (the relationship has broken down).' },
  trendWeeks: { type: 'int', min: 1, max: 52, default: 13, description: 'Weeks of the real-yield change of the trend leg.' },
  trendThreshold: { type: 'number', min: 0, max: 2, default: 0.1, description: 'Dead band of the trend leg, percentage points of real yield: smaller changes count as no trend.' },
  valueWeight: { type: 'number', min: 0, max: 1, default: 0.5, description: 'Share of the fair-value leg in the score; the trend leg gets the rest (1: value only, 0: trend only).' },
  allowShort: { type: 'boolean', default: true, description: 'Go short when the score is negative (otherwise flat).' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of a full-score position; weight = score x min(1, volTarget / vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in the volatility estimate.' },
  rebalanceBand: { type: 'number', min: 0, max: 1, default: 0.1, description: 'Relative no-trade band: the weight moves only when the target differs from it by more than this fraction of the larger.' },
  maxDataAgeDays: { type: 'int', min: 1, max: 60, default: 7, description: 'Flat when the latest real yield is older than this many days (a series that has stopped).' },
} as const;

type Params = ParamValues<typeof params>;

export interface RealRateGoldState {
  /** The weight last emitted: the rebalance band compares new targets with it. */
  readonly weight: number;
}

/**
 * Gold against the 10-year real yield: a rolling regression of log gold on DFII10 gives a fair value; the plugin is long
 * when gold is cheap against it and when real yields are falling (short in the mirror case), sized to a volatility target.
 */
export default defineStrategy({
  id: 'real-rate-gold',
  version: '1.0.0',
  api: 1,
  summary: 'Gold against the 10y real yield: fair-value residual of a rolling regression plus the real-yield trend',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return {
      bars: [p.symbol],
      series: [REAL_YIELD],
      history: Math.max(p.windowDays, p.volDays + 1),
      seriesHistory: Math.max(p.windowDays, p.trendWeeks * ROWS_PER_WEEK + 1) + ALIGNMENT_SLACK,
    };
  },
  init: (): RealRateGoldState => ({ weight: 0 }),
  evaluate(ctx, p, state) {
    const bars = ctx.bars(p.symbol);
    const yields = ctx.series(REAL_YIELD);
    const flat = (reason: string): { signals: Signal[]; state: RealRateGoldState } => ({ signals: [{ symbol: p.symbol, weight: 0, confidence: 0, reason: reason.slice(0, 200) }], state: { weight: 0 } });
    const lastYieldTime = yields.length > 0 ? (yields.time[yields.length - 1] as number) : Number.NaN;
    if (yields.length > 0 && ageExceedsDays(ctx.now, yields.available[yields.length - 1] as number, p.maxDataAgeDays)) {
      return flat(`rr-gold ${REAL_YIELD} stale: last value ${formatDate(lastYieldTime)}, older than ${p.maxDataAgeDays}d`);
    }
    const pairs = alignedPairs(bars, yields, p.windowDays);
    const trendRows = p.trendWeeks * ROWS_PER_WEEK;
    const vol = sampleVolatility(bars.close, p.volDays);
    if (pairs.x.length < p.windowDays || yields.length <= trendRows || !Number.isFinite(vol)) {
      const barsShort = bars.length < p.volDays + 1 ? `, ${bars.length} of ${p.volDays + 1} bars` : '';
      return flat(`rr-gold waiting for history: ${pairs.x.length} of ${p.windowDays} aligned days${barsShort}`);
    }
    const fit = regress(pairs.x, pairs.y);
    const valueActive = fit.residualSd > 0 && fit.xVariance > 0 && (!p.requireNegativeBeta || fit.beta < 0);
    // Gold below its fair value (negative residual) is cheap: the value leg is long.
    const value = valueActive ? clamp(-fit.z / p.fullZ, -1, 1) : 0;
    const realYield = yields.field('value');
    const change = (realYield[realYield.length - 1] as number) - (realYield[realYield.length - 1 - trendRows] as number);
    const trend = change < -p.trendThreshold ? 1 : change > p.trendThreshold ? -1 : 0;
    const score = p.valueWeight * value + (1 - p.valueWeight) * trend;
    const size = volatilityTargetSize(p.volTarget, vol);
    const target = (score < 0 && !p.allowShort ? 0 : score) * size;
    const weight = bandedWeight(target, state.weight, p.rebalanceBand);
    const held = weight === target ? '' : ` held ${fixed(weight)}`;
    const model = valueActive ? `z ${signed(fit.z)}` : `value off (beta ${signed(fit.beta)})`;
    const reason = `rr-gold DFII10 ${fixed(realYield[realYield.length - 1] as number)} (${p.trendWeeks}w ${signed(change)}), beta ${signed(fit.beta)} R2 ${fit.r2.toFixed(2)}, ${model}: value ${signed(value)} trend ${signed(trend)} -> score ${signed(score)}, vol ${percent(vol)} -> ${fixed(target)}${held}`;
    return { signals: [{ symbol: p.symbol, weight, confidence: Math.min(1, Math.abs(score)), reason: reason.slice(0, 200) }], state: { weight } };
  },
});

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  if (p.trendWeeks * ROWS_PER_WEEK >= p.windowDays) {
    throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'parameter trendWeeks must span fewer days than windowDays', {
      where: 'plugins.settings.real-rate-gold.params.trendWeeks',
      received: p.trendWeeks,
      expected: `an integer below windowDays / ${ROWS_PER_WEEK} (${p.windowDays / ROWS_PER_WEEK})`,
    });
  }
}

/**
 * The last `rows` (real yield, log close) pairs, oldest first. Each close is paired with the latest real yield that was
 * available when the close was (an as-of join on availability): the yield a trader knew at that close.
 */
function alignedPairs(bars: BarWindow, yields: SeriesWindow, rows: number): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const value = yields.field('value');
  for (let i = bars.length - 1; i >= 0 && x.length < rows; i--) {
    // NaN before the first yield was available, which then holds for every older bar too.
    const realYield = valueAsOf(yields.available, value, bars.available[i] as number);
    const close = bars.close[i] as number;
    if (Number.isFinite(realYield) && close > 0) {
      x.push(realYield);
      y.push(Math.log(close));
    }
  }
  return { x: x.reverse(), y: y.reverse() };
}

interface Fit {
  readonly beta: number;
  readonly r2: number;
  readonly xVariance: number;
  readonly residualSd: number;
  /** The last residual in units of the residual standard deviation. */
  readonly z: number;
}

/** Ordinary least squares of y on x with an intercept. */
function regress(x: readonly number[], y: readonly number[]): Fit {
  const n = x.length;
  const meanX = x.reduce((a, b) => a + b, 0) / n;
  const meanY = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - meanX;
    const dy = (y[i] as number) - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  const residualSquares = Math.max(0, syy - beta * sxy);
  const residualSd = Math.sqrt(residualSquares / (n - 2));
  const last = (y[n - 1] as number) - meanY - beta * ((x[n - 1] as number) - meanX);
  return { beta, r2: syy > 0 ? 1 - residualSquares / syy : 0, xVariance: sxx / (n - 1), residualSd, z: residualSd > 0 ? last / residualSd : 0 };
}

function clamp(x: number, low: number, high: number): number {
  return x < low ? low : x > high ? high : x;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function fixed(x: number): string {
  return x.toFixed(2);
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
