import { defineStrategy, ShError, type ParamValues, type Signal } from '../../core/index.js';

/** Carver's annualisation: 256 business days a year, so a daily volatility times 16. */
const ROOT_DAYS_IN_YEAR = 16;
/** pysystemtrade's volatility floor: the 5% quantile of the last 500 daily estimates, once there are 100. */
const VOL_FLOOR_QUANTILE = 0.05;
const VOL_FLOOR_DAYS = 500;
const VOL_FLOOR_MIN_PERIODS = 100;
/** EWMA windows are this many times the slowest span, so the truncated tail weighs under 1%. */
const SPAN_HISTORY_MULTIPLE = 3;

/** The four EWMAC speeds: fast and slow EWMA spans in days, and the names of their weight and scalar params. */
const RULES = [
  { fast: 8, slow: 32, weight: 'weightEwmac8x32', scalar: 'scalarEwmac8x32' },
  { fast: 16, slow: 64, weight: 'weightEwmac16x64', scalar: 'scalarEwmac16x64' },
  { fast: 32, slow: 128, weight: 'weightEwmac32x128', scalar: 'scalarEwmac32x128' },
  { fast: 64, slow: 256, weight: 'weightEwmac64x256', scalar: 'scalarEwmac64x256' },
] as const;

const weightParam = (speed: string): { type: 'number'; min: number; max: number; default: number; description: string } => ({
  type: 'number', min: 0, max: 1, default: 0.25, description: `Forecast weight of EWMAC ${speed} (weights are normalised to sum to 1; 0 switches the rule off).`,
});
const scalarParam = (speed: string, value: number): { type: 'number'; min: number; max: number; default: number; description: string } => ({
  type: 'number', min: 0.1, max: 50, default: value, description: `Forecast scalar of EWMAC ${speed}: raw forecast x scalar has mean absolute value 10 (Carver 2015).`,
});

const params = {
  universe: { type: 'symbols', default: ['GLD', 'SLV', 'PPLT', 'GDX'], minItems: 1, maxItems: 50, description: 'Instruments traded, each with its own forecast; equal instrument weights.' },
  weightEwmac8x32: weightParam('8/32'),
  weightEwmac16x64: weightParam('16/64'),
  weightEwmac32x128: weightParam('32/128'),
  weightEwmac64x256: weightParam('64/256'),
  scalarEwmac8x32: scalarParam('8/32', 5.3),
  scalarEwmac16x64: scalarParam('16/64', 3.75),
  scalarEwmac32x128: scalarParam('32/128', 2.65),
  scalarEwmac64x256: scalarParam('64/256', 1.87),
  forecastCap: { type: 'number', min: 5, max: 40, default: 20, description: 'Absolute cap on each scaled forecast and on the combined forecast.' },
  forecastDiversificationMultiplier: { type: 'number', min: 1, max: 2.5, default: 1.1, description: 'Multiplies the weighted forecast to restore mean |forecast| 10 lost to imperfect correlation between rules.' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.16, description: 'Annualised volatility target of the whole plugin; each instrument gets volTarget x IDM / n at forecast 10.' },
  instrumentDiversificationMultiplier: { type: 'number', min: 1, max: 2.5, default: 1, description: 'Multiplies every position to make up for diversification across instruments (1: none assumed).' },
  volSpan: { type: 'int', min: 10, max: 100, default: 35, description: 'EWMA span in days of the daily price-change volatility.' },
  volFloor: { type: 'boolean', default: true, description: 'Floor the volatility at the 5% quantile of its last 500 daily estimates (pysystemtrade robust_vol_calc).' },
  bufferSize: { type: 'number', min: 0, max: 0.5, default: 0.1, description: 'No-trade buffer as a fraction of the average position (the position at forecast 10); outside it, trade to its edge.' },
} as const;

type Params = ParamValues<typeof params>;

export interface CarverState {
  /** The weight last emitted per symbol: the buffer is centred on the new target and compared with it. */
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * Carver-style trend following (Systematic Trading, pysystemtrade): EWMAC forecasts at four speeds, each divided by
 * the daily price volatility, scaled to mean |forecast| 10 and capped at 20, combined with forecast weights and a
 * diversification multiplier, and turned into a volatility-targeted position with a no-trade buffer.
 */
export default defineStrategy({
  id: 'pysystemtrade-patterns',
  version: '1.0.0',
  api: 1,
  summary: 'Carver-style trend: EWMAC 8/32..64/256 forecasts scaled to mean |10|, capped at 20, combined, volatility-targeted',
  params,
  needs: (p) => {
    const active = activeRules(p);
    // Long enough for the slowest EWMA to forget its start, and for the floor's 500 volatility estimates.
    const volatilityRows = (p.volFloor ? VOL_FLOOR_DAYS : 0) + SPAN_HISTORY_MULTIPLE * p.volSpan;
    return { bars: p.universe, history: Math.max(SPAN_HISTORY_MULTIPLE * Math.max(...active.map((r) => r.slow)), volatilityRows) + 1 };
  },
  init: (): CarverState => ({ weights: {} }),
  evaluate(ctx, p, state) {
    const rules = activeRules(p);
    const slowest = Math.max(...rules.map((r) => r.slow));
    // Each instrument gets an equal share of the risk budget (Carver's instrument weights, equal here).
    const averagePositionVol = (p.volTarget * p.instrumentDiversificationMultiplier) / p.universe.length;
    const weights: Record<string, number> = {};
    const signals: Signal[] = p.universe.map((symbol) => {
      const close = ctx.bars(symbol).close;
      const priceVol = dailyPriceVolatility(close, p.volSpan, p.volFloor);
      const price = close[close.length - 1] as number;
      if (close.length < slowest + 1 || !(priceVol > 0)) {
        weights[symbol] = 0;
        return { symbol, weight: 0, confidence: 0, reason: `ewmac waiting for history: ${close.length} of ${slowest + 1} bars` };
      }
      const forecasts = rules.map((rule) => clamp((ewmacRaw(close, rule.fast, rule.slow) / priceVol) * rule.scalar, p.forecastCap));
      const combined = clamp(p.forecastDiversificationMultiplier * forecasts.reduce((sum, f, i) => sum + f * (rules[i] as ActiveRule).weight, 0), p.forecastCap);
      const instrumentVol = (priceVol / price) * ROOT_DAYS_IN_YEAR;
      const average = averagePositionVol / instrumentVol;
      const target = (combined / 10) * average;
      const weight = clamp(buffered(target, state.weights[symbol] ?? 0, p.bufferSize * average), 1);
      weights[symbol] = weight;
      const parts = rules.map((rule, i) => `${rule.fast}/${rule.slow} ${signed(forecasts[i] as number, 1)}`).join(', ');
      const held = weight === clamp(target, 1) ? '' : `, buffered ${signed(weight, 2)}`;
      return {
        symbol,
        weight,
        confidence: Math.min(1, Math.abs(combined) / p.forecastCap),
        reason: `ewmac ${symbol} f ${signed(combined, 1)} (${parts}) x FDM ${p.forecastDiversificationMultiplier}, vol ${(instrumentVol * 100).toFixed(1)}% -> ${signed(clamp(target, 1), 2)}${held}`.slice(0, 200),
      };
    });
    return { signals, state: { weights } };
  },
});

interface ActiveRule {
  readonly fast: number;
  readonly slow: number;
  readonly scalar: number;
  /** Normalised forecast weight: the active rules' weights sum to 1. */
  readonly weight: number;
}

/** The rules with a positive weight, weights normalised. Throws a param error when every weight is 0. */
function activeRules(p: Params): ActiveRule[] {
  const total = RULES.reduce((sum, rule) => sum + p[rule.weight], 0);
  if (!(total > 0)) {
    throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'every EWMAC forecast weight is 0', {
      where: 'plugins.settings.pysystemtrade-patterns.params.weightEwmac8x32',
      received: RULES.map((rule) => p[rule.weight]),
      expected: 'at least one of weightEwmac8x32, weightEwmac16x64, weightEwmac32x128, weightEwmac64x256 above 0',
      fix: 'Give at least one rule a positive weight.',
    });
  }
  return RULES.filter((rule) => p[rule.weight] > 0).map((rule) => ({ fast: rule.fast, slow: rule.slow, scalar: p[rule.scalar], weight: p[rule.weight] / total }));
}

/**
 * Carver's position inertia: keep the previous weight while it lies within `buffer` of the target; otherwise trade
 * only to the nearer edge of the buffer. A zero buffer trades to the target.
 */
function buffered(target: number, previous: number, buffer: number): number {
  if (buffer <= 0) return target;
  if (previous > target + buffer) return target + buffer;
  if (previous < target - buffer) return target - buffer;
  return previous;
}

/** EWMA(fast) - EWMA(slow) of the closes at the last bar, with pandas' adjust=True weights over the whole window. */
function ewmacRaw(close: Float64Array, fast: number, slow: number): number {
  return ewma(close, fast) - ewma(close, slow);
}

function ewma(values: Float64Array, span: number): number {
  const decay = 1 - 2 / (span + 1);
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < values.length; i++) {
    numerator = (values[i] as number) + decay * numerator;
    denominator = 1 + decay * denominator;
  }
  return numerator / denominator;
}

/**
 * Daily volatility of price changes (price units): EWMA of squared daily differences with span `span`, floored,
 * when `floor`, at the 5% quantile of its last 500 daily values (pysystemtrade's robust_vol_calc). NaN when the
 * window has fewer than 10 changes.
 */
function dailyPriceVolatility(close: Float64Array, span: number, floor: boolean): number {
  const minPeriods = 10;
  if (close.length < minPeriods + 1) return Number.NaN;
  const decay = 1 - 2 / (span + 1);
  let numerator = 0;
  let denominator = 0;
  const history: number[] = [];
  for (let i = 1; i < close.length; i++) {
    const change = (close[i] as number) - (close[i - 1] as number);
    numerator = change * change + decay * numerator;
    denominator = 1 + decay * denominator;
    if (i >= minPeriods) history.push(Math.sqrt(numerator / denominator));
  }
  const vol = history[history.length - 1] as number;
  if (!floor || history.length < VOL_FLOOR_MIN_PERIODS) return vol;
  const recent = history.slice(-VOL_FLOOR_DAYS).sort((a, b) => a - b);
  const quantile = recent[Math.floor(VOL_FLOOR_QUANTILE * (recent.length - 1))] as number;
  return Math.max(vol, quantile);
}

function clamp(x: number, cap: number): number {
  return Math.max(-cap, Math.min(cap, x));
}

function signed(x: number, digits: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}
