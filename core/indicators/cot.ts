import type { SeriesWindow } from '../model/series-store.js';
import { ageExceedsDays } from './align.js';

/*
 * Commitments of Traders reports (weekly, describing a Tuesday): open interest, net shares, staleness.
 */

/**
 * Open interest per report of a legacy COT window, from its long sides: spec_long + comm_long + nonrept_long (every
 * contract has one long side). The real legacy files have no open_interest column, the synthetic ones do; this sum
 * exists in both.
 *
 * @example legacyOpenInterest(ctx.series('cot:GC')) // Float64Array, one value per report
 */
export function legacyOpenInterest(cot: SeriesWindow): Float64Array {
  const specLong = cot.field('spec_long');
  const commLong = cot.field('comm_long');
  const smallLong = cot.field('nonrept_long');
  return Float64Array.from({ length: cot.length }, (_, i) => (specLong[i] as number) + (commLong[i] as number) + (smallLong[i] as number));
}

/**
 * Net position as a share of a base, per row: `(long - short) / base`, NaN where the base is not positive (or
 * missing). The base defaults to `long + short` (a group's net share of its own positions).
 *
 * @example netShare([300], [100], [1000]) // Float64Array [0.2]: net long 20% of open interest
 * @example netShare([30], [70]) // Float64Array [-0.4]: of its own 100 contracts, net short 40
 */
export function netShare(long: ArrayLike<number>, short: ArrayLike<number>, base?: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: long.length }, (_, i) => {
    const total = base ? (base[i] as number) : (long[i] as number) + (short[i] as number);
    return total > 0 ? ((long[i] as number) - (short[i] as number)) / total : Number.NaN;
  });
}

/**
 * Whether the latest report of a COT window describes a day (its Tuesday) more than `maxAgeDays` before `now`: the
 * series has stopped. False for an empty window (nothing to be stale).
 *
 * @example reportIsStale(ctx.now, ctx.series('cot:GC'), 21)
 */
export function reportIsStale(now: number, cot: Pick<SeriesWindow, 'length' | 'time'>, maxAgeDays: number): boolean {
  return cot.length > 0 && ageExceedsDays(now, cot.time[cot.length - 1] as number, maxAgeDays);
}
