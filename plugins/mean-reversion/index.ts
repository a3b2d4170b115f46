import { barsSince, defineStrategy, sampleVolatility, windowMean, zScore, type BarWindow, type ParamValues, type Signal } from '../../core/index.js';

/** Closes used for RSI(2): Wilder smoothing with period 2 forgets its seed within a few days. */
const RSI_CLOSES = 30;

const params = {
  universe: { type: 'symbols', default: ['GLD', 'SLV', 'GDX'], minItems: 1, maxItems: 50, description: 'Instruments traded, each on its own.' },
  indicator: { type: 'enum', values: ['zscore', 'rsi2'], default: 'zscore', description: 'zscore: close against its meanDays mean; rsi2: Connors RSI(2).' },
  meanDays: { type: 'int', min: 5, max: 20, default: 10, description: 'Days of the mean and standard deviation of the z-score.' },
  entryZ: { type: 'number', min: 1, max: 4, default: 2, description: 'zscore: enter long below -entryZ, short above entryZ.' },
  rsiLow: { type: 'number', min: 1, max: 49, default: 10, description: 'rsi2: enter long below this.' },
  rsiHigh: { type: 'number', min: 51, max: 99, default: 90, description: 'rsi2: enter short above this.' },
  trendFilter: { type: 'boolean', default: true, description: 'Longs only above the trendDays SMA, shorts only below it.' },
  trendDays: { type: 'int', min: 50, max: 400, default: 200, description: 'Days of the trend-filter SMA.' },
  maxHoldDays: { type: 'int', min: 0, max: 60, default: 10, description: 'Leave a trade after this many bars even if it has not reverted; 0: no limit.' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility per position; the weight is min(1/n, volTarget / vol).' },
  volDays: { type: 'int', min: 5, max: 120, default: 20, description: 'Days of daily returns in the volatility estimate.' },
} as const;

type Params = ParamValues<typeof params>;

/** One instrument's trade. */
export interface Trade {
  /** 1 long, -1 short, 0 flat. */
  readonly side: number;
  /** Time of the bar the trade was entered on; 0 when flat. */
  readonly entryTime: number;
  /** After a time stop, the side not re-entered until the indicator leaves its entry zone; 0 when none. */
  readonly blockedSide: number;
}

export interface MeanReversionState {
  readonly trades: Readonly<Record<string, Trade>>;
}

const FLAT: Trade = { side: 0, entryTime: 0, blockedSide: 0 };

/**
 * Short-term mean reversion: fade z-score (or RSI(2)) extremes of each instrument, exit at the mean, with a
 * trend filter and a time stop; each position sized to min(1/n, volTarget / vol).
 */
export default defineStrategy({
  id: 'mean-reversion',
  version: '1.0.0',
  api: 1,
  summary: 'Short-term mean reversion on precious-metal ETFs: fade z-score or RSI(2) extremes, exit at the mean, trend filter',
  params,
  needs: (p) => ({ bars: p.universe, history: requiredBars(p) }),
  init: (): MeanReversionState => ({ trades: {} }),
  evaluate(ctx, p, state) {
    const trades: Record<string, Trade> = {};
    const signals: Signal[] = p.universe.map((symbol) => {
      const outcome = evaluateInstrument(ctx.bars(symbol), p, state.trades[symbol] ?? FLAT);
      trades[symbol] = outcome.trade;
      return { symbol, weight: outcome.weight, confidence: outcome.confidence, reason: `mr ${symbol} ${outcome.reason}`.slice(0, 200) };
    });
    return { signals, state: { trades } };
  },
});

interface Reading {
  readonly oversold: boolean;
  readonly overbought: boolean;
  /** The long has reverted (z at or above 0, RSI above 50). */
  readonly revertedUp: boolean;
  readonly revertedDown: boolean;
  /** 0..1, how far the indicator is from its neutral level. */
  readonly strength: number;
  readonly text: string;
}

function evaluateInstrument(bars: BarWindow, p: Params, previous: Trade): { trade: Trade; weight: number; confidence: number; reason: string } {
  const close = bars.close;
  const n = close.length;
  const reading = read(close, p);
  const vol = sampleVolatility(close, p.volDays);
  if (n < requiredBars(p) || !reading || !Number.isFinite(vol)) {
    return { trade: FLAT, weight: 0, confidence: 0, reason: `waiting for history: ${n} of ${requiredBars(p)} bars` };
  }
  const last = close[n - 1] as number;
  const sma = p.trendFilter ? windowMean(close, n - p.trendDays, n) : Number.NaN;
  const trend = !p.trendFilter ? '' : last > sma ? `, above ${p.trendDays}d SMA ${sma.toFixed(2)}` : `, below ${p.trendDays}d SMA ${sma.toFixed(2)}`;
  let { side, entryTime, blockedSide } = previous;
  let event = '';
  if ((blockedSide === 1 && !reading.oversold) || (blockedSide === -1 && !reading.overbought)) blockedSide = 0;
  if (side !== 0) {
    const heldBars = barsSince(bars.time, entryTime);
    if (side === 1 ? reading.revertedUp : reading.revertedDown) {
      side = 0;
      event = 'exit at the mean';
    } else if (p.maxHoldDays > 0 && heldBars >= p.maxHoldDays) {
      // Still at the extreme: do not buy it straight back.
      const stillExtreme = side === 1 ? reading.oversold : reading.overbought;
      blockedSide = stillExtreme ? side : 0;
      side = 0;
      event = `exit after ${heldBars} days`;
    } else {
      event = `held ${heldBars}d`;
    }
  }
  if (side === 0) {
    const longAllowed = !p.trendFilter || last > sma;
    const shortAllowed = !p.trendFilter || last < sma;
    if (reading.oversold && blockedSide !== 1 && longAllowed) side = 1;
    else if (reading.overbought && blockedSide !== -1 && shortAllowed) side = -1;
    if (side !== 0) {
      entryTime = bars.time[n - 1] as number;
      event = 'enter';
    } else if ((reading.oversold && !longAllowed) || (reading.overbought && !shortAllowed)) {
      event = 'blocked by trend filter';
    }
  }
  const size = vol > 0 ? Math.min(1 / p.universe.length, p.volTarget / vol) : 1 / p.universe.length;
  const weight = side === 0 ? 0 : side * size;
  const position = side === 0 ? 'flat' : `${side > 0 ? 'long' : 'short'} ${size.toFixed(2)}`;
  return {
    trade: side === 0 ? { side: 0, entryTime: 0, blockedSide } : { side, entryTime, blockedSide },
    weight,
    confidence: side === 0 ? 0 : reading.strength,
    reason: `${reading.text}${trend}: ${position}${event ? ` (${event})` : ''}, vol ${(vol * 100).toFixed(0)}%`,
  };
}

/** The indicator at the last close, or undefined when the window is too short or flat-lined. */
function read(close: Float64Array, p: Params): Reading | undefined {
  const n = close.length;
  if (p.indicator === 'rsi2') {
    const rsi = rsi2(close);
    if (!Number.isFinite(rsi)) return undefined;
    return {
      oversold: rsi < p.rsiLow,
      overbought: rsi > p.rsiHigh,
      revertedUp: rsi > 50,
      revertedDown: rsi < 50,
      strength: Math.min(1, Math.abs(rsi - 50) / 50),
      text: `RSI2 ${rsi.toFixed(1)}`,
    };
  }
  if (n < p.meanDays) return undefined;
  const { z, mean: m } = zScore(close.subarray(n - p.meanDays, n));
  return {
    oversold: z < -p.entryZ,
    overbought: z > p.entryZ,
    revertedUp: z >= 0,
    revertedDown: z <= 0,
    strength: Math.min(1, Math.abs(z) / (2 * p.entryZ)),
    text: `z ${z >= 0 ? '+' : ''}${z.toFixed(2)} vs ${p.meanDays}d mean ${m.toFixed(2)}`,
  };
}

/** Connors' RSI(2): Wilder-smoothed average gain over average loss, period 2, on the last RSI_CLOSES closes. */
function rsi2(close: Float64Array): number {
  const period = 2;
  const n = close.length;
  const start = Math.max(1, n - RSI_CLOSES);
  if (n - start < period + 1) return Number.NaN;
  let gain = 0;
  let loss = 0;
  for (let i = start; i < n; i++) {
    const change = (close[i] as number) - (close[i - 1] as number);
    const up = Math.max(change, 0);
    const down = Math.max(-change, 0);
    if (i < start + period) {
      gain += up / period;
      loss += down / period;
    } else {
      gain = (gain * (period - 1) + up) / period;
      loss = (loss * (period - 1) + down) / period;
    }
  }
  if (loss === 0) return gain === 0 ? 50 : 100;
  return 100 - 100 / (1 + gain / loss);
}

function requiredBars(p: Params): number {
  const indicator = p.indicator === 'rsi2' ? RSI_CLOSES + 1 : p.meanDays;
  return Math.max(indicator, p.volDays + 1, p.trendFilter ? p.trendDays : 0, p.maxHoldDays + 1);
}
