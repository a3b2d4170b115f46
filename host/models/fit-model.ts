import fs from 'node:fs/promises';
import path from 'node:path';
import { formatDate, parseDate, ShError, type ModelCard, type SeriesData } from '../../core/index.js';
import { CsvDataAdapter } from '../../adapters/data/csv/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';
import { parseModelCard, sha256Hex } from '../../adapters/inference/onnx/index.js';
import { buildDataset, datasetWindow, type Dataset } from './dataset.js';
import { MODEL_DEFINITIONS, type FittedModel, type ModelDefinition } from './model-definitions.js';

/** First day requested from real files (each series starts where its file starts). */
export const REAL_FIT_START = '2000-01-01';

/**
 * Where the data of a fit comes from. Synthetic: the world the host generates for a profile (same seed, start and
 * end), so that a model fitted before a cutoff has seen exactly that world's history before the cutoff. A world
 * generated with the same seed but another start date replays the same random shocks day by day (it is a shifted
 * copy), so fitting on it would leak the profile's test window into the model.
 */
export type FitSource =
  | { readonly kind: 'synthetic'; readonly seed: number; readonly start: string; readonly end: string }
  | { readonly kind: 'real'; readonly catalogPath: string; readonly catalogName: string };

export interface FitRequest {
  /** The model definition to fit (MODEL_DEFINITIONS). */
  readonly modelId: string;
  /** Series holding at least what the definition's features read; anything at or after the cutoff is ignored. */
  readonly data: readonly SeriesData[];
  /** The cutoff, YYYY-MM-DD: only data describing a time before it and available before it are used. */
  readonly until: string;
  /** Short tag of the data source in the card version (`synthetic`, `real`). */
  readonly sourceTag: string;
  /** One line saying what the data were, for the card description. */
  readonly sourceDescription: string;
  /** The id the card gets (default: the definition's id), e.g. to keep a real-data fit beside the synthetic one. */
  readonly cardId?: string;
}

export interface FitResult {
  readonly definition: ModelDefinition;
  readonly model: FittedModel;
  readonly card: ModelCard;
  readonly bytes: Uint8Array;
  readonly dataset: Dataset;
  readonly inSample: Record<string, number>;
}

/** The definition of a model id, or SH_ERR_CLI_USAGE listing the known ids. */
export function modelDefinition(modelId: string): ModelDefinition {
  const definition = MODEL_DEFINITIONS[modelId];
  if (!definition) {
    throw new ShError('SH_ERR_CLI_USAGE', `no model definition ${JSON.stringify(modelId)}`, { where: 'models fit <model-id>', received: modelId, expected: `one of ${Object.keys(MODEL_DEFINITIONS).join(', ')}` });
  }
  return definition;
}

/** Parse a cutoff date, or SH_ERR_CLI_USAGE. */
export function parseCutoff(until: string | undefined): number {
  const time = until === undefined ? Number.NaN : parseDate(until);
  if (until === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(until) || Number.isNaN(time) || formatDate(time) !== until) {
    throw new ShError('SH_ERR_CLI_USAGE', 'models fit needs --until <YYYY-MM-DD>, the cutoff: data strictly before it are used', { where: '--until', received: until, expected: 'a date YYYY-MM-DD, e.g. --until 2016-12-31' });
  }
  return time;
}

/**
 * Fit a model on the data strictly before the cutoff and build its ONNX bytes and card. Pure and deterministic: the
 * same data and cutoff give byte-identical bytes, whatever data after the cutoff is passed too.
 *
 * @example const { bytes, card } = fitModel({ modelId: 'regime-gmm', data, until: '2016-12-31', sourceTag: 'synthetic', sourceDescription: 'synthetic seed 42' });
 */
export function fitModel(request: FitRequest): FitResult {
  const definition = modelDefinition(request.modelId);
  const until = parseCutoff(request.until);
  const dataset = buildDataset(request.data, definition.featureSet, { symbols: definition.symbols, horizon: definition.horizon, until });
  if (dataset.rows.length < definition.minimumRows) {
    throw new ShError('SH_ERR_CONFIG_INVALID', `model ${definition.id}: only ${dataset.rows.length} training rows before ${request.until}, at least ${definition.minimumRows} are needed`, {
      where: '--until',
      received: request.until,
      expected: `a later cutoff, or data with more history for ${definition.symbols.join(', ')} (features need ${definition.featureSet.barHistory} bars before the first row)`,
    });
  }
  const id = request.cardId ?? definition.id;
  const model = definition.fit(dataset, id);
  const inSample = model.quality(dataset);
  const window = datasetWindow(dataset);
  const quality = Object.entries(inSample).map(([k, v]) => `${k} ${v}`).join(', ');
  const card = parseModelCard({
    id,
    version: `${definition.version}+${request.sourceTag}.${request.until}`,
    sha256: sha256Hex(model.bytes),
    description: `${definition.title}. Fitted by \`strategy-host models fit ${definition.id} --until ${request.until}\` on ${request.sourceDescription}: ${dataset.rows.length} rows of ${definition.symbols.join(', ')}${definition.horizon > 0 ? `, label horizon ${definition.horizon} bars ending before the cutoff` : ''}. Features: ${definition.featureSet.id} (${definition.featureSet.description}). ${model.settings}. In sample: ${quality}.`,
    features: [...definition.featureSet.names],
    trainingWindow: window,
    inputs: [{ name: 'features', dtype: 'float32', shape: ['batch', definition.featureSet.names.length] }],
    outputs: model.outputs,
  }, `model ${id}`);
  return { definition, model, card, bytes: model.bytes, dataset, inSample };
}

/** The series a definition's features read. */
export function seriesNeeded(definition: ModelDefinition): string[] {
  const bars = new Set(definition.symbols.flatMap((s) => definition.featureSet.barsFor(s)));
  const series = new Set(definition.symbols.flatMap((s) => definition.featureSet.seriesFor(s)));
  return [...[...bars].map((s) => `bar:${s}`), ...series].sort();
}

/**
 * Load what a fit needs before the cutoff. Synthetic: the world of `source` (seed, start, end), exactly as the host
 * generates it for a run. Real: the catalog's files from REAL_FIT_START.
 */
export async function loadFitData(definition: ModelDefinition, source: FitSource, until: string): Promise<{ data: SeriesData[]; sourceTag: string; sourceDescription: string }> {
  const cutoff = parseCutoff(until);
  const ids = seriesNeeded(definition);
  if (source.kind === 'synthetic') {
    const adapter = new SyntheticDataAdapter({ seed: source.seed, start: source.start, end: source.end });
    const data = await adapter.history({ ids, from: parseDate(source.start), to: cutoff - 1 });
    return { data: [...data], sourceTag: 'synthetic', sourceDescription: `the synthetic world of seed ${source.seed} generated from ${source.start} to ${source.end} (as the host generates it for a run over that range)` };
  }
  const adapter = new CsvDataAdapter({ catalogPath: source.catalogPath });
  const data = await adapter.history({ ids, from: parseDate(REAL_FIT_START), to: cutoff - 1 });
  return { data: [...data], sourceTag: 'real', sourceDescription: `the real files of ${source.catalogName}` };
}

/** The registry file format of adapters/inference/onnx (paths relative to the registry). */
interface RegistryFile {
  models: Record<string, { file: string; card?: unknown }>;
}

/**
 * Write `<id>.onnx` and `<id>.card.json` into `dir` and add or replace the entry of the registry `registryFile`
 * (created when absent; entries kept sorted by id). Returns the paths written.
 */
export async function writeFittedModel(dir: string, registryFile: string, result: Pick<FitResult, 'card' | 'bytes'>): Promise<{ modelFile: string; cardFile: string }> {
  await fs.mkdir(dir, { recursive: true });
  const modelFile = path.join(dir, `${result.card.id}.onnx`);
  const cardFile = path.join(dir, `${result.card.id}.card.json`);
  await fs.writeFile(modelFile, result.bytes);
  await fs.writeFile(cardFile, `${JSON.stringify(result.card, null, 2)}\n`);
  let registry: RegistryFile = { models: {} };
  try {
    registry = JSON.parse(await fs.readFile(registryFile, 'utf8')) as RegistryFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const relative = path.relative(path.dirname(registryFile), modelFile).split(path.sep).join('/');
  const models = { ...(registry.models ?? {}), [result.card.id]: { file: relative } };
  const sorted = Object.fromEntries(Object.keys(models).sort().map((id) => [id, models[id]]));
  await fs.mkdir(path.dirname(registryFile), { recursive: true });
  await fs.writeFile(registryFile, `${JSON.stringify({ models: sorted }, null, 2)}\n`);
  return { modelFile, cardFile };
}
