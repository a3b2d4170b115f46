import { defineStrategy, formatDate, ShError } from '../core/index.js';

const TRADING_DAYS = 252;

/**
 * Parameters: each with a type, bounds and a default. The host validates overrides from config against these
 * and reports every problem at once; evaluate only ever sees valid values.
 */
const params = {
  symbol: { type: 'string', default: 'GLD', pattern: '^[A-Za-z0-9._/-]+$', description: 'The instrument traded.' },
  fastDays: { type: 'int', min: 5, max: 100, default: 50, description: 'Days of the fast moving average.' },
  slowDays: { type: 'int', min: 20, max: 400, default: 200, description: 'Days of the slow moving average; more than fastDays.' },
  allowShort: { type: 'boolean', default: false, description: 'Go short when the fast average is below the slow one (otherwise flat).' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of the position; weight = min(1, volTarget / vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in the volatility estimate.' },
} as const;

/** State is plain JSON: it travels between workers and is snapshotted for restarts. */
export interface State {
  /** 1 fast above slow, -1 below, 0 before the first reading. */
  readonly regime: number;
  /** Time of the bar on which the current regime began; null before the first crossing seen. */
  readonly since: number | null;
}

/**
 * A moving-average crossover with a volatility target: long while the fast average of closes is above the slow
 * one, flat (or short) below, sized so that the position's annualised volatility is about volTarget.
 */
export default defineStrategy({
  id: 'template-strategy',
  version: '1.0.0',
  api: 1,
  summary: 'Moving-average crossover on one instrument with a volatility target (the plugin template)',
  params,
  // What data the plugin reads, given its params. The host builds windows of exactly this much history.
  needs: (p) => {
    if (p.fastDays >= p.slowDays) {
      throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'parameter fastDays must be less than slowDays', {
        where: 'plugins.settings.template-strategy.params.fastDays',
        received: p.fastDays,
        expected: `an integer less than slowDays (${p.slowDays})`,
      });
    }
    return { bars: [p.symbol], history: Math.max(p.slowDays, p.volDays + 1) };
  },
  init: (): State => ({ regime: 0, since: null }),
  // A pure function of the data available at ctx.now, the params and the state. Never mutate the inputs:
  // return a new state object.
  evaluate(ctx, p, state) {
    const bars = ctx.bars(p.symbol);
    const close = bars.close;
    const needed = Math.max(p.slowDays, p.volDays + 1);
    if (close.length < needed) {
      return { signals: [{ symbol: p.symbol, weight: 0, confidence: 0, reason: `ma cross waiting for history: ${close.length} of ${needed} bars` }], state };
    }
    const fast = average(close, p.fastDays);
    const slow = average(close, p.slowDays);
    const vol = volatility(close, p.volDays);
    const regime = fast > slow ? 1 : fast < slow ? -1 : state.regime;
    const since = regime !== state.regime ? (bars.time[close.length - 1] as number) : state.since;
    const direction = regime === 1 ? 1 : regime === -1 && p.allowShort ? -1 : 0;
    const size = vol > 0 ? Math.min(1, p.volTarget / vol) : 0;
    const weight = direction === 0 ? 0 : direction * size;
    // Confidence grows with the gap between the averages: a 5% gap or more counts as certain.
    const gap = Math.abs(fast - slow) / slow;
    const relation = regime === 1 ? 'above' : 'below';
    return {
      signals: [
        {
          symbol: p.symbol,
          weight,
          confidence: direction === 0 ? 0 : Math.min(1, gap / 0.05),
          reason: `ma cross ${p.symbol} ${p.fastDays}d ${fast.toFixed(2)} ${relation} ${p.slowDays}d ${slow.toFixed(2)}${since === null ? '' : ` since ${formatDate(since)}`}, vol ${(vol * 100).toFixed(1)}% -> ${weight.toFixed(2)}`,
        },
      ],
      state: { regime, since },
    };
  },
});

/** Mean of the last `days` values. */
function average(values: Float64Array, days: number): number {
  let sum = 0;
  for (let i = values.length - days; i < values.length; i++) sum += values[i] as number;
  return sum / days;
}

/** Annualised sample standard deviation of the last `days` daily log returns. */
function volatility(close: Float64Array, days: number): number {
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
