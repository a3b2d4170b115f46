import fs from 'node:fs';
import path from 'node:path';
import { isShError, ShError, type ModelCard } from '../../core/index.js';
import { readModelRegistry, readVerifiedModel } from '../../adapters/inference/onnx/index.js';
import type { HostConfig } from '../config/load-config.js';
import { fromRoot, REPO_ROOT } from '../paths.js';
import { fitModel, loadFitData, modelDefinition, parseCutoff, writeFittedModel, type FitSource } from './fit-model.js';
import { MODEL_DEFINITIONS } from './model-definitions.js';

/** The registry `models` commands read and write when config names none (inference.registry empty). */
export const DEFAULT_MODEL_REGISTRY = 'config/models/registry.json';

/** The registry file of a configuration: inference.registry, or DEFAULT_MODEL_REGISTRY. */
export function registryPath(config: HostConfig): string {
  return fromRoot(config.inference.registry || DEFAULT_MODEL_REGISTRY);
}

/**
 * The synthetic world the host generates for a run of this configuration (host/container.ts): seed data.seed, from
 * run.start less run.warmupDays and a week, to run.end. Fitting on exactly this world, before a cutoff, keeps the
 * run's later window out of sample.
 */
export function syntheticWorldOf(config: HostConfig): { seed: number; start: string; end: string } {
  const start = new Date(Date.parse(`${config.run.start}T00:00:00Z`) - (config.run.warmupDays + 7) * 86_400_000).toISOString().slice(0, 10);
  return { seed: config.data.seed, start, end: config.run.end };
}

const shown = (file: string): string => {
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith('..') ? file : relative.split(path.sep).join('/');
};

async function registered(config: HostConfig): Promise<{ file: string; card: ModelCard; hash: string }[]> {
  const registry = registryPath(config);
  if (!fs.existsSync(registry)) return [];
  const specs = await readModelRegistry(registry);
  return Promise.all(
    specs.map(async (spec) => {
      try {
        await readVerifiedModel(spec);
        return { ...spec, hash: 'ok' };
      } catch (error) {
        if (!isShError(error)) throw error;
        return { ...spec, hash: error.code === 'SH_ERR_INFERENCE_HASH_MISMATCH' ? 'MISMATCH' : 'unreadable' };
      }
    }),
  );
}

/** `models list [--json]`: each registered model's id, version, training window, features and sha256 (checked against its file). */
export async function listModels(config: HostConfig, json: boolean): Promise<string> {
  const models = await registered(config);
  if (json) {
    return `${JSON.stringify(models.map((m) => ({ id: m.card.id, version: m.card.version, trainingWindow: m.card.trainingWindow, features: m.card.features, sha256: m.card.sha256, file: shown(m.file), hash: m.hash })), null, 2)}\n`;
  }
  const registry = shown(registryPath(config));
  if (models.length === 0) return `no models in ${registry}; fit one with: strategy-host models fit <${Object.keys(MODEL_DEFINITIONS).join('|')}> --until <YYYY-MM-DD>\n`;
  const rows = models.map((m) => [m.card.id, m.card.version, `${m.card.trainingWindow.from}..${m.card.trainingWindow.to}`, `${m.card.sha256.slice(0, 12)} ${m.hash}`, `${m.card.features.length}: ${m.card.features.join(', ')}`]);
  const header = ['id', 'version', 'training window', 'sha256', 'features'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: readonly string[]): string => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n${models.length} models (${registry})\n`;
}

/** `models describe <id>`: the card, the file and whether its hash matches. */
export async function describeModel(config: HostConfig, id: string): Promise<string> {
  const models = await registered(config);
  const model = models.find((m) => m.card.id === id);
  if (!model) {
    throw new ShError('SH_ERR_INFERENCE_MODEL_UNKNOWN', `no model ${id} in ${shown(registryPath(config))}`, { where: 'models describe', received: id, expected: `one of ${models.map((m) => m.card.id).join(', ') || '(none registered)'}` });
  }
  return `file: ${shown(model.file)} (sha256 ${model.hash})\n${JSON.stringify(model.card, null, 2)}\n`;
}

export interface FitCommandOptions {
  readonly until?: string | undefined;
  /** synthetic (the profile's world) or real (the csv catalog); default: the profile's data.source. */
  readonly data?: string | undefined;
  /** Register under this id instead of the definition's. */
  readonly as?: string | undefined;
}

/**
 * `models fit <model-id> --until <date> [--data synthetic|real] [--as <id>]`: fit on data strictly before the
 * cutoff, write `<id>.onnx` and `<id>.card.json` beside the registry and register them.
 */
export async function fitModelCommand(config: HostConfig, modelId: string | undefined, options: FitCommandOptions, log: (line: string) => void = () => undefined): Promise<string> {
  if (!modelId) throw new ShError('SH_ERR_CLI_USAGE', 'models fit needs a model id', { where: 'models fit', received: undefined, expected: `one of ${Object.keys(MODEL_DEFINITIONS).join(', ')}` });
  const definition = modelDefinition(modelId);
  parseCutoff(options.until);
  const until = options.until as string;
  const data = options.data ?? (config.data.source === 'csv' ? 'real' : 'synthetic');
  if (data !== 'synthetic' && data !== 'real') throw new ShError('SH_ERR_CLI_USAGE', `--data must be synthetic or real`, { where: '--data', received: data, expected: 'synthetic (the profile\'s synthetic world) or real (the csv catalog data.catalog)' });
  if (options.as !== undefined && !/^[a-z0-9][a-z0-9._-]*$/.test(options.as)) throw new ShError('SH_ERR_CLI_USAGE', '--as needs a model id', { where: '--as', received: options.as, expected: 'lowercase letters, digits, ".", "_" or "-", e.g. regime-gmm-real' });
  const source: FitSource = data === 'synthetic' ? { kind: 'synthetic', ...syntheticWorldOf(config) } : { kind: 'real', catalogPath: fromRoot(config.data.catalog), catalogName: config.data.catalog };
  log(`models fit ${modelId}: loading ${data} data before ${until}`);
  const loaded = await loadFitData(definition, source, until);
  const result = fitModel({ modelId, data: loaded.data, until, sourceTag: loaded.sourceTag, sourceDescription: loaded.sourceDescription, ...(options.as ? { cardId: options.as } : {}) });
  const registry = registryPath(config);
  const { modelFile, cardFile } = await writeFittedModel(path.dirname(registry), registry, result);
  const quality = Object.entries(result.inSample).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `${result.card.id} ${result.card.version}: ${result.dataset.rows.length} rows, training window ${result.card.trainingWindow.from}..${result.card.trainingWindow.to}`,
    `  in sample: ${quality}`,
    `  wrote ${shown(modelFile)} (${result.bytes.length} bytes, sha256 ${result.card.sha256}) and ${shown(cardFile)}; registered in ${shown(registry)}`,
    '',
  ].join('\n');
}
