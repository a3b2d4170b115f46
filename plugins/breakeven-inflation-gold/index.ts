import { ageExceedsDays, bandedWeight, defineStrategy, formatDate, lagDifferences, sampleVolatility, ShError, volatilityTargetSize, zScoreAroundZero, type ParamValues, type Signal } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
const BREAKEVEN = 'macro:T10YIE';

const params = {
  symbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold instrument traded.' },
  changeDays: { type: 'int', min: 21, max: 63, default: 63, description: 'Business days (rows of T10YIE) of the breakeven change: 21 to 63, one to three months.' },
  zWindowDays: { type: 'int', min: 126, max: 1260, default: 756, description: 'Days of past changeDays-changes that scale the latest change into a z-score.' },
  entryZ: { type: 'number', min: 0, max: 3, default: 0, description: 'Long only when the change z-score is above this (0: any rise).' },
  fullZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'Change z-score at which the position is at full size (linear below, capped above).' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of a full-size position; weight = min(1, z / fullZ) x min(1, volTarget / vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in the volatility estimate.' },
  rebalanceBand: { type: 'number', min: 0, max: 1, default: 0.1, description: 'Relative no-trade band: the weight moves only when the target differs from it by more than this fraction of the larger.' },
  maxDataAgeDays: { type: 'int', min: 1, max: 60, default: 7, description: 'Flat when the latest breakeven is older than this many days (a series that has stopped).' },
} as const;

type Params = ParamValues<typeof params>;

export interface BreakevenGoldState {
  /** The weight last emitted: the rebalance band compares new targets with it. */
  readonly weight: number;
}

/**
 * Gold as an inflation hedge: long gold while the 10-year breakeven inflation rate (T10YIE) has risen over the last
 * one to three months, sized by how unusual the rise is (its z-score) and to a volatility target; flat while it falls.
 */
export default defineStrategy({
  id: 'breakeven-inflation-gold',
  version: '1.0.0',
  api: 1,
  summary: 'Gold as an inflation hedge: long while the 10y breakeven rises, sized by the z-score of the rise; flat while it falls',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return { bars: [p.symbol], series: [BREAKEVEN], history: p.volDays + 1, seriesHistory: p.zWindowDays + p.changeDays };
  },
  init: (): BreakevenGoldState => ({ weight: 0 }),
  evaluate(ctx, p, state) {
    const breakeven = ctx.series(BREAKEVEN);
    const close = ctx.bars(p.symbol).close;
    const flat = (reason: string): { signals: Signal[]; state: BreakevenGoldState } => ({ signals: [{ symbol: p.symbol, weight: 0, confidence: 0, reason: reason.slice(0, 200) }], state: { weight: 0 } });
    const n = breakeven.length;
    if (n > 0 && ageExceedsDays(ctx.now, breakeven.available[n - 1] as number, p.maxDataAgeDays)) {
      return flat(`be-gold ${BREAKEVEN} stale: last value ${formatDate(breakeven.time[n - 1] as number)}, older than ${p.maxDataAgeDays}d`);
    }
    const needed = p.zWindowDays + p.changeDays;
    const vol = sampleVolatility(close, p.volDays);
    if (n < needed || !Number.isFinite(vol)) {
      const barsShort = close.length < p.volDays + 1 ? `, ${close.length} of ${p.volDays + 1} bars` : '';
      return flat(`be-gold waiting for history: ${n} of ${needed} T10YIE days${barsShort}`);
    }
    const value = breakeven.field('value');
    const change = (value[n - 1] as number) - (value[n - 1 - p.changeDays] as number);
    const z = changeZ(value, p.changeDays, p.zWindowDays);
    const strength = z > p.entryZ ? Math.min(1, z / p.fullZ) : 0;
    const size = volatilityTargetSize(p.volTarget, vol);
    const target = strength * size;
    const weight = bandedWeight(target, state.weight, p.rebalanceBand);
    const held = weight === target ? '' : ` held ${weight.toFixed(2)}`;
    const direction = change > 0 ? 'rising' : change < 0 ? 'falling' : 'unchanged';
    const reason = `be-gold T10YIE ${(value[n - 1] as number).toFixed(2)} ${direction} ${signed(change)} over ${p.changeDays}d, z ${signed(z)} -> strength ${strength.toFixed(2)}, vol ${(vol * 100).toFixed(0)}% -> ${target.toFixed(2)}${held}`;
    return { signals: [{ symbol: p.symbol, weight, confidence: strength, reason: reason.slice(0, 200) }], state: { weight } };
  },
});

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  if (!(p.entryZ < p.fullZ)) {
    throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'parameter entryZ must be less than fullZ', {
      where: 'plugins.settings.breakeven-inflation-gold.params.entryZ',
      received: p.entryZ,
      expected: `a number less than fullZ (${p.fullZ})`,
    });
  }
}

/**
 * The latest `lag`-row change divided by the root mean square of the last `window` such changes (overlapping, daily).
 * The changes are not demeaned: a slow multi-year rise in breakevens must not turn a rise into "below average".
 */
function changeZ(value: Float64Array, lag: number, window: number): number {
  return zScoreAroundZero(lagDifferences(value, lag).subarray(-window));
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
