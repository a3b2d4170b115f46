import { ageExceedsDays, bandedWeight, defineStrategy, formatDate, meanAndVariance, MS_PER_DAY, ShError, volatilityFromVariance, volatilityTargetSize, zScore, type BarWindow, type ParamValues, type Signal } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
const VIX = 'macro:VIX';

const params = {
  equitySymbol: { type: 'string', default: 'SPY', pattern: SYMBOL, description: 'The risk asset held in calm markets.' },
  goldSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold haven.' },
  bondSymbol: { type: 'string', default: 'TLT', pattern: SYMBOL, description: 'The Treasury haven.' },
  zWindowDays: { type: 'int', min: 60, max: 756, default: 252, description: 'Days of VIX closes in the z-score of its level.' },
  spikeLevel: { type: 'number', min: 10, max: 80, default: 25, description: 'A spike needs the VIX above this level.' },
  spikeZ: { type: 'number', min: 0, max: 5, default: 1.5, description: 'A spike needs the VIX z-score above this.' },
  risingDays: { type: 'int', min: 1, max: 20, default: 5, description: 'A spike needs the VIX above its close this many days ago.' },
  calmLevel: { type: 'number', min: 8, max: 60, default: 20, description: 'Back to equities when the VIX is below this level (or its z-score below calmZ).' },
  calmZ: { type: 'number', min: -2, max: 3, default: 0.5, description: 'Back to equities when the VIX z-score is below this (or its level below calmLevel).' },
  minHoldDays: { type: 'int', min: 0, max: 60, default: 10, description: 'Business days a regime is held at least before it may switch back.' },
  equityWeight: { type: 'number', min: 0, max: 1, default: 1, description: 'Equity weight in calm markets, before volatility scaling.' },
  havenGoldWeight: { type: 'number', min: 0, max: 1, default: 0.5, description: 'Gold weight in the haven, before volatility scaling.' },
  havenBondWeight: { type: 'number', min: 0, max: 1, default: 0.5, description: 'Treasury weight in the haven, before volatility scaling.' },
  havenEquityWeight: { type: 'number', min: 0, max: 1, default: 0, description: 'Equity weight kept in the haven, before volatility scaling.' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.15, description: 'Annualised volatility target of the whole allocation; all weights are scaled by min(1, volTarget / vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 20, description: 'Days of the allocation\'s daily returns in its volatility estimate.' },
  rebalanceBand: { type: 'number', min: 0, max: 1, default: 0.1, description: 'Relative no-trade band for volatility resizing within a regime: a weight moves only when its target differs by more than this fraction of the larger.' },
  maxDataAgeDays: { type: 'int', min: 1, max: 60, default: 7, description: 'Flat when the latest VIX close is older than this many days (a series that has stopped).' },
} as const;

type Params = ParamValues<typeof params>;

/** `calm`: in equities; `haven`: in gold and Treasuries. */
export type HavenMode = 'calm' | 'haven';

export interface VixHavenState {
  readonly mode: HavenMode;
  /** Time of the VIX close on which the current mode began; null before the first reading. */
  readonly since: number | null;
  /** The weights last emitted: the rebalance band compares new targets with them. */
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * Safe-haven rotation on VIX spikes: in equities while markets are calm; into gold and Treasuries when the VIX spikes
 * (above a level, unusually high against its past year, and rising); back when it calms down. Two thresholds and a
 * minimum holding period keep it from flipping daily; the allocation is scaled to a volatility target.
 */
export default defineStrategy({
  id: 'vix-haven',
  version: '1.0.0',
  api: 1,
  summary: 'Safe-haven rotation: SPY while the VIX is calm, GLD and TLT when it spikes (level, z-score, rising), with hysteresis',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return { bars: [p.equitySymbol, p.goldSymbol, p.bondSymbol], series: [VIX], history: p.volDays + 1, seriesHistory: Math.max(p.zWindowDays, p.risingDays + 1) };
  },
  init: (): VixHavenState => ({ mode: 'calm', since: null, weights: {} }),
  evaluate(ctx, p, state) {
    const vix = ctx.series(VIX);
    const n = vix.length;
    const symbols = [p.equitySymbol, p.goldSymbol, p.bondSymbol];
    const flat = (reason: string, next: Omit<VixHavenState, 'weights'>): { signals: Signal[]; state: VixHavenState } => ({
      signals: symbols.map((symbol) => ({ symbol, weight: 0, confidence: 0, reason: reason.slice(0, 200) })),
      state: { mode: next.mode, since: next.since, weights: {} },
    });
    if (n > 0 && ageExceedsDays(ctx.now, vix.available[n - 1] as number, p.maxDataAgeDays)) {
      return flat(`vix-haven ${VIX} stale: last close ${formatDate(vix.time[n - 1] as number)}, older than ${p.maxDataAgeDays}d`, state);
    }
    const needed = Math.max(p.zWindowDays, p.risingDays + 1);
    if (n < needed) return flat(`vix-haven waiting for history: ${n} of ${needed} VIX closes`, state);
    const level = vix.field('value');
    const last = level[n - 1] as number;
    const z = zScore(level).z;
    const change = last - (level[n - 1 - p.risingDays] as number);
    const now = vix.time[n - 1] as number;
    const held = state.since === null ? Number.POSITIVE_INFINITY : businessDaysBetween(state.since, now, p.minHoldDays);
    const spike = last > p.spikeLevel && z > p.spikeZ && change > 0;
    const calm = last < p.calmLevel || z < p.calmZ;
    let mode = state.mode;
    if (held >= p.minHoldDays) {
      if (mode === 'calm' && spike) mode = 'haven';
      else if (mode === 'haven' && calm) mode = 'calm';
    }
    const since = mode !== state.mode || state.since === null ? now : state.since;
    const base: Record<string, number> =
      mode === 'calm'
        ? { [p.equitySymbol]: p.equityWeight, [p.goldSymbol]: 0, [p.bondSymbol]: 0 }
        : { [p.equitySymbol]: p.havenEquityWeight, [p.goldSymbol]: p.havenGoldWeight, [p.bondSymbol]: p.havenBondWeight };
    const bars = symbols.map((symbol) => ctx.bars(symbol));
    const vol = allocationVolatility(bars, symbols.map((symbol) => base[symbol] as number), p.volDays);
    if (!Number.isFinite(vol)) return flat(`vix-haven waiting for history: fewer than ${p.volDays + 1} days with all of ${symbols.join(', ')}`, { mode, since });
    const scale = volatilityTargetSize(p.volTarget, vol);
    // Confidence: how far the VIX is from the threshold that would switch the regime, in z units (a rough guide).
    const confidence = Math.min(1, Math.abs(z - (mode === 'haven' ? p.calmZ : p.spikeZ)) / 2);
    const event = mode === state.mode ? `${mode} since ${formatDate(since)}` : `${state.mode} -> ${mode}`;
    const weights: Record<string, number> = {};
    for (const symbol of symbols) weights[symbol] = bandedWeight((base[symbol] as number) * scale, state.weights[symbol] ?? 0, p.rebalanceBand);
    const allocation = symbols.map((symbol) => `${symbol} ${(weights[symbol] as number).toFixed(2)}`).join(' ');
    const reason = `vix-haven VIX ${last.toFixed(1)} z ${signed(z)} ${p.risingDays}d ${signed(change)}${spike ? ' spike' : calm ? ' calm' : ''}: ${event}, vol ${(vol * 100).toFixed(0)}% x${scale.toFixed(2)} -> ${allocation}`;
    return { signals: symbols.map((symbol) => ({ symbol, weight: weights[symbol] as number, confidence, reason: reason.slice(0, 200) })), state: { mode, since, weights } };
  },
});

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ShError[] = [];
  const bad = (name: string, received: unknown, expected: string): void => {
    problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, { where: `plugins.settings.vix-haven.params.${name}`, received, expected }));
  };
  const symbols = [p.equitySymbol, p.goldSymbol, p.bondSymbol];
  if (new Set(symbols).size !== symbols.length) bad('bondSymbol', symbols, 'three different symbols for equitySymbol, goldSymbol and bondSymbol');
  if (!(p.calmLevel < p.spikeLevel)) bad('calmLevel', p.calmLevel, `less than spikeLevel (${p.spikeLevel})`);
  if (!(p.calmZ < p.spikeZ)) bad('calmZ', p.calmZ, `less than spikeZ (${p.spikeZ})`);
  const haven = p.havenGoldWeight + p.havenBondWeight + p.havenEquityWeight;
  if (haven > 1) bad('havenGoldWeight', haven, 'havenGoldWeight + havenBondWeight + havenEquityWeight at most 1');
  if (problems.length > 0) throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for vix-haven`, { where: 'plugins.settings.vix-haven.params' }, problems);
}

/**
 * Annualised volatility of the allocation's daily returns over the last `days` days on which every leg with a weight
 * has a bar (sum of weight x leg log return: the covariance of the legs is in it); NaN when there are too few such days.
 */
function allocationVolatility(bars: readonly BarWindow[], weights: readonly number[], days: number): number {
  const legs = bars.map((window, k) => ({ window, weight: weights[k] as number, index: new Map<number, number>() })).filter((leg) => leg.weight !== 0);
  if (legs.length === 0) return 0;
  for (const leg of legs) for (let i = 0; i < leg.window.length; i++) leg.index.set(leg.window.time[i] as number, i);
  const first = legs[0] as (typeof legs)[number];
  const returns: number[] = [];
  for (let i = first.window.length - 1; i >= 1 && returns.length < days; i--) {
    const t = first.window.time[i] as number;
    const previous = first.window.time[i - 1] as number;
    let r = 0;
    let complete = true;
    for (const leg of legs) {
      const at = leg.index.get(t);
      const before = leg.index.get(previous);
      if (at === undefined || before === undefined) {
        complete = false;
        break;
      }
      r += leg.weight * Math.log((leg.window.close[at] as number) / (leg.window.close[before] as number));
    }
    if (complete) returns.push(r);
  }
  if (returns.length < days) return Number.NaN;
  return volatilityFromVariance(meanAndVariance(returns).variance);
}

/** Weekdays after `from` up to and including `to`, counted up to `cap` (enough to compare with it). */
function businessDaysBetween(from: number, to: number, cap: number): number {
  let count = 0;
  for (let t = from + MS_PER_DAY; t <= to && count < cap; t += MS_PER_DAY) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
