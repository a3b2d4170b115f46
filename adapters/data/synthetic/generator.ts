import { availableAt, shError } from '../../../core/index.js';
import type { Availability, Frequency, SeriesData, SeriesId, SeriesSpec } from '../../../core/index.js';
import type { World } from './world.js';

/**
 * One module of the synthetic world: the series it provides (known before anything is generated, for `catalog()`)
 * and a function that derives them from the shared latent state. New kinds (curve:GC, iv:GLD, flow:GLD,
 * inventory:*, event:FOMC) are added as further modules driven by the same factors and regimes.
 */
export interface SeriesGenerator {
  readonly name: string;
  readonly specs: readonly SeriesSpec[];
  generate(world: World): SeriesData[];
}

/** A series spec with its kind taken from the id. */
export function seriesSpec(
  id: SeriesId,
  fields: readonly string[],
  frequency: Frequency,
  availability: Availability,
  description: string,
): SeriesSpec {
  const kind = id.slice(0, id.indexOf(':')) as SeriesSpec['kind'];
  return { id, kind, fields, frequency, availability, description };
}

/** Assemble SeriesData, computing each observation's availability from the spec's rule. */
export function buildSeries(spec: SeriesSpec, time: Float64Array, columns: Record<string, Float64Array>): SeriesData {
  const available = new Float64Array(time.length);
  for (let i = 0; i < time.length; i++) available[i] = availableAt(time[i] as number, spec.availability);
  for (const field of spec.fields) {
    const column = columns[field];
    if (!column || column.length !== time.length) {
      throw shError('SH_ERR_DATA_CATALOG_INVALID', `synthetic series ${spec.id}: field ${field} is missing or has the wrong length`, {
        where: spec.id,
        received: column?.length ?? 'missing',
        expected: `${time.length} rows`,
        fix: 'This is a bug in a synthetic generator module.',
      });
    }
  }
  return { spec, time, available, columns };
}

/** Round to a number of decimals, as published data is (FRED yields to 2, fixes to 2 or 3). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
