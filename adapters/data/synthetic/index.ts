/** The embedded default data source: a deterministic, seeded synthetic world. */
export { SyntheticDataAdapter, DEFAULT_GENERATORS } from './synthetic-adapter.js';
export type { SyntheticDataOptions } from './synthetic-adapter.js';
export type { SeriesGenerator } from './generator.js';
export { buildSeries, seriesSpec } from './generator.js';
export type { World, LatentState } from './world.js';
export { generateWorld, businessDays, CALM, STRESSED } from './world.js';
export { Rng, streamFor } from './prng.js';
export { SYNTHETIC_INSTRUMENTS } from './instruments.js';
export { COT_LEGACY_FIELDS, COT_MANAGED_MONEY_FIELDS, cotGenerator, silverManagedMoneyGenerator } from './cot.js';
