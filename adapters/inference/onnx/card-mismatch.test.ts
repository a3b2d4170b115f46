import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShError } from '../../../core/index.js';
import type { ErrorCode, ModelCard, OutputSpec, ShError } from '../../../core/index.js';
import { buildTestModels, writeTestModels } from './fixtures/test-models.js';
import { OnnxProvider, cardMismatches } from './index.js';

const models = buildTestModels();
let dir = '';
let files: Record<string, string> = {};

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sh-onnx-card-'));
  files = await writeTestModels(dir, models);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function card(name: string): ModelCard {
  const model = models.find((m) => m.name === name);
  if (!model) throw new Error(`no test model ${name}`);
  return structuredClone(model.card) as ModelCard;
}

async function loadFailure(name: string, changed: ModelCard, code: ErrorCode): Promise<ShError> {
  const provider = new OnnxProvider({ executionProviders: ['cpu'] });
  const error = await provider.load({ file: files[name] as string, card: changed }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await provider.close();
  expect(isShError(error, code), `expected ${code}, was ${String(error)}`).toBe(true);
  return error as ShError;
}

const withOutputs = (c: ModelCard, outputs: OutputSpec[]): ModelCard => ({ ...c, outputs });

describe('a model that does not match its card is refused', () => {
  it('a file whose sha256 differs: SH_ERR_INFERENCE_HASH_MISMATCH naming model, field, expected and received', async () => {
    const original = card('mlp');
    const wrong = 'ab'.repeat(32);
    const error = await loadFailure('mlp', { ...original, sha256: wrong }, 'SH_ERR_INFERENCE_HASH_MISMATCH');
    expect(error.message).toContain('Model mlp');
    expect(error.message).toContain('field sha256');
    expect(error.message).toContain(`expected ${wrong} (card)`);
    expect(error.message).toContain(`was ${original.sha256} (file)`);
    expect(error.details).toMatchObject({ model: 'mlp', field: 'sha256', expected: wrong, received: original.sha256 });
  });

  it('a file changed after its card was written fails the same way', async () => {
    const copy = path.join(dir, 'mlp-tampered.onnx');
    const bytes = await fs.readFile(files['mlp'] as string);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    await fs.writeFile(copy, bytes);
    const provider = new OnnxProvider({ executionProviders: ['cpu'] });
    const error = await provider.load({ file: copy, card: card('mlp') }).catch((e: unknown) => e);
    expect(isShError(error, 'SH_ERR_INFERENCE_HASH_MISMATCH')).toBe(true);
    expect((error as ShError).details.received).not.toBe(card('mlp').sha256);
  });

  const mlp = card('mlp');
  const classifier = card('tree-classifier');
  const [label, probabilities] = classifier.outputs as [OutputSpec, OutputSpec];
  it.each<[string, string, ModelCard, string, string, string]>([
    ['the input name', 'mlp', { ...mlp, inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 16] }] }, 'inputs[0].name', '"x"', '"features"'],
    [
      'the number of features',
      'mlp',
      { ...mlp, features: mlp.features.slice(0, 15), inputs: [{ name: 'features', dtype: 'float32', shape: ['batch', 15] }] },
      'inputs[0].shape[1]',
      '15',
      '16',
    ],
    ['an output name', 'mlp', withOutputs(mlp, [{ name: 'score', dtype: 'float32', shape: ['batch', 1], meaning: 'probability' }]), 'outputs[0].name', '"score"', '"probability"'],
    ['an output width', 'mlp', withOutputs(mlp, [{ name: 'probability', dtype: 'float32', shape: ['batch', 3], meaning: 'regression' }]), 'outputs[0].shape[1]', '3', '1'],
    ['an output rank', 'mlp', withOutputs(mlp, [{ name: 'probability', dtype: 'float32', shape: ['batch'], meaning: 'probability' }]), 'outputs[0].shape', '["batch"]', '["batch",1]'],
    ['the output order', 'tree-classifier', withOutputs(classifier, [probabilities, label]), 'outputs[0].name', '"probabilities"', '"label"'],
    ['an output dtype', 'tree-classifier', withOutputs(classifier, [{ ...label, dtype: 'float32' }, probabilities]), 'outputs[0].dtype', '"float32"', '"int64"'],
    ['a missing output', 'tree-classifier', withOutputs(classifier, [label]), 'outputs', '["label"]', '["label","probabilities"]'],
    [
      'an extra output',
      'mlp',
      withOutputs(mlp, [...mlp.outputs, { name: 'logit', dtype: 'float32', shape: ['batch', 1], meaning: 'regression' }]),
      'outputs',
      '["probability","logit"]',
      '["probability"]',
    ],
  ])('%s: SH_ERR_INFERENCE_CARD_MISMATCH naming model, field, expected and received', async (_case, name, changed, field, expected, received) => {
    const error = await loadFailure(name, changed, 'SH_ERR_INFERENCE_CARD_MISMATCH');
    expect(error.message).toContain(`Model ${name} (`);
    expect(error.message).toContain(`at field ${field}: expected ${expected} (card), was ${received} (model)`);
    expect(error.details).toMatchObject({ model: name, field, expected });
    expect(JSON.stringify(error.details.received)).toBe(received);
  });

  it('lists every difference, not only the first', async () => {
    const changed = withOutputs(classifier, [{ ...label, name: 'class' }, { ...probabilities, name: 'p' }]);
    const error = await loadFailure('tree-classifier', changed, 'SH_ERR_INFERENCE_CARD_MISMATCH');
    expect(error.message).toContain('(and 1 more difference)');
    expect(error.problems.map((p) => p.details['field'])).toEqual(['outputs[0].name', 'outputs[1].name']);
    expect(error.render()).toContain('fix: Regenerate the card from the exported model');
  });

  it('accepts a symbolic batch and fixed dimensions that agree, and a model that declares no shape', () => {
    const signature = (shape: (number | string)[]) => ({
      inputNames: ['features'],
      outputNames: ['probability'],
      inputMetadata: [{ name: 'features', isTensor: true, type: 'float32', shape: ['N', 16] }],
      outputMetadata: [{ name: 'probability', isTensor: true, type: 'float32', shape }],
    });
    expect(cardMismatches(mlp, signature(['N', 1]))).toEqual([]);
    expect(cardMismatches(mlp, signature([-1, 1]))).toEqual([]);
    expect(cardMismatches(mlp, signature([]))).toEqual([]);
    expect(cardMismatches(mlp, signature([1, 1]))).toEqual([{ field: 'outputs[0].shape[0]', expected: 'batch', received: 1 }]);
  });
});
