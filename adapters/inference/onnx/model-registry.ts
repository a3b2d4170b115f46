import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ShError, shError } from '../../../core/index.js';
import type { ModelCard, ModelSpec } from '../../../core/index.js';
import { parseModelCard } from './model-card.js';

/** Lowercase hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The card path of a model file: `models/mlp.onnx` -> `models/mlp.card.json`. */
export function cardPathFor(modelFile: string): string {
  const parsed = path.parse(modelFile);
  return path.join(parsed.dir, `${parsed.ext === '.onnx' ? parsed.name : parsed.base}.card.json`);
}

async function readJson(file: string, code: 'SH_ERR_INFERENCE_CARD_INVALID'): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw shError(code, `Cannot read ${file}: ${(error as Error).message}.`, { where: file, received: (error as NodeJS.ErrnoException).code, expected: 'a readable JSON file' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw shError(code, `${file} is not JSON: ${(error as Error).message}.`, { where: file, expected: 'valid JSON' });
  }
}

/** Read and check a card file. Throws SH_ERR_INFERENCE_CARD_INVALID listing every problem. */
export async function readModelCard(cardFile: string): Promise<ModelCard> {
  return parseModelCard(await readJson(cardFile, 'SH_ERR_INFERENCE_CARD_INVALID'), cardFile);
}

/**
 * The spec of a model whose card lies next to it (`<name>.card.json` beside `<name>.onnx`).
 * @example await provider.load(await modelSpecFromFile('models/gold-direction.onnx'))
 */
export async function modelSpecFromFile(modelFile: string): Promise<ModelSpec> {
  return { file: modelFile, card: await readModelCard(cardPathFor(modelFile)) };
}

/**
 * Read a model registry: `{ "models": { "<id>": { "file": "...onnx", "card"?: "...card.json" | { inline card } } } }`.
 * Paths are relative to the registry file; without `card`, the card lies next to the model file. The key must equal
 * the card's id. Every problem of every entry is reported at once (SH_ERR_INFERENCE_CARD_INVALID).
 */
export async function readModelRegistry(registryFile: string): Promise<ModelSpec[]> {
  const registry = await readJson(registryFile, 'SH_ERR_INFERENCE_CARD_INVALID');
  const dir = path.dirname(registryFile);
  const problems: ShError[] = [];
  const invalid = (where: string, received: unknown, expected: string): void => {
    problems.push(shError('SH_ERR_INFERENCE_CARD_INVALID', `Model registry ${registryFile}: ${where} is invalid.`, { where: `${registryFile}: ${where}`, received, expected }));
  };
  const models = typeof registry === 'object' && registry !== null ? (registry as Record<string, unknown>)['models'] : undefined;
  if (typeof models !== 'object' || models === null || Array.isArray(models)) {
    invalid('models', models, 'an object { "<model id>": { "file": "<path>.onnx", "card"?: "<path>.card.json" | { card } } }');
  } else {
    for (const key of Object.keys(registry as object)) if (key !== 'models') invalid(key, key, 'only the key models');
  }
  const specs: ModelSpec[] = [];
  for (const [id, entry] of Object.entries(problems.length === 0 ? (models as Record<string, unknown>) : {})) {
    const at = `models.${id}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      invalid(at, entry, 'an object { file, card? }');
      continue;
    }
    const { file, card, ...rest } = entry as Record<string, unknown>;
    for (const key of Object.keys(rest)) invalid(`${at}.${key}`, key, 'only the keys file and card');
    if (typeof file !== 'string' || file === '') {
      invalid(`${at}.file`, file, 'the path of the model file, relative to the registry');
      continue;
    }
    const modelFile = path.resolve(dir, file);
    try {
      let parsed: ModelCard;
      if (card === undefined) parsed = await readModelCard(cardPathFor(modelFile));
      else if (typeof card === 'string') parsed = await readModelCard(path.resolve(dir, card));
      else parsed = parseModelCard(card, `${registryFile}: ${at}.card`);
      if (parsed.id !== id) invalid(`${at}.card.id`, parsed.id, `"${id}": the registry key and the card id must be equal`);
      else specs.push({ file: modelFile, card: parsed });
    } catch (error) {
      if (!(error instanceof ShError)) throw error;
      problems.push(...(error.problems.length > 0 ? error.problems : [error]));
    }
  }
  if (problems.length > 0) {
    const first = problems[0] as ShError;
    throw new ShError(
      'SH_ERR_INFERENCE_CARD_INVALID',
      `Model registry ${registryFile} has ${problems.length} problem${problems.length === 1 ? '' : 's'}. First: ${first.message}`,
      { ...first.details, where: registryFile },
      problems,
    );
  }
  return specs;
}

/**
 * Read a model file and check it is the one its card describes. Throws SH_ERR_INFERENCE_LOAD_FAILED if it cannot be
 * read, SH_ERR_INFERENCE_HASH_MISMATCH (naming the model, the field sha256, expected and received) if it differs.
 */
export async function readVerifiedModel(spec: ModelSpec): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(spec.file);
  } catch (error) {
    throw shError('SH_ERR_INFERENCE_LOAD_FAILED', `Model ${spec.card.id}: cannot read ${spec.file}: ${(error as Error).message}.`, {
      where: `model ${spec.card.id}: file`,
      model: spec.card.id,
      received: (error as NodeJS.ErrnoException).code,
      expected: 'a readable ONNX file',
    });
  }
  const actual = sha256Hex(bytes);
  if (actual !== spec.card.sha256) {
    throw shError(
      'SH_ERR_INFERENCE_HASH_MISMATCH',
      `Model ${spec.card.id} (${spec.file}) does not match its card at field sha256: expected ${spec.card.sha256} (card), was ${actual} (file).`,
      { where: `model ${spec.card.id}: sha256`, model: spec.card.id, file: spec.file, field: 'sha256', expected: spec.card.sha256, received: actual },
    );
  }
  return bytes;
}
