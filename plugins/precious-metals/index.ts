import { bandedWeight, commonCloses, commonLogRatios, covarianceMatrix, defineStrategy, lagDifferences, lagLogChanges, logReturns, portfolioVariance, ShError, volatilityFromVariance, zScore, zScoreAroundZero, type BarWindow, type ParamValues, type SeriesWindow, type Signal } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
const REAL_RATE = 'macro:DFII10';
/** Extra rows beyond the longest lookback so that a few days missing in one leg still leave enough aligned days. */
const ALIGNMENT_SLACK = 20;

const params = {
  goldSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold leg of the basket.' },
  silverSymbol: { type: 'string', default: 'SLV', pattern: SYMBOL, description: 'The silver leg.' },
  platinumSymbol: { type: 'string', default: 'PPLT', pattern: SYMBOL, description: 'The platinum leg.' },
  useTrend: { type: 'boolean', default: true, description: 'Trend sub-signal: sign of each metal\'s trendDays return.' },
  useValue: { type: 'boolean', default: true, description: 'Value sub-signal: z-scores of log(gold/silver) and log(gold/platinum); the cheap metal long, gold the other side.' },
  useMacro: { type: 'boolean', default: true, description: 'Macro sub-signal: falling 10y real yield and weakening dollar are long all metals.' },
  trendDays: { type: 'int', min: 20, max: 504, default: 252, description: 'Days of the trend return (252 = 12 months).' },
  valueDays: { type: 'int', min: 250, max: 756, default: 504, description: 'Aligned days in the z-score of each ratio.' },
  macroChangeDays: { type: 'int', min: 5, max: 252, default: 63, description: 'Rows of the change in the real yield and the dollar (63 = 3 months).' },
  macroZDays: { type: 'int', min: 126, max: 1260, default: 756, description: 'Rows of overlapping changes whose std z-scores the latest change.' },
  dollarSeries: { type: 'enum', values: ['macro:DTWEXBGS', 'macro:DXY'], default: 'macro:DTWEXBGS', description: 'The dollar index of the macro sub-signal.' },
  fullScaleZ: { type: 'number', min: 0.5, max: 5, default: 2, description: '|z| at which a value or macro sub-signal reaches full strength (clipped beyond).' },
  covDays: { type: 'int', min: 20, max: 504, default: 126, description: 'Aligned days of daily returns in the covariance that sets the risk of each sub-signal.' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised ex-ante volatility of the blend at full strength of uncorrelated sub-signals; never exceeded.' },
  rebalanceBand: { type: 'number', min: 0, max: 1, default: 0.1, description: 'Relative no-trade band, as in tsmom: a held weight moves only beyond this fraction of the larger of old and new.' },
} as const;

type Params = ParamValues<typeof params>;

export interface CompositeState {
  /** The weight last emitted per symbol, for the rebalance band. */
  readonly weights: Readonly<Record<string, number>>;
}

/** A sub-signal: a strength in [-1, 1] per basket position (gold, silver, platinum), and what drove it. */
interface SubSignal {
  readonly name: string;
  readonly strength: readonly number[];
  /** The sub-signal's full-strength shape, whose ex-ante risk is its unit: outright long, or gold against the rest. */
  readonly reference: readonly number[];
  readonly text: string;
}

const OUTRIGHT = [1, 1, 1];
const GOLD_AGAINST_OTHERS = [-1, 1, 1];

/**
 * A precious-metals composite: trend, value (ratio z-scores) and macro (real yield, dollar) sub-signals, each a
 * sub-portfolio of gold, silver and platinum normalised to unit ex-ante risk at full strength, summed with equal risk
 * weights and scaled to the volatility target (never above it). Carry waits for curve data.
 */
export default defineStrategy({
  id: 'precious-metals',
  version: '1.0.0',
  api: 1,
  summary: 'Precious-metals composite: equal-risk blend of trend, value (ratio z-scores) and macro sub-signals on GLD, SLV, PPLT',
  params,
  needs: (p) => {
    checkParamRelations(p);
    return {
      bars: basket(p),
      series: p.useMacro ? [REAL_RATE, p.dollarSeries] : [],
      history: Math.max(p.trendDays + 1, p.useValue ? p.valueDays : 0, p.covDays + 1) + ALIGNMENT_SLACK,
      seriesHistory: p.macroChangeDays + p.macroZDays + 1,
    };
  },
  init: (): CompositeState => ({ weights: {} }),
  evaluate(ctx, p, state) {
    const symbols = basket(p);
    const bars = symbols.map((symbol) => ctx.bars(symbol));
    const covariance = covarianceOf(bars, p.covDays);
    if (!covariance) {
      const reason = `pm waiting for history: fewer than ${p.covDays + 1} days on which ${symbols.join(', ')} all have a bar`;
      return { signals: symbols.map((symbol) => ({ symbol, weight: 0, confidence: 0, reason })), state: { weights: {} } };
    }
    const subSignals: SubSignal[] = [];
    if (p.useTrend) subSignals.push(trendSignal(bars, p));
    if (p.useValue) subSignals.push(valueSignal(bars, p));
    if (p.useMacro) subSignals.push(macroSignal(ctx.series(REAL_RATE), ctx.series(p.dollarSeries), p));
    const blend = blendToTarget(subSignals, covariance, p.volTarget);
    const weights: Record<string, number> = {};
    const summary = subSignals.map((s) => s.text).join('; ');
    const signals: Signal[] = symbols.map((symbol, i) => {
      const target = clamp(blend.weights[i] as number);
      const previous = state.weights[symbol] ?? 0;
      const weight = bandedWeight(target, previous, p.rebalanceBand);
      weights[symbol] = weight;
      const parts = subSignals.map((s) => `${s.name} ${signed(s.strength[i] as number)}`).join(' ');
      return {
        symbol,
        weight,
        confidence: blend.conviction,
        reason: `pm ${symbol} ${parts} -> ${signed(target)}${weight === target ? '' : ` held ${signed(weight)}`}, book vol ${(blend.vol * 100).toFixed(1)}% | ${summary}`.slice(0, 200),
      };
    });
    return { signals, state: { weights } };
  },
});

function basket(p: Params): string[] {
  return [p.goldSymbol, p.silverSymbol, p.platinumSymbol];
}

/** Trend (Moskowitz-Ooi-Pedersen): the sign of each metal's trendDays log return; 0 without the history. */
function trendSignal(bars: readonly BarWindow[], p: Params): SubSignal {
  const returns = bars.map((b) => (b.length > p.trendDays ? Math.log((b.close[b.length - 1] as number) / (b.close[b.length - 1 - p.trendDays] as number)) : Number.NaN));
  const strength = returns.map((r) => (Number.isFinite(r) ? Math.sign(r) : 0));
  return { name: 'trend', strength, reference: OUTRIGHT, text: `trend ${returns.map((r) => (Number.isFinite(r) ? percent(Math.expm1(r)) : 'n/a')).join('/')}` };
}

/**
 * Value: z of log(gold/silver) and log(gold/platinum) over valueDays aligned days. A high ratio is gold rich: the
 * other metal long at clip(z / fullScaleZ), gold short at the mean of the two; a pair without the history gives 0.
 */
function valueSignal(bars: readonly BarWindow[], p: Params): SubSignal {
  const [gold, silver, platinum] = bars as [BarWindow, BarWindow, BarWindow];
  const zSilver = ratioZ(gold, silver, p.valueDays);
  const zPlatinum = ratioZ(gold, platinum, p.valueDays);
  const s = Number.isFinite(zSilver) ? clamp(zSilver / p.fullScaleZ) : 0;
  const pl = Number.isFinite(zPlatinum) ? clamp(zPlatinum / p.fullScaleZ) : 0;
  const z = (x: number): string => (Number.isFinite(x) ? signed(x) : 'n/a');
  return { name: 'value', strength: [-(s + pl) / 2, s, pl], reference: GOLD_AGAINST_OTHERS, text: `value z au/ag ${z(zSilver)} au/pt ${z(zPlatinum)}` };
}

/**
 * Macro (Erb-Harvey 2013 for real rates): -(z of the macroChangeDays change in the 10y real yield + z of the log
 * change of the dollar index) / 2, clipped at fullScaleZ; the same for every metal. 0 while either series is short.
 */
function macroSignal(realRate: SeriesWindow, dollar: SeriesWindow, p: Params): SubSignal {
  const real = changeZ(realRate.field('value'), p.macroChangeDays, false);
  const usd = changeZ(dollar.field('value'), p.macroChangeDays, true);
  if (!real || !usd) return { name: 'macro', strength: [0, 0, 0], reference: OUTRIGHT, text: `macro waiting for ${p.macroChangeDays + 21} rows` };
  const m = clamp(-(real.z + usd.z) / 2 / p.fullScaleZ);
  return { name: 'macro', strength: [m, m, m], reference: OUTRIGHT, text: `macro real ${signed(real.change)}pp z ${signed(real.z)}, usd ${percent(Math.expm1(usd.change))} z ${signed(usd.z)}` };
}

/**
 * Equal risk: each sub-signal's positions (strength / instrument vol) are divided by the ex-ante risk of its
 * reference shape at full strength (all metals long for trend and macro, gold against silver and platinum for
 * value), so every sub-signal at full strength in its reference shape has unit risk. The K sub-portfolios are summed with weights 1 / sqrt(K), which gives K uncorrelated unit-risk
 * sub-portfolios unit risk together, and scaled to volTarget; when correlated sub-signals would run above the target,
 * the blend is scaled down to it.
 */
function blendToTarget(subSignals: readonly SubSignal[], covariance: Covariance, volTarget: number): { weights: number[]; vol: number; conviction: number } {
  const n = covariance.length;
  const sigma = covariance.map((row, i) => volatilityFromVariance(row[i] as number));
  const blend = new Array<number>(n).fill(0);
  const share = 1 / Math.sqrt(subSignals.length);
  const perUnitRisk = (strength: readonly number[]): number[] => strength.map((s, i) => ((sigma[i] as number) > 0 ? s / (sigma[i] as number) : 0));
  for (const signal of subSignals) {
    // The unit is the risk of the sub-signal's reference shape, not of its current one: a leg changing sign moves
    // that leg only, instead of re-scaling the whole sub-portfolio.
    const unit = portfolioVol(perUnitRisk(signal.reference), covariance);
    if (!(unit > 0)) continue;
    perUnitRisk(signal.strength).forEach((x, i) => {
      blend[i] = (blend[i] as number) + (share * volTarget * x) / unit;
    });
  }
  const blendVol = portfolioVol(blend, covariance);
  const weights = blendVol > volTarget ? blend.map((w) => (w * volTarget) / blendVol) : blend;
  const vol = Math.min(blendVol, volTarget);
  return { weights, vol, conviction: Math.min(1, vol / volTarget) };
}

type Covariance = number[][];

/** Annualised ex-ante volatility of weights w under a daily covariance. */
function portfolioVol(w: readonly number[], covariance: Covariance): number {
  return volatilityFromVariance(Math.max(0, portfolioVariance(w, covariance)));
}

/** Daily covariance of log returns over the last `days` dates on which every window has a bar; undefined if too few. */
function covarianceOf(windows: readonly BarWindow[], days: number): Covariance | undefined {
  const closes = commonCloses(windows, days + 1);
  if ((closes[0] as number[]).length < days + 1) return undefined;
  return covarianceMatrix(closes.map((c) => logReturns(c)));
}

/** z-score of the last log(a/b) against its last `days` aligned values; NaN without the history. */
function ratioZ(a: BarWindow, b: BarWindow, days: number): number {
  const ratios = commonLogRatios(a, b, days);
  return ratios.length < days ? Number.NaN : zScore(ratios).z;
}

/**
 * The latest change over `lag` rows (a difference, or a log change with `logChange`) and its z-score against the std
 * of all overlapping `lag`-row changes in the window (at least 20 of them); undefined when the window is too short.
 * Non-finite values (gaps) are skipped.
 */
function changeZ(values: Float64Array, lag: number, logChange: boolean): { change: number; z: number } | undefined {
  const clean = Array.from(values).filter((v) => Number.isFinite(v) && (!logChange || v > 0));
  const changes = logChange ? lagLogChanges(clean, lag) : lagDifferences(clean, lag);
  if (changes.length < 20) return undefined;
  // The std around zero: a trending window should not make its own trend look normal.
  return { change: changes[changes.length - 1] as number, z: zScoreAroundZero(changes) };
}

/** Cross-parameter rules the per-parameter bounds cannot express. */
function checkParamRelations(p: Params): void {
  const problems: ShError[] = [];
  const bad = (name: string, received: unknown, expected: string): void => {
    problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, { where: `plugins.settings.precious-metals.params.${name}`, received, expected }));
  };
  if (new Set(basket(p)).size < 3) bad('platinumSymbol', basket(p), 'three different symbols for gold, silver and platinum');
  if (!p.useTrend && !p.useValue && !p.useMacro) bad('useTrend', false, 'at least one of useTrend, useValue, useMacro true');
  if (problems.length > 0) throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for precious-metals`, { where: 'plugins.settings.precious-metals.params' }, problems);
}

function clamp(x: number): number {
  return Math.max(-1, Math.min(1, x));
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}
