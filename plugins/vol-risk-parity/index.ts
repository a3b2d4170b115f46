import { defineStrategy, formatDate, MS_PER_DAY, type BarWindow, type ParamValues, type Signal } from '../../core/index.js';

const TRADING_DAYS = 252;
/** An instrument whose last bar is this many calendar days older than the newest bar of the universe is left out. */
const STALE_DAYS = 7;
/** Confidence of every held weight: an allocation, not a forecast of direction. */
const ALLOCATION_CONFIDENCE = 0.5;

const params = {
  universe: { type: 'symbols', default: ['GLD', 'SLV', 'PPLT', 'GDX'], minItems: 1, maxItems: 50, description: 'Instruments held long, each weighted by 1 / its volatility.' },
  volDays: { type: 'int', min: 20, max: 260, default: 60, description: 'Days of daily log returns (common to all instruments) in the volatilities and the covariance matrix.' },
  targetVol: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised portfolio volatility target, from the full covariance matrix.' },
  maxGross: { type: 'number', min: 0.1, max: 2, default: 1, description: 'Cap on the sum of the weights (1: no leverage).' },
  rebalance: { type: 'enum', values: ['monthly', 'band', 'daily'], default: 'monthly', description: 'monthly: on the first evaluation of each month; band: when a weight leaves its tolerance band; daily: every evaluation.' },
  rebalanceBand: { type: 'number', min: 0.01, max: 1, default: 0.2, description: 'band: rebalance when a target differs from the held weight by more than this fraction of the larger of the two.' },
} as const;

type Params = ParamValues<typeof params>;

export interface RiskParityState {
  /** Weights held since the last rebalance. */
  readonly weights: Readonly<Record<string, number>>;
  /** `YYYY-MM` of the last rebalance; null before the first. */
  readonly month: string | null;
  /** Decision time of the last rebalance; null before the first. */
  readonly rebalancedAt: number | null;
}

interface Allocation {
  readonly weights: Record<string, number>;
  readonly vols: Record<string, number>;
  readonly portfolioVol: number;
  readonly scale: number;
}

/**
 * Inverse-volatility risk parity across precious-metal ETFs: weights proportional to 1 / sigma (volDays of daily
 * returns), long only, the whole book scaled so that its volatility from the full covariance matrix of the same window
 * is targetVol, capped at maxGross; rebalanced monthly, on a tolerance band, or daily.
 */
export default defineStrategy({
  id: 'vol-risk-parity',
  version: '1.0.0',
  api: 1,
  summary: 'Inverse-volatility risk parity across GLD, SLV, PPLT, GDX: weights 1/sigma (60d), long only, scaled to a portfolio volatility target',
  params,
  needs: (p) => ({ bars: p.universe, history: p.volDays + 1 }),
  init: (): RiskParityState => ({ weights: {}, month: null, rebalancedAt: null }),
  evaluate(ctx, p, state) {
    const windows = new Map(p.universe.map((symbol) => [symbol, ctx.bars(symbol)] as const));
    const newest = Math.max(...[...windows.values()].map((w) => (w.length > 0 ? (w.time[w.length - 1] as number) : Number.NEGATIVE_INFINITY)));
    const eligible = p.universe.filter((symbol) => {
      const w = windows.get(symbol) as BarWindow;
      return w.length >= p.volDays + 1 && newest - (w.time[w.length - 1] as number) <= STALE_DAYS * MS_PER_DAY;
    });
    const allocation = eligible.length > 0 ? allocate(eligible.map((s) => windows.get(s) as BarWindow), eligible, p) : undefined;
    const month = formatDate(ctx.now).slice(0, 7);
    const heldSet = Object.keys(state.weights).filter((s) => (state.weights[s] ?? 0) !== 0).sort().join(',');
    const targetSet = allocation ? Object.keys(allocation.weights).filter((s) => (allocation.weights[s] ?? 0) !== 0).sort().join(',') : '';
    // Whatever the schedule, a change in what can be held (a listing, an instrument that stopped) rebalances at once.
    const due = heldSet !== targetSet || state.month === null || rebalanceDue(p, state, allocation, month);
    const weights = due ? (allocation?.weights ?? {}) : state.weights;
    const next: RiskParityState = due ? { weights, month, rebalancedAt: ctx.now } : state;
    const signals: Signal[] = p.universe.map((symbol) => {
      const window = windows.get(symbol) as BarWindow;
      const weight = weights[symbol] ?? 0;
      const target = allocation?.weights[symbol] ?? 0;
      if (!eligible.includes(symbol) || !allocation) {
        const why =
          window.length < p.volDays + 1
            ? `waiting for history: ${window.length} of ${p.volDays + 1} bars`
            : !eligible.includes(symbol)
              ? `stale: last bar ${formatDate(window.time[window.length - 1] as number)}`
              : `waiting for ${p.volDays + 1} dates common to ${eligible.join(', ')}`;
        return { symbol, weight, confidence: weight === 0 ? 0 : ALLOCATION_CONFIDENCE, reason: `rp ${symbol} ${why} -> ${weight.toFixed(2)}`.slice(0, 200) };
      }
      const when = next.rebalancedAt === null ? '' : due ? `, rebalanced (${p.rebalance})` : `, held since ${formatDate(next.rebalancedAt)}, target ${target.toFixed(2)}`;
      const reason = `rp ${symbol} vol ${percent(allocation.vols[symbol] as number)}, book vol ${percent(allocation.portfolioVol)} x${allocation.scale.toFixed(2)} to ${percent(p.targetVol)} -> ${weight.toFixed(2)}${when}`;
      return { symbol, weight, confidence: weight === 0 ? 0 : ALLOCATION_CONFIDENCE, reason: reason.slice(0, 200) };
    });
    return { signals, state: next };
  },
});

function rebalanceDue(p: Params, state: RiskParityState, allocation: Allocation | undefined, month: string): boolean {
  if (p.rebalance === 'daily') return true;
  if (p.rebalance === 'monthly') return state.month !== month;
  const target = allocation?.weights ?? {};
  return [...new Set([...Object.keys(target), ...Object.keys(state.weights)])].some((symbol) => {
    const t = target[symbol] ?? 0;
    const held = state.weights[symbol] ?? 0;
    return Math.abs(t - held) > p.rebalanceBand * Math.max(Math.abs(t), Math.abs(held));
  });
}

/**
 * Inverse-volatility weights over the last volDays returns on dates every instrument has, scaled to targetVol with
 * the sample covariance of those returns, capped at maxGross. Undefined when the common history is too short or the
 * book has no risk.
 */
function allocate(windows: readonly BarWindow[], symbols: readonly string[], p: Params): Allocation | undefined {
  const returns = commonReturns(windows, p.volDays);
  if (!returns) return undefined;
  const n = symbols.length;
  const covariance = covarianceMatrix(returns);
  const vols = covariance.map((row, i) => Math.sqrt(Math.max(0, row[i] as number)));
  // An instrument with no movement over the window cannot be inverse-vol weighted: it is left out.
  const inverse = vols.map((v) => (v > 0 ? 1 / v : 0));
  const total = inverse.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return undefined;
  const raw = inverse.map((x) => x / total);
  let variance = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) variance += (raw[i] as number) * (raw[j] as number) * ((covariance[i] as number[])[j] as number);
  const portfolioVol = Math.sqrt(Math.max(0, variance));
  if (!(portfolioVol > 0)) return undefined;
  // Weights sum to 1 before scaling, so the scaled gross is the scale itself.
  const scale = Math.min(p.targetVol / portfolioVol, p.maxGross);
  const weights: Record<string, number> = {};
  const volsBySymbol: Record<string, number> = {};
  symbols.forEach((symbol, i) => {
    weights[symbol] = Math.min(1, (raw[i] as number) * scale);
    volsBySymbol[symbol] = vols[i] as number;
  });
  return { weights, vols: volsBySymbol, portfolioVol, scale };
}

/** Daily log returns of each window on the last days + 1 dates all windows have; undefined when fewer. */
function commonReturns(windows: readonly BarWindow[], days: number): number[][] | undefined {
  const counts = new Map<number, number>();
  for (const w of windows) for (let i = 0; i < w.length; i++) counts.set(w.time[i] as number, (counts.get(w.time[i] as number) ?? 0) + 1);
  const common = [...counts].filter(([, c]) => c === windows.length).map(([t]) => t).sort((a, b) => a - b).slice(-(days + 1));
  if (common.length < days + 1) return undefined;
  return windows.map((w) => {
    const byTime = new Map<number, number>();
    for (let i = 0; i < w.length; i++) byTime.set(w.time[i] as number, w.close[i] as number);
    return common.slice(1).map((t, k) => Math.log((byTime.get(t) as number) / (byTime.get(common[k] as number) as number)));
  });
}

/** Annualised sample covariance matrix of the return series (one row per instrument). */
function covarianceMatrix(returns: readonly number[][]): number[][] {
  const n = returns.length;
  const days = (returns[0] as number[]).length;
  const means = returns.map((r) => r.reduce((a, b) => a + b, 0) / days);
  const out: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < days; k++) sum += (((returns[i] as number[])[k] as number) - (means[i] as number)) * (((returns[j] as number[])[k] as number) - (means[j] as number));
      const value = (sum / (days - 1)) * TRADING_DAYS;
      (out[i] as number[])[j] = value;
      (out[j] as number[])[i] = value;
    }
  }
  return out;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
