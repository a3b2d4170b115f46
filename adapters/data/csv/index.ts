/** Real files through a catalog that maps each file to a series id. */
export { CsvDataAdapter } from './csv-adapter.js';
export type { CsvDataOptions, CsvSeriesReport } from './csv-adapter.js';
export { AVAILABILITY_PRESETS, CATALOG_FORMATS, RELAXABLE_RULES, validateCatalog } from './catalog.js';
export type { AvailabilityPreset, CatalogEntry, CatalogEntryInput, CatalogFormat, DataCatalog, RelaxableRule } from './catalog.js';
export { parseCsvSeries, parseTime } from './csv-parse.js';
export type { RelaxedRows, ParsedSeries } from './csv-parse.js';
