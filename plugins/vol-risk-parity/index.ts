import { commonCloses, covarianceMatrix, defineStrategy, formatDate, inverseVolatilityWeights, logReturns, MS_PER_DAY, portfolioVariance, TRADING_DAYS_PER_YEAR, type BarWindow, type ParamValues, type Signal } from '../../core/index.js';

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
  // Annualised sample covariance of the return series.
  const covariance = covarianceMatrix(returns).map((row) => row.map((c) => c * TRADING_DAYS_PER_YEAR));
  const vols = covariance.map((row, i) => Math.sqrt(Math.max(0, row[i] as number)));
  // An instrument with no movement over the window cannot be inverse-vol weighted: it is left out.
  const raw = inverseVolatilityWeights(vols);
  if (!raw) return undefined;
  const portfolioVol = Math.sqrt(Math.max(0, portfolioVariance(raw, covariance)));
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
function commonReturns(windows: readonly BarWindow[], days: number): Float64Array[] | undefined {
  const closes = commonCloses(windows, days + 1);
  if ((closes[0] as number[]).length < days + 1) return undefined;
  return closes.map((c) => logReturns(c));
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
