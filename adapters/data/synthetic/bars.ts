import { BAR_FIELDS, DAILY_CLOSE_LAG_MS, MS_PER_DAY, barId } from '../../../core/index.js';
import type { SeriesData } from '../../../core/index.js';
import { buildSeries, seriesSpec } from './generator.js';
import type { SeriesGenerator } from './generator.js';
import type { Rng } from './prng.js';
import { DAYS_PER_YEAR, SHOCK_DEGREES_OF_FREEDOM, STRESSED } from './world.js';
import type { World } from './world.js';

const SQRT_DT = Math.sqrt(1 / DAYS_PER_YEAR);

/** A close path and the overnight log return of each day (previous close to open). */
interface PricePath {
  readonly close: Float64Array;
  readonly overnight: Float64Array;
}

/** How one bar series is derived from the latent factors. */
interface BarModel {
  readonly symbol: string;
  /** Typical annual volatility: scales the intraday range and the volume response to large moves. */
  readonly annualVolatility: number;
  readonly averageVolume: number;
  readonly tickSize: number;
  readonly description: string;
  path(world: World, rng: Rng): PricePath;
}

function yearsSinceStart(world: World, i: number): number {
  return ((world.days[i] as number) - (world.days[0] as number)) / (365.25 * MS_PER_DAY);
}

/** A product tracking a level (an ETF holding metal, a future over spot) with expenses and a small tracking error. */
function trackingPath(
  world: World,
  rng: Rng,
  level: (i: number) => number,
  annualCost: number,
  overnight: Float64Array,
  trackingVolatility: number,
): PricePath {
  const n = world.length;
  const close = new Float64Array(n);
  let tracking = 0;
  for (let i = 0; i < n; i++) {
    tracking = 0.9 * tracking + trackingVolatility * rng.normal();
    close[i] = level(i) * Math.exp(-annualCost * yearsSinceStart(world, i) + tracking);
  }
  return { close, overnight };
}

/** A price driven by daily log returns (factor loadings plus an idiosyncratic Student-t shock). */
function returnPath(world: World, rng: Rng, start: number, dailyReturn: (i: number, shock: number) => number): PricePath {
  const n = world.length;
  const close = new Float64Array(n);
  const overnight = new Float64Array(n);
  let price = start;
  for (let i = 0; i < n; i++) {
    const shock = rng.studentT(SHOCK_DEGREES_OF_FREEDOM);
    if (i > 0) {
      const r = dailyReturn(i, shock);
      price *= Math.exp(r);
      overnight[i] = 0.3 * r;
    }
    close[i] = price;
  }
  return { close, overnight };
}

/** Constant-maturity carry of a front-month future over spot: about six weeks of the 2-year rate. */
function futuresBasis(world: World, i: number): number {
  return 1 + ((world.latent.nominal2[i] as number) / 100) * (45 / 365);
}

const MODELS: readonly BarModel[] = [
  {
    symbol: 'GLD', annualVolatility: 0.15, averageVolume: 8_000_000, tickSize: 0.01,
    description: 'Gold ETF: a tenth of an ounce of spot gold less a 0.40% annual expense ratio.',
    path: (w, rng) => trackingPath(w, rng, (i) => (w.latent.goldSpot[i] as number) / 10, 0.004, w.latent.goldOvernight, 0.0004),
  },
  {
    symbol: 'IAU', annualVolatility: 0.15, averageVolume: 5_000_000, tickSize: 0.01,
    description: 'Gold ETF: a fiftieth of an ounce of spot gold less a 0.25% annual expense ratio.',
    path: (w, rng) => trackingPath(w, rng, (i) => (w.latent.goldSpot[i] as number) / 50, 0.0025, w.latent.goldOvernight, 0.0005),
  },
  {
    symbol: 'SLV', annualVolatility: 0.27, averageVolume: 12_000_000, tickSize: 0.01,
    description: 'Silver ETF: 0.935 ounce of spot silver less a 0.50% annual expense ratio.',
    path: (w, rng) => trackingPath(w, rng, (i) => (w.latent.silverSpot[i] as number) * 0.935, 0.005, w.latent.silverOvernight, 0.0006),
  },
  {
    symbol: 'PPLT', annualVolatility: 0.22, averageVolume: 100_000, tickSize: 0.01,
    description: 'Platinum ETF: 0.8 gold beta, an equity leg and a large idiosyncratic shock.',
    path: (w, rng) =>
      returnPath(w, rng, 110, (i, shock) =>
        0.8 * (w.latent.goldReturn[i] as number) + 0.25 * (w.latent.equityReturn[i] as number) + 0.17 * (w.latent.volatilityScale[i] as number) * SQRT_DT * shock),
  },
  {
    symbol: 'GDX', annualVolatility: 0.35, averageVolume: 40_000_000, tickSize: 0.01,
    description: 'Gold miners ETF: beta 2 to gold plus an equity leg.',
    path: (w, rng) =>
      returnPath(w, rng, 20, (i, shock) =>
        2 * (w.latent.goldReturn[i] as number) + 0.45 * (w.latent.equityReturn[i] as number) + 0.16 * (w.latent.volatilityScale[i] as number) * SQRT_DT * shock),
  },
  {
    symbol: 'SPY', annualVolatility: 0.16, averageVolume: 80_000_000, tickSize: 0.01,
    description: 'S&P 500 ETF: the equity factor.',
    path: (w, rng) => returnPath(w, rng, 205, (i, shock) => (w.latent.equityReturn[i] as number) + 0.01 * SQRT_DT * shock),
  },
  {
    symbol: 'TLT', annualVolatility: 0.14, averageVolume: 8_000_000, tickSize: 0.01,
    description: '20+ year Treasury ETF: duration 18 on the nominal 10-year yield, plus carry.',
    path: (w, rng) =>
      returnPath(w, rng, 125, (i, shock) => {
        const yieldChange = (w.latent.nominal10[i] as number) - (w.latent.nominal10[i - 1] as number);
        return (-18 * yieldChange) / 100 + ((w.latent.nominal10[i] as number) / 100) / DAYS_PER_YEAR + 0.02 * SQRT_DT * shock;
      }),
  },
  {
    symbol: 'UUP', annualVolatility: 0.08, averageVolume: 2_000_000, tickSize: 0.01,
    description: 'Dollar bullish ETF: the dollar factor plus a 1% annual rate carry.',
    path: (w, rng) => returnPath(w, rng, 24, (i, shock) => 0.98 * (w.latent.dollarReturn[i] as number) + 0.01 / DAYS_PER_YEAR + 0.015 * SQRT_DT * shock),
  },
  {
    symbol: 'GC', annualVolatility: 0.15, averageVolume: 250_000, tickSize: 0.1,
    description: 'COMEX gold future, continuous front month without roll jumps: spot gold plus carry. Multiplier 100 oz.',
    path: (w, rng) => trackingPath(w, rng, (i) => (w.latent.goldSpot[i] as number) * futuresBasis(w, i), 0, w.latent.goldOvernight, 0.0002),
  },
  {
    symbol: 'SI', annualVolatility: 0.27, averageVolume: 70_000, tickSize: 0.005,
    description: 'COMEX silver future, continuous front month without roll jumps: spot silver plus carry. Multiplier 5000 oz.',
    path: (w, rng) => trackingPath(w, rng, (i) => (w.latent.silverSpot[i] as number) * futuresBasis(w, i), 0, w.latent.silverOvernight, 0.0003),
  },
];

function roundToTick(value: number, tickSize: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(tickSize)));
  return Number((Math.round(value / tickSize) * tickSize).toFixed(decimals));
}

/**
 * OHLCV from a close path: open = previous close moved by the overnight return, high and low beyond the body by a
 * half-normal share of the day's volatility, volume higher on large moves and under stress. Rounding to the tick is
 * monotone, so low <= min(open, close) <= max(open, close) <= high survives it.
 */
function ohlcv(world: World, rng: Rng, model: BarModel, path: PricePath): Record<string, Float64Array> {
  const n = world.length;
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const dailyVolatility = model.annualVolatility * SQRT_DT;
  for (let i = 0; i < n; i++) {
    const scale = world.latent.volatilityScale[i] as number;
    const c = path.close[i] as number;
    const previous = i > 0 ? (path.close[i - 1] as number) : c * Math.exp(-0.3 * dailyVolatility * rng.normal());
    const o = previous * Math.exp((path.overnight[i] as number) + 0.1 * dailyVolatility * rng.normal());
    const h = Math.max(o, c) * Math.exp(0.5 * dailyVolatility * scale * Math.abs(rng.normal()));
    const l = Math.min(o, c) * Math.exp(-0.5 * dailyVolatility * scale * Math.abs(rng.normal()));
    open[i] = roundToTick(o, model.tickSize);
    high[i] = roundToTick(h, model.tickSize);
    low[i] = roundToTick(l, model.tickSize);
    close[i] = roundToTick(c, model.tickSize);
    const move = Math.abs(Math.log(c / previous)) / (dailyVolatility * scale);
    const stress = world.latent.regime[i] === STRESSED ? 1.5 : 1;
    volume[i] = Math.max(1, Math.round(model.averageVolume * Math.exp(0.35 * rng.normal() - 0.06) * (0.7 + 0.3 * move) * stress));
  }
  return { open, high, low, close, volume };
}

const BAR_AVAILABILITY = { rule: 'lag', lagMs: DAILY_CLOSE_LAG_MS } as const;

/** Daily OHLCV bars for ETFs and futures, available at the close (21:00 UTC). */
export const barsGenerator: SeriesGenerator = {
  name: 'bars',
  specs: MODELS.map((m) =>
    seriesSpec(barId(m.symbol), BAR_FIELDS, 'daily', BAR_AVAILABILITY, `${m.description} Synthetic; business days only, no holidays.`),
  ),
  generate(world: World): SeriesData[] {
    return MODELS.map((model, index) => {
      const rng = world.stream(`bars:${model.symbol}`);
      const columns = ohlcv(world, rng, model, model.path(world, rng));
      return buildSeries(barsGenerator.specs[index]!, world.days.slice(), columns);
    });
  },
};
