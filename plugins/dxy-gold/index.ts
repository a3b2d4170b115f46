import { bandedWeight, defineStrategy, formatDate, MS_PER_DAY, sampleVolatility, ShError, volatilityTargetSize, windowMean, type ParamValues, type SeriesWindow, type Signal } from '../../core/index.js';

const SYMBOL = '^[A-Za-z0-9._/-]+$';
/** A three-month dollar move of this size (log) counts as a certain trend for the confidence. */
const FULL_CONFIDENCE_MOVE = 0.05;
/** Extra dollar rows so that a few gaps (NaN in a source) still leave enough observations. */
const GAP_SLACK = 10;

const params = {
  dollarSeries: { type: 'enum', values: ['macro:DTWEXBGS', 'macro:DXY'], default: 'macro:DTWEXBGS', description: 'The dollar index: FRED broad trade-weighted (next morning) or ICE DXY (at the close).' },
  goldSymbol: { type: 'string', default: 'GLD', pattern: SYMBOL, description: 'The gold instrument traded.' },
  maDays: { type: 'int', min: 20, max: 400, default: 200, description: 'Observations of the dollar index in its moving average.' },
  momentumDays: { type: 'int', min: 10, max: 252, default: 63, description: 'Observations of the dollar momentum (63 = three months).' },
  mixedExposure: { type: 'number', min: 0, max: 1, default: 0.5, description: 'Share of the full gold position when only one of the two dollar signals is bearish.' },
  uptrendExposure: { type: 'number', min: 0, max: 1, default: 0, description: 'Share of the full gold position in a dollar uptrend (above its average and rising): 0 is flat.' },
  dollarHedge: { type: 'boolean', default: false, description: 'In a dollar uptrend also hold hedgeSymbol (a long-dollar ETF), sized to the volatility target.' },
  hedgeSymbol: { type: 'string', default: 'UUP', pattern: SYMBOL, description: 'The long-dollar instrument held with dollarHedge.' },
  targetVol: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of a full position; weight = exposure x min(1, targetVol / vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily returns in the volatility estimates.' },
  maxStaleDays: { type: 'number', min: 1, max: 60, default: 10, description: 'Flat when the last dollar observation is older than this many calendar days.' },
  rebalanceBand: { type: 'number', min: 0, max: 1, default: 0.1, description: 'Relative no-trade band: a held weight is resized only when its target differs by more than this fraction of the larger of the two.' },
} as const;

type Params = ParamValues<typeof params>;

export interface DxyGoldState {
  /** The weight last emitted per symbol: the rebalance band compares new targets with it. */
  readonly weights: Readonly<Record<string, number>>;
}

type Regime = 'down' | 'mixed' | 'up';

/**
 * Gold against the dollar's trend: with the dollar index below its moving average and falling over three months,
 * hold gold at a volatility target; with one of the two only, part of it; in a dollar uptrend reduce (flat by
 * default), optionally holding a long-dollar ETF instead.
 */
export default defineStrategy({
  id: 'dxy-gold',
  version: '1.0.0',
  api: 1,
  summary: 'Gold on the dollar trend: long gold when the dollar index is below its moving average with negative 3-month momentum, reduce in a dollar uptrend',
  params,
  needs: (p) => {
    if (p.dollarHedge && p.hedgeSymbol === p.goldSymbol) {
      throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'parameter hedgeSymbol must differ from goldSymbol', {
        where: 'plugins.settings.dxy-gold.params.hedgeSymbol',
        received: p.hedgeSymbol,
        expected: `a symbol other than goldSymbol (${p.goldSymbol})`,
      });
    }
    return { bars: tradedSymbols(p), series: [p.dollarSeries], history: p.volDays + 1, seriesHistory: Math.max(p.maDays, p.momentumDays + 1) + GAP_SLACK };
  },
  init: (): DxyGoldState => ({ weights: {} }),
  evaluate(ctx, p, state) {
    const symbols = tradedSymbols(p);
    const name = p.dollarSeries.slice('macro:'.length);
    const flat = (reason: string): { signals: Signal[]; state: DxyGoldState } => ({
      signals: symbols.map((symbol) => ({ symbol, weight: 0, confidence: 0, reason: reason.slice(0, 200) })),
      state: { weights: {} },
    });
    const dollar = finiteValues(ctx.series(p.dollarSeries));
    const needed = Math.max(p.maDays, p.momentumDays + 1);
    if (dollar.values.length < needed) return flat(`dxy-gold waiting for history: ${dollar.values.length} of ${needed} ${name} observations`);
    const ageDays = (ctx.now - dollar.lastTime) / MS_PER_DAY;
    if (ageDays > p.maxStaleDays) return flat(`dxy-gold ${name} stale: last ${formatDate(dollar.lastTime)}, ${ageDays.toFixed(1)} days old (max ${p.maxStaleDays}): flat`);
    const vols = symbols.map((symbol) => sampleVolatility(ctx.bars(symbol).close, p.volDays));
    if (vols.some((v) => !Number.isFinite(v))) return flat(`dxy-gold waiting for history: ${ctx.bars(p.goldSymbol).length} of ${p.volDays + 1} ${p.goldSymbol} bars`);

    const values = dollar.values;
    const last = values[values.length - 1] as number;
    const average = windowMean(values, values.length - p.maDays);
    const momentum = Math.log(last / (values[values.length - 1 - p.momentumDays] as number));
    const below = last < average;
    const falling = momentum < 0;
    const regime: Regime = below && falling ? 'down' : !below && !falling ? 'up' : 'mixed';
    const exposure = regime === 'down' ? 1 : regime === 'up' ? p.uptrendExposure : p.mixedExposure;
    const goldVol = vols[0] as number;
    const targets: Record<string, number> = { [p.goldSymbol]: exposure * volatilityTargetSize(p.targetVol, goldVol) };
    if (symbols.length > 1) {
      const hedgeVol = vols[1] as number;
      targets[p.hedgeSymbol] = regime === 'up' ? volatilityTargetSize(p.targetVol, hedgeVol) : 0;
    }
    // Gold and the dollar hedge together stay within the plugin's capital.
    const gross = Object.values(targets).reduce((a, w) => a + Math.abs(w), 0);
    if (gross > 1) for (const symbol of Object.keys(targets)) targets[symbol] = (targets[symbol] as number) / gross;

    const confidence = Math.min(1, Math.abs(momentum) / FULL_CONFIDENCE_MOVE);
    const trend = `${name} ${last.toFixed(2)} ${below ? 'below' : 'above'} ${p.maDays}d avg ${average.toFixed(2)}, ${p.momentumDays}d ${percent(momentum)}: dollar ${regime === 'down' ? 'downtrend' : regime === 'up' ? 'uptrend' : 'mixed'}`;
    const weights: Record<string, number> = {};
    const signals: Signal[] = symbols.map((symbol, k) => {
      const target = targets[symbol] as number;
      const previous = state.weights[symbol] ?? 0;
      // Entries and exits always trade; a held position is resized only outside the band (Carver-style buffering).
      const weight = bandedWeight(target, previous, p.rebalanceBand);
      weights[symbol] = weight;
      const held = weight === target ? '' : `, held ${weight.toFixed(2)}`;
      return {
        symbol,
        weight,
        confidence: weight === 0 ? 0 : confidence,
        reason: `dxy-gold ${trend}; ${symbol} vol ${((vols[k] as number) * 100).toFixed(1)}% -> ${target.toFixed(2)}${held}`.slice(0, 200),
      };
    });
    return { signals, state: { weights } };
  },
});

function tradedSymbols(p: Params): string[] {
  return p.dollarHedge ? [p.goldSymbol, p.hedgeSymbol] : [p.goldSymbol];
}

/** The finite values of a macro window (a gap in the source can be NaN) and the time of the last one. */
function finiteValues(window: SeriesWindow): { values: number[]; lastTime: number } {
  const column = window.field('value');
  const values: number[] = [];
  let lastTime = Number.NaN;
  for (let i = 0; i < window.length; i++) {
    const v = column[i] as number;
    if (Number.isFinite(v) && v > 0) {
      values.push(v);
      lastTime = window.time[i] as number;
    }
  }
  return { values, lastTime };
}

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}
