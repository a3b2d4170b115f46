import { defineStrategy, meanAndVariance, MS_PER_DAY, normalCdf, sampleVolatility, ShError, TRADING_DAYS_PER_YEAR, volatilityTargetSize, type ParamValues, type Signal } from '../../core/index.js';

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const params = {
  universe: { type: 'symbols', default: ['GLD', 'SLV'], minItems: 1, maxItems: 20, description: 'Instruments traded, each on its own calendar statistics.' },
  mode: { type: 'enum', values: ['both', 'month', 'turn-of-month'], default: 'both', description: 'month: month-of-year effect; turn-of-month: the days around month ends; both: their signs added, capped at one unit.' },
  tStatThreshold: { type: 'number', min: 0, max: 5, default: 2, description: 'Trade a period only when |t| of its historical mean return is at least this.' },
  minYears: { type: 'int', min: 3, max: 30, default: 10, description: 'Years of history a period needs before it can trade (observations of a calendar month; 12 a year for turn-of-month).' },
  maxYears: { type: 'int', min: 5, max: 40, default: 30, description: 'Years of bars read: the expanding window stops growing here.' },
  tomDaysBefore: { type: 'int', min: 0, max: 5, default: 1, description: 'Turn-of-month window: trading days before the month end (last k days of the month).' },
  tomDaysAfter: { type: 'int', min: 0, max: 10, default: 3, description: 'Turn-of-month window: first trading days of the new month.' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility target of the whole plugin; each instrument gets volTarget / n.' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily log returns in the volatility estimate.' },
} as const;

type Params = ParamValues<typeof params>;

/** Mean, t-statistic and count of a set of period returns. */
interface PeriodStats {
  readonly mean: number;
  readonly t: number;
  readonly count: number;
}

/**
 * Calendar seasonality in precious metals: an expanding-window mean log return per calendar month and for the
 * turn-of-month window; hold the sign of the coming period's mean when its t-statistic passes the threshold,
 * volatility-targeted. Stateless: every statistic is recomputed from the window.
 */
export default defineStrategy({
  id: 'seasonality-pm',
  version: '1.0.0',
  api: 1,
  summary: 'Calendar effects in gold and silver: trade the month-of-year and turn-of-month means whose t-statistic passes a threshold',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return { bars: p.universe, history: p.maxYears * TRADING_DAYS_PER_YEAR + p.volDays + 1 };
  },
  init: (): Record<string, never> => ({}),
  evaluate(ctx, p, state) {
    const signals: Signal[] = p.universe.map((symbol) => {
      const bars = ctx.bars(symbol);
      const close = bars.close;
      const vol = sampleVolatility(close, p.volDays);
      if (!Number.isFinite(vol)) {
        return { symbol, weight: 0, confidence: 0, reason: `season ${symbol} waiting for history: ${close.length} of ${p.volDays + 1} bars` };
      }
      const lastDay = Math.floor((bars.time[bars.length - 1] as number) / MS_PER_DAY);
      const next = nextWeekday(lastDay);
      const parts: string[] = [];
      let direction = 0;
      let confidence = 0;
      const use = (stats: PeriodStats, label: string, needed: number): void => {
        const passes = stats.count >= needed && Math.abs(stats.t) >= p.tStatThreshold;
        if (passes) {
          direction += Math.sign(stats.mean);
          confidence = Math.max(confidence, 2 * normalCdf(Math.abs(stats.t)) - 1);
        }
        const evidence = stats.count >= needed ? `t ${signed(stats.t, 1)}${passes ? '' : ' < ' + p.tStatThreshold}` : `${stats.count} of ${needed} obs`;
        parts.push(`${label} ${signed(stats.mean * 100, 2)}% ${evidence}`);
      };
      const split = splitMonths(bars.time, close);
      if (p.mode !== 'turn-of-month') {
        const month = civilMonth(next);
        use(monthStats(split, month), MONTH_NAMES[month - 1] as string, p.minYears);
      }
      if (p.mode !== 'month') {
        if (inTurnOfMonth(next, p.tomDaysBefore, p.tomDaysAfter)) use(turnOfMonthStats(split, close, p.tomDaysBefore, p.tomDaysAfter), `ToM -${p.tomDaysBefore}..+${p.tomDaysAfter}`, 12 * p.minYears);
        else parts.push('outside ToM');
      }
      direction = Math.max(-1, Math.min(1, direction));
      const size = volatilityTargetSize(p.volTarget / p.universe.length, vol);
      const weight = direction * size;
      const position = weight === 0 ? 'flat' : `${weight > 0 ? 'long' : 'short'} ${Math.abs(weight).toFixed(2)}`;
      return {
        symbol,
        weight,
        confidence: weight === 0 ? 0 : Math.min(1, confidence),
        reason: `season ${symbol} ${parts.join('; ')} -> ${position}, vol ${(vol * 100).toFixed(0)}%`.slice(0, 200),
      };
    });
    return { signals, state };
  },
});

/** The complete calendar months of a window, in order. */
interface MonthSplit {
  /** Index of each month's first bar. */
  readonly firstIndex: readonly number[];
  /** Index of each month's last bar. */
  readonly lastIndex: readonly number[];
  /** Calendar month, 1-12. */
  readonly month: readonly number[];
  /** Log return of the month: its last close over the last close before it. */
  readonly returns: readonly number[];
}

/**
 * Months of the window that are complete: a later month has begun, and the month did not begin before the window
 * (the first month of the window may start mid-month, so it only provides the close the next month starts from).
 */
function splitMonths(time: Float64Array, close: Float64Array): MonthSplit {
  const split = { firstIndex: [] as number[], lastIndex: [] as number[], month: [] as number[], returns: [] as number[] };
  let start = 0;
  let current = monthKey(time[0] as number);
  for (let i = 1; i < close.length; i++) {
    const key = monthKey(time[i] as number);
    if (key === current) continue;
    if (start > 0) {
      split.firstIndex.push(start);
      split.lastIndex.push(i - 1);
      split.month.push((current % 12) + 1);
      split.returns.push(Math.log((close[i - 1] as number) / (close[start - 1] as number)));
    }
    start = i;
    current = key;
  }
  return split;
}

/** Statistics of the returns of every complete occurrence of calendar `month`. */
function monthStats(split: MonthSplit, month: number): PeriodStats {
  return statsOf(split.returns.filter((_, k) => split.month[k] === month));
}

/**
 * Log return over each historical turn-of-month window: from the close before the last `before` bars of a month to
 * the close of the `after`-th bar of the next month.
 */
function turnOfMonthStats(split: MonthSplit, close: Float64Array, before: number, after: number): PeriodStats {
  const returns: number[] = [];
  for (let k = 0; k + 1 < split.lastIndex.length; k++) {
    const from = (split.lastIndex[k] as number) - before;
    const to = (split.firstIndex[k + 1] as number) + after - 1;
    // Both ends inside the two months: a short month (after a listing, or a holiday cluster) is skipped.
    if (from < (split.firstIndex[k] as number) - 1 || to > (split.lastIndex[k + 1] as number)) continue;
    returns.push(Math.log((close[to] as number) / (close[from] as number)));
  }
  return statsOf(returns);
}

function statsOf(returns: readonly number[]): PeriodStats {
  const count = returns.length;
  if (count < 2) return { mean: count === 1 ? (returns[0] as number) : 0, t: 0, count };
  const { mean, variance } = meanAndVariance(returns);
  const sd = Math.sqrt(variance);
  return { mean, t: sd > 0 ? mean / (sd / Math.sqrt(count)) : 0, count };
}

/**
 * Whether weekday `day` (days since epoch) is one of the last `before` weekdays of its month or one of its first
 * `after`. Weekdays stand for trading days: an exchange holiday near a month end shifts the window by a day.
 */
function inTurnOfMonth(day: number, before: number, after: number): boolean {
  let fromStart = 0;
  for (let d = day; civilMonthKey(d) === civilMonthKey(day); d--) if (isWeekday(d)) fromStart++;
  let toEnd = 0;
  for (let d = day; civilMonthKey(d) === civilMonthKey(day); d++) if (isWeekday(d)) toEnd++;
  return fromStart <= after || toEnd <= before;
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ShError[] = [];
  const bad = (name: string, received: unknown, expected: string): void => {
    problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, { where: `plugins.settings.seasonality-pm.params.${name}`, received, expected }));
  };
  if (p.minYears >= p.maxYears) bad('minYears', p.minYears, `less than maxYears (${p.maxYears})`);
  if (p.mode !== 'month' && p.tomDaysBefore + p.tomDaysAfter === 0) bad('tomDaysAfter', p.tomDaysAfter, 'tomDaysBefore + tomDaysAfter of at least 1 when mode uses the turn of the month');
  if (problems.length > 0) throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for seasonality-pm`, { where: 'plugins.settings.seasonality-pm.params' }, problems);
}

function isWeekday(day: number): boolean {
  // 1970-01-01 was a Thursday (4).
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
}

function nextWeekday(day: number): number {
  let d = day + 1;
  while (!isWeekday(d)) d++;
  return d;
}

function monthKey(time: number): number {
  return civilMonthKey(Math.floor(time / MS_PER_DAY));
}

/** year x 12 + month - 1 of a day count since 1970-01-01 (Hinnant's civil-from-days; no Date objects, it runs per bar). */
function civilMonthKey(day: number): number {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

function civilMonth(day: number): number {
  return (civilMonthKey(day) % 12) + 1;
}

function signed(x: number, digits: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}
