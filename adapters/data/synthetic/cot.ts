import { COT_AVAILABILITY, dayOfWeek } from '../../../core/index.js';
import type { SeriesData, SeriesSpec } from '../../../core/index.js';
import { buildSeries, roundTo, seriesSpec } from './generator.js';
import type { SeriesGenerator } from './generator.js';
import type { Rng } from './prng.js';
import type { World } from './world.js';

/** Legacy COT report fields, in the order of the CFTC files (and of the real cot_*_weekly.csv). */
export const COT_LEGACY_FIELDS = [
  'spec_long', 'spec_short', 'comm_long', 'comm_short', 'nonrept_long', 'nonrept_short',
  'spec_net', 'comm_net', 'small_spec_net', 'open_interest',
] as const;
/** Disaggregated report, managed money only. */
export const COT_MANAGED_MONEY_FIELDS = ['mm_long', 'mm_short', 'open_interest', 'net_pct_oi'] as const;

/** Trading days of trailing return the speculators follow (about a quarter). */
const TREND_LOOKBACK_DAYS = 63;

interface LegacyModel {
  readonly market: 'GC' | 'SI';
  /** Contracts: positions scale with the market's size. */
  readonly size: number;
  readonly spot: (world: World) => Float64Array;
}

const LEGACY_MODELS: readonly LegacyModel[] = [
  { market: 'GC', size: 1, spot: (w) => w.latent.goldSpot },
  { market: 'SI', size: 0.4, spot: (w) => w.latent.silverSpot },
];

/** Indices of the Tuesdays of the world: COT positions are measured as of Tuesday. */
function tuesdays(world: World): number[] {
  const out: number[] = [];
  for (let i = 0; i < world.length; i++) if (dayOfWeek(world.days[i] as number) === 2) out.push(i);
  return out;
}

function trailingReturn(spot: Float64Array, i: number): number {
  return Math.log((spot[i] as number) / (spot[Math.max(0, i - TREND_LOOKBACK_DAYS)] as number));
}

/**
 * Legacy positions. Speculators' net long follows the trailing trend (plus persistent noise); commercials take the
 * other side, so that total longs equal total shorts: spec_long + comm_long + nonrept_long = open interest =
 * spec_short + comm_short + nonrept_short.
 */
function legacy(world: World, rng: Rng, model: LegacyModel, weeks: readonly number[]): Record<string, Float64Array> {
  const columns: Record<string, Float64Array> = {};
  for (const field of COT_LEGACY_FIELDS) columns[field] = new Float64Array(weeks.length);
  const set = (field: (typeof COT_LEGACY_FIELDS)[number], k: number, value: number): void => {
    (columns[field] as Float64Array)[k] = value;
  };
  const spot = model.spot(world);
  const s = model.size;
  let specNoise = 0;
  let smallNoise = 0;
  weeks.forEach((i, k) => {
    const trend = trailingReturn(spot, i);
    specNoise = 0.85 * specNoise + 15_000 * s * rng.normal();
    smallNoise = 0.8 * smallNoise + 4_000 * s * rng.normal();
    const specNet = 140_000 * s + 700_000 * s * trend + specNoise;
    let specShort = Math.round(35_000 * s + 0.5 * Math.max(0, -specNet) + 5_000 * s * Math.abs(rng.normal()));
    let specLong = Math.round(specShort + specNet);
    if (specLong < 5_000 * s) {
      specShort += Math.round(5_000 * s - specLong);
      specLong = Math.round(5_000 * s);
    }
    const nonreptLong = Math.round(Math.max(10_000 * s, 55_000 * s + 150_000 * s * trend + 6_000 * s * rng.normal() + smallNoise));
    const nonreptShort = Math.round(25_000 * s + 3_000 * s * Math.abs(rng.normal()));
    let commLong = Math.round(60_000 * s + 10_000 * s * rng.normal());
    let commShort = specLong + commLong + nonreptLong - specShort - nonreptShort;
    if (commShort < 10_000 * s) {
      commLong += Math.round(10_000 * s - commShort);
      commShort = specLong + commLong + nonreptLong - specShort - nonreptShort;
    }
    set('spec_long', k, specLong);
    set('spec_short', k, specShort);
    set('comm_long', k, commLong);
    set('comm_short', k, commShort);
    set('nonrept_long', k, nonreptLong);
    set('nonrept_short', k, nonreptShort);
    set('spec_net', k, specLong - specShort);
    set('comm_net', k, commLong - commShort);
    set('small_spec_net', k, nonreptLong - nonreptShort);
    set('open_interest', k, specLong + commLong + nonreptLong);
  });
  return columns;
}

/** How managed money relates to the legacy speculators of its market. */
interface ManagedMoneyModel {
  /** Contracts: positions scale with the market's size (as in LEGACY_MODELS). */
  readonly size: number;
  /** Share of the legacy speculators' net position that managed money holds (real gold 2006-2026: median 0.68). */
  readonly follow: number;
  /**
   * Soft bound on |net| / open interest (tanh), or undefined for none. Real managed-money net shares stay within
   * about -25%..+45% of open interest (CFTC, gold 2006-2026); the thin synthetic silver market needs the bound
   * because its legacy speculators reach extremes when the open interest shrinks in a crash.
   */
  readonly netShareLimit?: number;
}

const GOLD_MANAGED_MONEY: ManagedMoneyModel = { size: 1, follow: 0.85 };
const SILVER_MANAGED_MONEY: ManagedMoneyModel = { size: 0.4, follow: 0.7, netShareLimit: 0.6 };

/**
 * Managed money tracks the legacy speculators closely (it is most of them). With GOLD_MANAGED_MONEY the numbers are
 * exactly those cot:GC-MM had before silver was added (size 1 multiplies exactly, follow 0.85, no bound).
 */
function managedMoney(rng: Rng, legacyColumns: Record<string, Float64Array>, weeks: number, model: ManagedMoneyModel): Record<string, Float64Array> {
  const s = model.size;
  const limit = model.netShareLimit;
  const mmLong = new Float64Array(weeks);
  const mmShort = new Float64Array(weeks);
  const openInterest = Float64Array.from(legacyColumns.open_interest as Float64Array);
  const netPct = new Float64Array(weeks);
  for (let k = 0; k < weeks; k++) {
    const oi = openInterest[k] as number;
    let net = model.follow * ((legacyColumns.spec_net as Float64Array)[k] as number) + 8_000 * s * rng.normal();
    if (limit !== undefined) net = Math.round(limit * Math.tanh(net / oi / limit) * oi);
    let short = Math.round(25_000 * s + 0.6 * Math.max(0, -net) + 4_000 * s * Math.abs(rng.normal()));
    let long = Math.round(short + net);
    if (long < 3_000 * s) {
      short += Math.round(3_000 * s - long);
      long = Math.round(3_000 * s);
    }
    mmLong[k] = long;
    mmShort[k] = short;
    netPct[k] = roundTo(((long - short) / oi) * 100, 2);
  }
  return { mm_long: mmLong, mm_short: mmShort, open_interest: openInterest, net_pct_oi: netPct };
}

const GAPS = 'Weekly, as of Tuesday; published the following Friday 20:30 UTC. Synthetic; no holiday delays.';

/** CFTC Commitments of Traders: cot:GC and cot:SI (legacy), cot:GC-MM (managed money). cot:SI-MM is its own module below. */
export const cotGenerator: SeriesGenerator = {
  name: 'cot',
  specs: [
    seriesSpec('cot:GC', COT_LEGACY_FIELDS, 'weekly', COT_AVAILABILITY, `COMEX gold, legacy report, contracts. ${GAPS}`),
    seriesSpec('cot:SI', COT_LEGACY_FIELDS, 'weekly', COT_AVAILABILITY, `COMEX silver, legacy report, contracts. ${GAPS}`),
    seriesSpec('cot:GC-MM', COT_MANAGED_MONEY_FIELDS, 'weekly', COT_AVAILABILITY, `COMEX gold, disaggregated report, managed money. ${GAPS}`),
  ],
  generate(world: World): SeriesData[] {
    const weeks = tuesdays(world);
    const time = Float64Array.from(weeks, (i) => world.days[i] as number);
    const [goldSpec, silverSpec, managedSpec] = cotGenerator.specs as [SeriesSpec, SeriesSpec, SeriesSpec];
    const [goldModel, silverModel] = LEGACY_MODELS as [LegacyModel, LegacyModel];
    const gold = legacy(world, world.stream('cot:GC'), goldModel, weeks);
    const silver = legacy(world, world.stream('cot:SI'), silverModel, weeks);
    const managed = managedMoney(world.stream('cot:GC-MM'), gold, weeks.length, GOLD_MANAGED_MONEY);
    return [
      buildSeries(goldSpec, time, gold),
      buildSeries(silverSpec, time.slice(), silver),
      buildSeries(managedSpec, time.slice(), managed),
    ];
  },
};

/**
 * COMEX silver managed money (cot:SI-MM), a module of its own so that adding it changed no other series: it draws its
 * noise from its own stream `cot:SI-MM` and derives the positions from the silver speculators of cot:SI (recomputed
 * from that series' stream, which gives the same numbers), so it follows the trailing silver trend like they do.
 */
export const silverManagedMoneyGenerator: SeriesGenerator = {
  name: 'cot-silver-managed-money',
  specs: [seriesSpec('cot:SI-MM', COT_MANAGED_MONEY_FIELDS, 'weekly', COT_AVAILABILITY, `COMEX silver, disaggregated report, managed money. ${GAPS}`)],
  generate(world: World): SeriesData[] {
    const weeks = tuesdays(world);
    const time = Float64Array.from(weeks, (i) => world.days[i] as number);
    const silverModel = LEGACY_MODELS[1] as LegacyModel;
    const silver = legacy(world, world.stream('cot:SI'), silverModel, weeks);
    const managed = managedMoney(world.stream('cot:SI-MM'), silver, weeks.length, SILVER_MANAGED_MONEY);
    return [buildSeries(silverManagedMoneyGenerator.specs[0] as SeriesSpec, time, managed)];
  },
};
