import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShError, isShError } from '../../../core/index.js';
import { buildTestModels, maxDifference, randomRows, seededRandom, writeTestModels } from './fixtures/test-models.js';
import { OnnxProvider, cardPathFor, modelSpecFromFile, parseModelCard, readModelRegistry } from './index.js';

const models = buildTestModels();
const mlpCard = models[0]?.card;
let dir = '';

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sh-onnx-registry-'));
  await writeTestModels(path.join(dir, 'models'), models);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function thrown(action: () => unknown): ShError {
  try {
    action();
  } catch (error) {
    expect(isShError(error, 'SH_ERR_INFERENCE_CARD_INVALID'), String(error)).toBe(true);
    return error as ShError;
  }
  throw new Error('expected SH_ERR_INFERENCE_CARD_INVALID, nothing was thrown');
}

async function rejected(promise: Promise<unknown>): Promise<ShError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isShError(error, 'SH_ERR_INFERENCE_CARD_INVALID'), String(error)).toBe(true);
  return error as ShError;
}

describe('model cards', () => {
  it('the card path sits next to the model file', () => {
    expect(cardPathFor(path.join('models', 'gold.onnx'))).toBe(path.join('models', 'gold.card.json'));
    expect(cardPathFor(path.join('models', 'gold.bin'))).toBe(path.join('models', 'gold.bin.card.json'));
  });

  it('a batch dimension written -1 reads as "batch"', () => {
    const card = parseModelCard({ ...mlpCard, inputs: [{ name: 'features', dtype: 'float32', shape: [-1, 16] }] }, 'test');
    expect(card.inputs[0]?.shape).toEqual(['batch', 16]);
  });

  it.each<[string, Record<string, unknown>, string, unknown]>([
    ['a missing id', { id: undefined }, 'id', undefined],
    ['a short sha256', { sha256: 'abc' }, 'sha256', 'abc'],
    ['an unknown key', { owner: 'me' }, 'owner', 'owner'],
    ['no features', { features: [] }, 'features', []],
    ['a repeated feature', { features: [...(mlpCard?.features.slice(0, 15) ?? []), 'feature_0'] }, 'features[15]', 'feature_0'],
    ['a training window backwards', { trainingWindow: { from: '2016-01-01', to: '2015-01-01' } }, 'trainingWindow', { from: '2016-01-01', to: '2015-01-01' }],
    ['a batch dimension not first', { inputs: [{ name: 'features', dtype: 'float32', shape: [16, 16] }] }, 'inputs[0].shape[0]', 16],
    ['an input that is not one column per feature', { inputs: [{ name: 'features', dtype: 'float32', shape: ['batch', 4] }] }, 'inputs[0].shape', ['batch', 4]],
    ['two inputs', { inputs: [{ name: 'a', dtype: 'float32', shape: ['batch', 16] }, { name: 'b', dtype: 'float32', shape: ['batch', 16] }] }, 'inputs', [{ name: 'a', dtype: 'float32', shape: ['batch', 16] }, { name: 'b', dtype: 'float32', shape: ['batch', 16] }]],
    ['an unknown meaning', { outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 1], meaning: 'score' }] }, 'outputs[0].meaning', 'score'],
    ['quantile levels out of order', { outputs: [{ name: 'q', dtype: 'float32', shape: ['batch', 3], meaning: 'quantiles', quantiles: [0.5, 0.1, 0.9] }] }, 'outputs[0].quantiles', [0.5, 0.1, 0.9]],
    ['class labels of the wrong count', { outputs: [{ name: 'p', dtype: 'float32', shape: ['batch', 2], meaning: 'class-probabilities', labels: ['a', 'b', 'c'] }] }, 'outputs[0].labels', ['a', 'b', 'c']],
    ['a probability of width 2', { outputs: [{ name: 'p', dtype: 'float32', shape: ['batch', 2], meaning: 'probability' }] }, 'outputs[0].shape', ['batch', 2]],
  ])('%s is SH_ERR_INFERENCE_CARD_INVALID naming the field and what was received', (_case, change, field, received) => {
    const error = thrown(() => parseModelCard({ ...mlpCard, ...change }, 'models/mlp.card.json'));
    expect(error.message).toMatch(/^Model card models\/mlp\.card\.json has 1 problem\. First: /);
    expect(error.details).toMatchObject({ field, received });
    expect(error.problems).toHaveLength(1);
  });

  it('reports every problem of a card at once', () => {
    const error = thrown(() => parseModelCard({ ...mlpCard, id: '', version: 3, trainingWindow: { from: 'yesterday', to: '2015-12-31' } }, 'card'));
    expect(error.problems.map((p) => p.details['field'])).toEqual(['id', 'version', 'trainingWindow.from']);
  });

  it('quantile outputs carry their levels', () => {
    const card = parseModelCard({ ...mlpCard, outputs: [{ name: 'q', dtype: 'float32', shape: ['batch', 3], meaning: 'quantiles', quantiles: [0.1, 0.5, 0.9] }] }, 'card');
    expect(card.outputs[0]).toEqual({ name: 'q', dtype: 'float32', shape: ['batch', 3], meaning: 'quantiles', quantiles: [0.1, 0.5, 0.9] });
  });
});

describe('model registry', () => {
  it('reads cards by path, inline and next to the file, and every model loads and scores', async () => {
    const [mlp, regressor, classifier] = models;
    const registry = {
      models: {
        mlp: { file: 'models/mlp.onnx', card: 'models/mlp.card.json' },
        'tree-regressor': { file: 'models/tree-regressor.onnx', card: regressor?.card },
        'tree-classifier': { file: 'models/tree-classifier.onnx' },
      },
    };
    const file = path.join(dir, 'registry.json');
    await fs.writeFile(file, JSON.stringify(registry));
    const specs = await readModelRegistry(file);
    expect(specs.map((s) => [s.card.id, path.relative(dir, s.file)])).toEqual([
      ['mlp', path.join('models', 'mlp.onnx')],
      ['tree-regressor', path.join('models', 'tree-regressor.onnx')],
      ['tree-classifier', path.join('models', 'tree-classifier.onnx')],
    ]);
    expect(specs.map((s) => s.card)).toEqual([mlp?.card, regressor?.card, classifier?.card]);
    const provider = new OnnxProvider({ executionProviders: ['cpu'] });
    for (const spec of specs) await provider.load(spec);
    for (const model of models) {
      const rows = randomRows(seededRandom(1), 5, model.card.features.length);
      const outputs = await provider.score(model.name, rows, 5);
      for (const [name, expected] of Object.entries(model.reference(rows, 5))) expect(maxDifference(outputs[name], expected)).toBeLessThanOrEqual(1e-5);
    }
    await provider.close();
  });

  it('reports every problem of every entry at once', async () => {
    const file = path.join(dir, 'broken-registry.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        models: {
          'gold-direction': { file: 'models/mlp.onnx' },
          silver: { file: 42 },
          copper: { file: 'models/mlp.onnx', card: { ...mlpCard, id: 'copper', sha256: 'nope' } },
          zinc: { file: 'models/absent.onnx' },
        },
      }),
    );
    const error = await rejected(readModelRegistry(file));
    expect(error.message).toMatch(/has 4 problems\. First: .*models\.gold-direction\.card\.id is invalid\./);
    expect(error.problems.map((p) => [p.details.where?.split(': ').slice(-1)[0], p.details.received])).toEqual([
      ['models.gold-direction.card.id', 'mlp'],
      ['models.silver.file', 42],
      ['sha256', 'nope'],
      [cardPathFor(path.join(dir, 'models', 'absent.onnx')), 'ENOENT'],
    ]);
  });

  it.each([
    ['not JSON', '{ models: ', /is not JSON/],
    ['no models key', '{"model": {}}', /models is invalid/],
  ])('a registry that is %s is SH_ERR_INFERENCE_CARD_INVALID', async (_case, text, message) => {
    const file = path.join(dir, 'bad.json');
    await fs.writeFile(file, text);
    expect((await rejected(readModelRegistry(file))).message).toMatch(message);
  });

  it('modelSpecFromFile reads the card beside the file', async () => {
    const spec = await modelSpecFromFile(path.join(dir, 'models', 'mlp.onnx'));
    expect(spec.card).toEqual(mlpCard);
  });
});
