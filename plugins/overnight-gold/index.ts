import { defineStrategy, normalCdf, TRADING_DAYS_PER_YEAR, volatilityTargetSize, type BarWindow, type ParamValues } from '../../core/index.js';

const params = {
  symbol: { type: 'string', default: 'GLD', pattern: '^[A-Za-z0-9._/-]+$', description: 'The instrument held overnight.' },
  filter: { type: 'enum', values: ['trailing-mean', 'none'], default: 'trailing-mean', description: 'trailing-mean: hold only while the t-statistic of the trailing mean overnight return is at least minTStat; none: always.' },
  filterDays: { type: 'int', min: 21, max: 756, default: 252, description: 'Nights in the trailing mean of the filter.' },
  minTStat: { type: 'number', min: -5, max: 5, default: 0, description: 'Filter threshold on the t-statistic of the trailing mean overnight return (0: the mean is positive).' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of the overnight position; weight = min(1, volTarget / overnight vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Nights of overnight returns in the volatility estimate.' },
} as const;

type Params = ParamValues<typeof params>;

/**
 * The overnight anomaly in gold: hold the instrument from the close to the next open and be flat during the US
 * session. Each evaluation (at the close) returns weight 0 (flat after the next open) and closeWeight w (long after
 * the next close); the host fills the open leg market-on-open and the close leg market-on-close.
 */
export default defineStrategy({
  id: 'overnight-gold',
  version: '1.0.0',
  api: 1,
  summary: 'Overnight return anomaly in gold: long from the close to the next open, flat through the US session',
  params,
  needs: (p) => ({ bars: [p.symbol], history: requiredBars(p) }),
  init: (): Record<string, never> => ({}),
  evaluate(ctx, p, state) {
    const bars = ctx.bars(p.symbol);
    const flat = (confidence: number, reason: string): { signals: { symbol: string; weight: number; closeWeight: number; confidence: number; reason: string }[]; state: typeof state } => ({
      signals: [{ symbol: p.symbol, weight: 0, closeWeight: 0, confidence, reason: reason.slice(0, 200) }],
      state,
    });
    if (bars.length < requiredBars(p)) return flat(0, `overnight ${p.symbol} waiting for history: ${bars.length} of ${requiredBars(p)} bars`);
    const overnight = sessionStats(bars, p.filterDays, 'overnight');
    const intraday = sessionStats(bars, p.filterDays, 'intraday');
    const vol = sessionStats(bars, p.volDays, 'overnight').sd * Math.sqrt(TRADING_DAYS_PER_YEAR);
    const on = p.filter === 'none' || overnight.t >= p.minTStat;
    const size = volatilityTargetSize(p.volTarget, vol);
    const closeWeight = on ? size : 0;
    const evidence = `${p.filterDays}d night ${bp(overnight.mean)} t ${signed(overnight.t, 1)}, day ${bp(intraday.mean)}`;
    const decision = on ? `long ${closeWeight.toFixed(2)} close-to-open` : `flat (t < ${p.minTStat})`;
    const reason = `overnight ${p.symbol} ${evidence}, night vol ${(vol * 100).toFixed(1)}% -> ${decision}`;
    if (!on) return flat(0, reason);
    return {
      signals: [{ symbol: p.symbol, weight: 0, closeWeight, confidence: Math.min(1, Math.max(0, 2 * normalCdf(Math.abs(overnight.t)) - 1)), reason: reason.slice(0, 200) }],
      state,
    };
  },
});

function requiredBars(p: Params): number {
  return Math.max(p.filterDays, p.volDays) + 1;
}

/**
 * Mean, sample std and t-statistic of the last `days` session returns: overnight = log(open / previous close),
 * intraday = log(close / open). The window holds consecutive trading days, so a weekend or holiday gap is one night.
 */
function sessionStats(bars: BarWindow, days: number, session: 'overnight' | 'intraday'): { mean: number; sd: number; t: number } {
  const n = bars.length;
  let sum = 0;
  let sumSquares = 0;
  for (let i = n - days; i < n; i++) {
    const r = session === 'overnight' ? Math.log((bars.open[i] as number) / (bars.close[i - 1] as number)) : Math.log((bars.close[i] as number) / (bars.open[i] as number));
    sum += r;
    sumSquares += r * r;
  }
  const mean = sum / days;
  const sd = Math.sqrt(Math.max(0, (sumSquares - days * mean * mean) / (days - 1)));
  return { mean, sd, t: sd > 0 ? (mean / sd) * Math.sqrt(days) : 0 };
}

/** A daily log return in basis points. */
function bp(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 10_000).toFixed(1)}bp`;
}

function signed(x: number, digits: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}
