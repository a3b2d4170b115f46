import { MS_PER_DAY, dayOfWeek } from '../../../core/index.js';
import type { EpochMs } from '../../../core/index.js';
import { streamFor } from './prng.js';
import type { Rng } from './prng.js';

/** Trading days per year: converts annual drifts and volatilities to daily ones. */
export const DAYS_PER_YEAR = 252;
const DT = 1 / DAYS_PER_YEAR;
const SQRT_DT = Math.sqrt(DT);
/** Degrees of freedom of the Student-t shocks: df 4-5 gives the fat tails of daily market returns. */
export const SHOCK_DEGREES_OF_FREEDOM = 5;

export const CALM = 0;
export const STRESSED = 1;

/**
 * The hidden state every generator module reads. One value per business day of `World.days`, index-aligned.
 * Returns are daily log returns; yields are in percent, like FRED writes them.
 */
export interface LatentState {
  /** Market regime: 0 calm, 1 stressed (a Markov chain; stress raises vol and VIX, lowers equities, lifts gold). */
  readonly regime: Uint8Array;
  /** Annualised drift of the slow trend regimes, so that trend-following has something to find. */
  readonly goldTrend: Float64Array;
  readonly equityTrend: Float64Array;
  readonly dollarTrend: Float64Array;
  /** Daily log returns of the common factors. */
  readonly equityReturn: Float64Array;
  readonly dollarReturn: Float64Array;
  readonly goldReturn: Float64Array;
  readonly silverReturn: Float64Array;
  /** Part of each day's return earned overnight (previous close to open); opens and London fixes use it. */
  readonly goldOvernight: Float64Array;
  readonly silverOvernight: Float64Array;
  /** Regime volatility multiplier applied to idiosyncratic shocks (about 0.9 calm, 1.5 stressed). */
  readonly volatilityScale: Float64Array;
  /** Spot prices at the New York close, USD per troy ounce. */
  readonly goldSpot: Float64Array;
  readonly silverSpot: Float64Array;
  /** 10-year real yield (DFII10), breakeven inflation (T10YIE), nominal 10y and 2y yields, percent. */
  readonly realYield: Float64Array;
  readonly breakeven: Float64Array;
  readonly nominal10: Float64Array;
  readonly nominal2: Float64Array;
  /** ICE dollar index level. */
  readonly dollarIndex: Float64Array;
  /** Equity implied volatility (VIX) and gold implied volatility (GVZ), in vol points. */
  readonly equityImpliedVol: Float64Array;
  readonly goldImpliedVol: Float64Array;
}

/** The generated world: business days, latent factors and regimes, and seeded streams for generator modules. */
export interface World {
  readonly seed: number;
  /** Midnight UTC of each business day (Mon-Fri) from start to end inclusive. */
  readonly days: Float64Array;
  readonly length: number;
  readonly latent: LatentState;
  /** A random stream private to one generator purpose: `world.stream('bars:GLD')`. */
  stream(name: string): Rng;
}

/** Business days (Mon-Fri, no holidays: the synthetic world has none) from `start` to `end`, inclusive. */
export function businessDays(start: EpochMs, end: EpochMs): Float64Array {
  const out: number[] = [];
  for (let t = Math.floor(start / MS_PER_DAY) * MS_PER_DAY; t <= end; t += MS_PER_DAY) {
    const weekday = dayOfWeek(t);
    if (weekday !== 0 && weekday !== 6) out.push(t);
  }
  return Float64Array.from(out);
}

/** Three-state drift regimes switching at random on average every `meanDays`. */
function trendRegime(rng: Rng, n: number, drifts: readonly number[], meanDays: number): Float64Array {
  const out = new Float64Array(n);
  let state = Math.floor(rng.uniform() * drifts.length);
  for (let i = 0; i < n; i++) {
    if (i > 0 && rng.chance(1 / meanDays)) {
      state = (state + 1 + Math.floor(rng.uniform() * (drifts.length - 1))) % drifts.length;
    }
    out[i] = drifts[state] as number;
  }
  return out;
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/**
 * Generate the latent world. Calm/stressed regime: P(calm -> stressed) 1.2%/day, P(stressed -> calm) 6%/day, so
 * about one day in six is stressed, in episodes of a few weeks.
 */
export function generateWorld(seed: number, start: EpochMs, end: EpochMs): World {
  const days = businessDays(start, end);
  const n = days.length;
  const trendRng = streamFor(seed, 'world:trends');
  const rng = streamFor(seed, 'world:factors');
  const df = SHOCK_DEGREES_OF_FREEDOM;
  const f = (): Float64Array => new Float64Array(n);

  const latent = {
    regime: new Uint8Array(n),
    goldTrend: trendRegime(trendRng, n, [-0.1, 0.0, 0.14], 140),
    equityTrend: trendRegime(trendRng, n, [-0.08, 0.05, 0.13], 160),
    dollarTrend: trendRegime(trendRng, n, [-0.04, 0.0, 0.04], 180),
    equityReturn: f(),
    dollarReturn: f(),
    goldReturn: f(),
    silverReturn: f(),
    goldOvernight: f(),
    silverOvernight: f(),
    volatilityScale: f(),
    goldSpot: f(),
    silverSpot: f(),
    realYield: f(),
    breakeven: f(),
    nominal10: f(),
    nominal2: f(),
    dollarIndex: f(),
    equityImpliedVol: f(),
    goldImpliedVol: f(),
  } satisfies LatentState;

  let regime = CALM;
  let realYield = 0.7;
  let breakeven = 1.9;
  let curveSlope = 0.9;
  let dollarIndex = 95;
  let logVix = Math.log(14);
  let logGvz = Math.log(15);
  let gold = 1250;
  let silver = 16.5;

  for (let i = 0; i < n; i++) {
    const previousRegime = regime;
    if (i > 0) regime = regime === CALM ? (rng.chance(0.012) ? STRESSED : CALM) : rng.chance(0.06) ? CALM : STRESSED;
    const stressed = regime === STRESSED;
    const scale = stressed ? 1.5 : 0.9;

    const equityShock = rng.studentT(df);
    const rateShock = 0.15 * equityShock + 0.989 * rng.studentT(df);
    const breakevenShock = 0.2 * equityShock + 0.98 * rng.studentT(df);
    const dollarShock = rng.studentT(df);
    const goldShock = rng.studentT(df);
    const silverShock = rng.studentT(df);
    const vixShock = -0.75 * equityShock + 0.66 * rng.normal();
    const gvzShock = rng.normal();
    const overnightNoise = rng.normal();

    if (i === 0) {
      latent.volatilityScale[i] = scale;
    } else {
      // Equities: trend drift, a bear drift and higher vol when stressed.
      const equityVol = stressed ? 0.28 : 0.115;
      latent.equityReturn[i] = (latent.equityTrend[i] as number) * DT + (stressed ? -0.3 * DT : 0) + equityVol * SQRT_DT * equityShock;

      // Rates: mean-reverting real yield and breakeven; flight to quality lowers real yields under stress.
      const realChange = 0.8 * (0.7 - realYield) * DT + 0.6 * SQRT_DT * rateShock - (stressed ? 0.002 : 0);
      realYield = clamp(realYield + realChange, -1.2, 3.2);
      breakeven = clamp(breakeven + 1.5 * (2.0 - breakeven) * DT + 0.45 * SQRT_DT * breakevenShock, 0.5, 3.5);
      curveSlope += 0.6 * (0.9 - curveSlope) * DT + 0.5 * SQRT_DT * rng.normal();

      // Dollar: trend, mild pull toward 97, a bid under stress.
      const dollarReturn =
        (latent.dollarTrend[i] as number) * DT + 0.6 * (Math.log(97) - Math.log(dollarIndex)) * DT + 0.075 * SQRT_DT * dollarShock + (stressed ? 0.0002 : 0);
      dollarIndex *= Math.exp(dollarReturn);
      latent.dollarReturn[i] = dollarReturn;

      // Gold: trend, a safe-haven lift under stress, minus real yields, minus the dollar, plus its own shock.
      const goldReturn =
        (latent.goldTrend[i] as number) * DT + (stressed ? 0.1 * DT : 0) - 0.12 * realChange - 0.5 * dollarReturn + 0.125 * scale * SQRT_DT * goldShock;
      gold *= Math.exp(goldReturn);
      latent.goldReturn[i] = goldReturn;

      // Silver: high-beta gold with an industrial (equity) leg.
      const silverReturn = 1.45 * goldReturn + 0.1 * (latent.equityReturn[i] as number) + 0.16 * scale * SQRT_DT * silverShock;
      silver *= Math.exp(silverReturn);
      latent.silverReturn[i] = silverReturn;

      latent.goldOvernight[i] = 0.35 * goldReturn + 0.002 * overnightNoise;
      latent.silverOvernight[i] = 0.35 * silverReturn + 0.003 * overnightNoise;
      latent.volatilityScale[i] = scale;

      // Implied vols: log mean reversion to a regime level, a jump on entering stress.
      const vixTarget = Math.log(stressed ? 30 : 13.5);
      logVix += (stressed ? 0.12 : 0.04) * (vixTarget - logVix) + 0.055 * vixShock;
      if (stressed && previousRegime === CALM) logVix += 0.35;
      // A soft floor: VIX has never closed below 9, and it bounces off its lows rather than sticking to them.
      if (logVix < Math.log(11)) logVix += 0.5 * (Math.log(11) - logVix);
      logVix = Math.min(logVix, Math.log(80));
      const gvzTarget = Math.log(stressed ? 24 : 15);
      logGvz += 0.05 * (gvzTarget - logGvz) + 0.03 * (Math.abs(goldShock) - 0.8) + 0.03 * gvzShock;
      logGvz = clamp(logGvz, Math.log(8), Math.log(60));
    }

    latent.regime[i] = regime;
    latent.goldSpot[i] = gold;
    latent.silverSpot[i] = silver;
    latent.realYield[i] = realYield;
    latent.breakeven[i] = breakeven;
    latent.nominal10[i] = realYield + breakeven;
    latent.nominal2[i] = Math.max(0.05, realYield + breakeven - curveSlope);
    latent.dollarIndex[i] = dollarIndex;
    latent.equityImpliedVol[i] = Math.exp(logVix);
    latent.goldImpliedVol[i] = Math.exp(logGvz);
  }

  return { seed, days, length: n, latent, stream: (name: string) => streamFor(seed, name) };
}
