import { DAILY_CLOSE_LAG_MS, MS_PER_HOUR, NEXT_MORNING_LAG_MS } from '../../../core/index.js';
import type { Availability, SeriesData, SeriesId } from '../../../core/index.js';
import { buildSeries, roundTo, seriesSpec } from './generator.js';
import type { SeriesGenerator } from './generator.js';
import type { Rng } from './prng.js';
import type { LatentState, World } from './world.js';

const AT_CLOSE: Availability = { rule: 'lag', lagMs: DAILY_CLOSE_LAG_MS };
const NEXT_MORNING: Availability = { rule: 'lag', lagMs: NEXT_MORNING_LAG_MS };
/** London fixes: gold AM at 10:30, silver at 12:00, written here in UTC (exact in winter, an hour late in summer). */
const LBMA_GOLD_AM: Availability = { rule: 'lag', lagMs: 10.5 * MS_PER_HOUR };
const LBMA_SILVER: Availability = { rule: 'lag', lagMs: 12 * MS_PER_HOUR };

/** One macro series: a value per business day from the latent state. */
interface MacroModel {
  readonly name: string;
  readonly availability: Availability;
  readonly description: string;
  values(world: World, rng: Rng): Float64Array;
}

function mapDays(world: World, value: (i: number) => number): Float64Array {
  const out = new Float64Array(world.length);
  for (let i = 0; i < world.length; i++) out[i] = value(i);
  return out;
}

/**
 * A London fix: the previous close moved by the overnight return and a share of the day's return (the fix is taken
 * before the New York close), plus fixing noise.
 */
function londonFix(world: World, rng: Rng, spot: Float64Array, dayReturn: Float64Array, overnight: Float64Array, share: number, decimals: number): Float64Array {
  return mapDays(world, (i) => {
    const noise = 0.001 * rng.normal();
    if (i === 0) return roundTo((spot[0] as number) * Math.exp(noise), decimals);
    const intraday = (dayReturn[i] as number) - (overnight[i] as number);
    return roundTo((spot[i - 1] as number) * Math.exp((overnight[i] as number) + share * intraday + noise), decimals);
  });
}

/** A macro series that is one latent factor of the world, rounded to `decimals`. */
function latentSeries(factor: keyof LatentState, decimals: number): MacroModel['values'] {
  return (w) => mapDays(w, (i) => roundTo(w.latent[factor][i] as number, decimals));
}

const MODELS: readonly MacroModel[] = [
  {
    name: 'VIX', availability: AT_CLOSE,
    description: 'Equity implied volatility (CBOE VIX close): mean-reverting, spikes when the regime turns stressed.',
    values: latentSeries('equityImpliedVol', 2),
  },
  {
    name: 'GVZ', availability: AT_CLOSE,
    description: 'Gold implied volatility (CBOE GVZ close): mean-reverting, higher under stress and after large gold moves.',
    values: latentSeries('goldImpliedVol', 2),
  },
  {
    name: 'DFII10', availability: NEXT_MORNING,
    description: '10-year TIPS real yield, percent (FRED, next morning). Gold returns load -0.12 per point of its changes.',
    values: latentSeries('realYield', 2),
  },
  {
    name: 'DGS10', availability: NEXT_MORNING,
    description: '10-year Treasury yield, percent (FRED, next morning): real yield plus breakeven.',
    values: latentSeries('nominal10', 2),
  },
  {
    name: 'DGS2', availability: NEXT_MORNING,
    description: '2-year Treasury yield, percent (FRED, next morning): the 10-year less a mean-reverting curve slope.',
    values: latentSeries('nominal2', 2),
  },
  {
    name: 'T10YIE', availability: NEXT_MORNING,
    description: '10-year breakeven inflation, percent (FRED, next morning): DGS10 less DFII10 before rounding.',
    values: latentSeries('breakeven', 2),
  },
  {
    name: 'DXY', availability: AT_CLOSE,
    description: 'ICE dollar index close: the dollar factor (UUP follows it).',
    values: latentSeries('dollarIndex', 3),
  },
  {
    name: 'DTWEXBGS', availability: NEXT_MORNING,
    description: 'Broad trade-weighted dollar (FRED, next morning): 0.75 elasticity to DXY around 117, plus its own drift.',
    values: (w, rng) => {
      let own = 0;
      return mapDays(w, (i) => {
        own = 0.995 * own + 0.0015 * rng.normal();
        return roundTo(117 * ((w.latent.dollarIndex[i] as number) / 95) ** 0.75 * Math.exp(own), 4);
      });
    },
  },
  {
    name: 'LBMA-GOLD-AM', availability: LBMA_GOLD_AM,
    description: 'LBMA gold AM fix, USD/oz, 10:30 London on the day it describes.',
    values: (w, rng) => londonFix(w, rng, w.latent.goldSpot, w.latent.goldReturn, w.latent.goldOvernight, 0.15, 2),
  },
  {
    name: 'LBMA-SILVER', availability: LBMA_SILVER,
    description: 'LBMA silver fix, USD/oz, 12:00 London on the day it describes.',
    values: (w, rng) => londonFix(w, rng, w.latent.silverSpot, w.latent.silverReturn, w.latent.silverOvernight, 0.25, 3),
  },
];

/** Daily macro series (field `value`), each with the availability rule of its real source. */
export const macroGenerator: SeriesGenerator = {
  name: 'macro',
  specs: MODELS.map((m) =>
    seriesSpec(`macro:${m.name}` as SeriesId, ['value'], 'daily', m.availability, `${m.description} Synthetic; business days only.`),
  ),
  generate(world: World): SeriesData[] {
    return MODELS.map((model, index) => {
      const value = model.values(world, world.stream(`macro:${model.name}`));
      return buildSeries(macroGenerator.specs[index]!, world.days.slice(), { value });
    });
  },
};
