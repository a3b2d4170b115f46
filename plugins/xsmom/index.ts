import { commonCloses, covarianceMatrix, defineStrategy, formatDate, inverseVolatilityWeights, normalCdf, portfolioVariance, sampleVolatility, ShError, TRADING_DAYS_PER_YEAR, volatilityFromVariance, type BarWindow, type ParamValues, type Signal } from '../../core/index.js';

const params = {
  universe: { type: 'symbols', default: ['GLD', 'SLV', 'PPLT', 'GDX'], minItems: 2, maxItems: 50, description: 'Instruments ranked against each other; at least 2 x topK of them.' },
  lookbackDays: { type: 'int', min: 63, max: 504, default: 252, description: 'Trading days of the ranking return (126 = 6 months, 252 = 12 months).' },
  skipDays: { type: 'int', min: 0, max: 63, default: 21, description: 'Most recent days left out of the ranking return (21: the 12-1 convention; 0: no skip).' },
  topK: { type: 'int', min: 1, max: 25, default: 1, description: 'Instruments in each leg: long the topK best ranked, short the topK worst.' },
  rankBy: { type: 'enum', values: ['return', 'risk-adjusted'], default: 'return', description: 'return: rank the log return; risk-adjusted: rank the log return divided by its volatility over the lookback.' },
  volDays: { type: 'int', min: 20, max: 260, default: 60, description: 'Days of daily returns in the volatilities and correlations that size the legs.' },
  targetVol: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised ex-ante volatility of the long-short book.' },
  maxGross: { type: 'number', min: 0.1, max: 2, default: 1, description: 'Cap on the sum of absolute weights (each leg holds half of it).' },
} as const;

type Params = ParamValues<typeof params>;

export interface XsmomState {
  /** Month (year x 12 + month - 1, UTC) of the last rebalance; null before the first. */
  readonly month: number | null;
  /** Time of the last rebalance; 0 before the first. */
  readonly since: number;
  /** Weights set at the last rebalance, held until the next one. */
  readonly weights: Readonly<Record<string, number>>;
  readonly confidence: number;
  /** What drove the last rebalance, repeated in the reasons while the weights are held. */
  readonly summary: string;
}

interface Ranked {
  readonly symbol: string;
  readonly logReturn: number;
  /** Annualised sample volatility over volDays. */
  readonly vol: number;
  readonly score: number;
}

/**
 * Cross-sectional momentum: rank the universe by its lookback return, long the best topK and short the worst
 * topK, inverse-volatility weights inside each leg, dollar-neutral, the book scaled to an ex-ante volatility target;
 * rebalanced on the first evaluation of each calendar month and held in between.
 */
export default defineStrategy({
  id: 'xsmom',
  version: '1.0.0',
  api: 1,
  summary: 'Cross-sectional momentum across metal ETFs: long the 12-1 month winners, short the losers, dollar-neutral, monthly',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return { bars: p.universe, history: requiredBars(p) };
  },
  init: (): XsmomState => ({ month: null, since: 0, weights: {}, confidence: 0, summary: '' }),
  evaluate(ctx, p, state) {
    const month = monthIndex(ctx.now);
    if (state.month === month) {
      const held = `xsmom held since ${formatDate(state.since)}: ${state.summary}`.slice(0, 200);
      return { signals: p.universe.map((symbol) => ({ symbol, weight: state.weights[symbol] ?? 0, confidence: state.confidence, reason: held })), state };
    }
    const bars = new Map(p.universe.map((symbol) => [symbol, ctx.bars(symbol)]));
    const ranked = rank(p, bars);
    const waiting = (why: string): { signals: Signal[]; state: XsmomState } => ({
      signals: p.universe.map((symbol) => ({ symbol, weight: 0, confidence: 0, reason: `xsmom waiting for history: ${why}`.slice(0, 200) })),
      // Not a rebalance: the next evaluation tries again.
      state: { month: null, since: 0, weights: {}, confidence: 0, summary: '' },
    });
    if (ranked.length < 2 * p.topK) return waiting(`${ranked.length} instruments have ${requiredBars(p)} bars, ${2 * p.topK} needed`);
    const longs = ranked.slice(0, p.topK);
    const shorts = ranked.slice(-p.topK);
    const book = sizeBook(p, bars, longs, shorts);
    if (!book) return waiting(`fewer than ${p.volDays + 1} days on which every selected instrument has a bar`);
    const weights: Record<string, number> = {};
    for (const symbol of p.universe) weights[symbol] = book.weights.get(symbol) ?? 0;
    const confidence = Math.max(0, Math.min(1, 2 * normalCdf(Math.abs(book.spreadZ)) - 1));
    const span = `${p.lookbackDays}d${p.skipDays > 0 ? ` skip ${p.skipDays}d` : ''}`;
    const ranks = ranked.map((r) => `${r.symbol} ${percent(Math.expm1(r.logReturn))}`).join(' > ');
    const summary = `${span} ${ranks}; spread vol ${(book.spreadVol * 100).toFixed(0)}% -> gross ${book.gross.toFixed(2)}`;
    const reason = `xsmom rebalance: ${summary}`.slice(0, 200);
    return {
      signals: p.universe.map((symbol) => ({ symbol, weight: weights[symbol] ?? 0, confidence, reason })),
      state: { month, since: ctx.now, weights, confidence, summary },
    };
  },
});

/** Instruments with enough history, best first (ties broken by symbol so that the order is deterministic). */
function rank(p: Params, bars: ReadonlyMap<string, BarWindow>): Ranked[] {
  const ranked: Ranked[] = [];
  for (const [symbol, window] of bars) {
    const close = window.close;
    if (close.length < requiredBars(p)) continue;
    const end = close.length - 1 - p.skipDays;
    const logReturn = Math.log((close[end] as number) / (close[end - p.lookbackDays] as number));
    const vol = sampleVolatility(close, p.volDays);
    if (!Number.isFinite(logReturn) || !Number.isFinite(vol)) continue;
    // Risk-adjusted: the lookback return in units of its own volatility over the lookback horizon.
    const score = p.rankBy === 'risk-adjusted' ? (vol > 0 ? logReturn / (vol * Math.sqrt(p.lookbackDays / TRADING_DAYS_PER_YEAR)) : 0) : logReturn;
    ranked.push({ symbol, logReturn, vol, score });
  }
  return ranked.sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : 1));
}

/**
 * Inverse-volatility weights inside each leg, both legs of equal dollar size (dollar-neutral), scaled so the ex-ante
 * volatility of the book (from the covariance of the selected instruments' aligned daily returns) is targetVol,
 * gross capped at maxGross. Undefined when the instruments share too few dates.
 */
function sizeBook(p: Params, bars: ReadonlyMap<string, BarWindow>, longs: readonly Ranked[], shorts: readonly Ranked[]): { weights: Map<string, number>; gross: number; spreadVol: number; spreadZ: number } | undefined {
  const legWeights = (leg: readonly Ranked[], sign: number): [string, number][] => {
    const inverse = inverseVolatilityWeights(leg.map((r) => r.vol));
    return leg.map((r, i) => [r.symbol, sign * (inverse ? (inverse[i] as number) : 1 / leg.length)]);
  };
  const unit = [...legWeights(longs, 1), ...legWeights(shorts, -1)];
  const returns = alignedReturns(unit.map(([symbol]) => bars.get(symbol) as BarWindow), p.volDays);
  if (!returns) return undefined;
  const variance = portfolioVariance(unit.map(([, w]) => w), covarianceMatrix(returns));
  const spreadVol = volatilityFromVariance(Math.max(0, variance));
  // A degenerate book (two identical instruments) has no risk to scale to: take the largest allowed size.
  const scale = Math.min(p.maxGross / 2, spreadVol > 0 ? p.targetVol / spreadVol : p.maxGross / 2);
  const weights = new Map(unit.map(([symbol, w]) => [symbol, w * scale]));
  const spreadReturn = unit.reduce((sum, [symbol, w]) => sum + w * ([...longs, ...shorts].find((r) => r.symbol === symbol)?.logReturn ?? 0), 0);
  const spreadZ = spreadVol > 0 ? spreadReturn / (spreadVol * Math.sqrt(p.lookbackDays / TRADING_DAYS_PER_YEAR)) : 0;
  return { weights, gross: 2 * scale, spreadVol, spreadZ };
}

/**
 * Daily log returns of each window over the last `days` dates on which every window has a bar, newest first (the
 * order the covariances are summed in); undefined if too few.
 */
function alignedReturns(windows: readonly BarWindow[], days: number): Float64Array[] | undefined {
  const closes = commonCloses(windows, days + 1);
  if ((closes[0] as number[]).length < days + 1) return undefined;
  return closes.map((c) => Float64Array.from({ length: days }, (_, i) => Math.log((c[days - i] as number) / (c[days - 1 - i] as number))));
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  if (2 * p.topK > p.universe.length) {
    throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'parameter topK is invalid', {
      where: 'plugins.settings.xsmom.params.topK',
      received: p.topK,
      expected: `at most half the universe size (${p.universe.length} symbols: topK <= ${Math.floor(p.universe.length / 2)})`,
      fix: 'Lower topK or add symbols to universe.',
    });
  }
}

function requiredBars(p: Params): number {
  return Math.max(p.lookbackDays + p.skipDays, p.volDays) + 1;
}

/** Months since year 0 of the UTC date of `time`: a new value marks a new calendar month. */
function monthIndex(time: number): number {
  const d = new Date(time);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}
