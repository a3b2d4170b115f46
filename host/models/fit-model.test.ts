import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDate, type SeriesData } from '../../core/index.js';
import { OnnxProvider, readModelRegistry, sha256Hex } from '../../adapters/inference/onnx/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';
import { buildDataset, labelUniqueness, truncateSeries } from './dataset.js';
import { fitModel, seriesNeeded, writeFittedModel, type FitResult } from './fit-model.js';
import { MODEL_DEFINITIONS } from './model-definitions.js';

/** The demo profile's synthetic world (seed 42, run 2017-2019 with 800 days of warm-up): what the committed models were fitted on. */
const WORLD = { seed: 42, start: '2014-10-17', end: '2019-12-31' };
const UNTIL = '2016-12-31';
const MODEL_IDS = Object.keys(MODEL_DEFINITIONS);

let data: SeriesData[];
const fitted = new Map<string, FitResult>();
const fit = (modelId: string, series: readonly SeriesData[] = data, until = UNTIL): FitResult =>
  fitModel({ modelId, data: series, until, sourceTag: 'synthetic', sourceDescription: 'the demo world' });

beforeAll(async () => {
  const ids = [...new Set(MODEL_IDS.flatMap((id) => seriesNeeded(MODEL_DEFINITIONS[id]!)))];
  data = [...(await new SyntheticDataAdapter(WORLD).history({ ids, from: parseDate(WORLD.start), to: parseDate(WORLD.end) }))];
  for (const id of MODEL_IDS) fitted.set(id, fit(id));
});

describe('models fit: determinism and the cutoff', () => {
  it.each(MODEL_IDS)('%s: the same data and cutoff give byte-identical ONNX and the same sha256', (id) => {
    const again = fit(id);
    const first = fitted.get(id)!;
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(again.card.sha256).toBe(sha256Hex(first.bytes));
    expect(again.card).toEqual(first.card);
  });

  it.each(MODEL_IDS)('%s: reads nothing at or after the cutoff (data truncated there, or changed after it, give the same model)', (id) => {
    const cutoff = parseDate(UNTIL);
    const truncated = fit(id, data.map((d) => truncateSeries(d, cutoff)));
    expect(truncated.card.sha256).toBe(fitted.get(id)!.card.sha256);
    // Scramble every value observed at or after the cutoff: still the same model.
    const scrambled = data.map((d) => ({ ...d, columns: Object.fromEntries(Object.entries(d.columns).map(([f, column]) => [f, column.map((v, i) => ((d.available[i] as number) >= cutoff || (d.time[i] as number) >= cutoff ? v * 1.7 + 3 : v))])) }));
    expect(fit(id, scrambled).card.sha256).toBe(fitted.get(id)!.card.sha256);
  });

  it.each(MODEL_IDS)('%s: a change to the data a week before the cutoff changes the model', (id) => {
    const week = parseDate('2016-12-21');
    const changed = data.map((d) => ({ ...d, columns: Object.fromEntries(Object.entries(d.columns).map(([f, column]) => [f, column.map((v, i) => ((d.time[i] as number) >= week ? v * 1.05 : v))])) }));
    expect(fit(id, changed).card.sha256).not.toBe(fitted.get(id)!.card.sha256);
  });

  it('labels end before the cutoff, and the card says where the training data ends', () => {
    for (const id of MODEL_IDS) {
      const { dataset, card, definition } = fitted.get(id)!;
      expect(Math.max(...dataset.labelEnds)).toBeLessThan(parseDate(UNTIL));
      expect(Math.max(...dataset.times)).toBeLessThan(parseDate(UNTIL));
      expect(card.trainingWindow.to).toBe('2016-12-30');
      if (definition.horizon > 0) expect(dataset.barIndices.every((i, r) => dataset.targets[r] !== undefined && Number.isFinite(dataset.targets[r]!) && i >= 0)).toBe(true);
    }
  });

  it('weighs overlapping labels by their uniqueness (about 1 / horizon each, summing to about the independent periods)', () => {
    const { dataset } = fitted.get('forecast-quantiles')!;
    const weights = labelUniqueness(dataset);
    const perSymbol = dataset.rows.length / 2;
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo((2 * (perSymbol + 19)) / 20, 0);
    expect(weights[Math.floor(weights.length / 2)]).toBeCloseTo(1 / 20, 12);
  });

  it('refuses a cutoff with too little history, naming --until', () => {
    expect(() => fit('ensemble-gbt', data, '2015-06-30')).toThrow(/only \d+ training rows before 2015-06-30, at least 400/);
    expect(() => fit('regime-gmm', data, '2016-13-01')).toThrow(/--until <YYYY-MM-DD>/);
  });
});

describe('models fit: the exported ONNX through the inference provider', () => {
  let dir: string;
  let provider: OnnxProvider;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'models-fit-'));
    provider = new OnnxProvider({ executionProviders: ['cpu'], batching: false });
    for (const id of MODEL_IDS) await writeFittedModel(dir, path.join(dir, 'registry.json'), fitted.get(id)!);
  });
  afterAll(async () => {
    await provider.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes a registry the adapter reads, whose cards pass the provider\'s checks (hash, inputs, outputs) at load', async () => {
    const specs = await readModelRegistry(path.join(dir, 'registry.json'));
    expect(specs.map((s) => s.card.id)).toEqual([...MODEL_IDS].sort());
    for (const spec of specs) {
      const loaded = await provider.load(spec);
      expect(loaded.provider).toBe('cpu');
      expect(spec.card).toEqual(fitted.get(spec.card.id)!.card);
    }
  });

  it.each(MODEL_IDS)('%s: onnxruntime scores 2017-2019 rows (out of sample) like the JS model, to 1e-5', async (id) => {
    const { definition, model } = fitted.get(id)!;
    const oos = buildDataset(data, definition.featureSet, { symbols: definition.symbols, horizon: 0, until: parseDate('2020-01-01'), from: parseDate('2017-01-01') });
    expect(oos.rows.length).toBeGreaterThan(700);
    const outputs = await provider.score(id, Float32Array.from(oos.rows.flat()), oos.rows.length);
    const reference = model.score(oos.rows);
    for (const [name, values] of Object.entries(reference)) {
      const scored = outputs[name]!;
      expect(scored.length).toBe(values.length);
      let max = 0;
      values.forEach((v, i) => (max = Math.max(max, Math.abs(v - (scored[i] as number)))));
      expect(max).toBeLessThan(1e-5);
    }
  });

  it('a registry entry is replaced, not duplicated, when a model is refitted', async () => {
    await writeFittedModel(dir, path.join(dir, 'registry.json'), fitted.get('regime-gmm')!);
    const registry = JSON.parse(await fs.readFile(path.join(dir, 'registry.json'), 'utf8')) as { models: Record<string, { file: string }> };
    expect(Object.keys(registry.models)).toEqual([...MODEL_IDS].sort());
    expect(registry.models['regime-gmm']).toEqual({ file: 'regime-gmm.onnx' });
  });
});

describe('the committed models (config/models)', () => {
  it('are registered, match their cards, and are exactly what models fit gives on the demo world before 2017', async () => {
    const specs = await readModelRegistry(path.resolve('config/models/registry.json'));
    expect(specs.map((s) => s.card.id).sort()).toEqual([...MODEL_IDS].sort());
    for (const spec of specs) {
      const bytes = await fs.readFile(spec.file);
      expect(bytes.length).toBeLessThan(16_384);
      expect(sha256Hex(bytes)).toBe(spec.card.sha256);
      expect(spec.card.sha256).toBe(fitted.get(spec.card.id)!.card.sha256);
      expect(spec.card.trainingWindow.to < '2017-01-01').toBe(true);
    }
  });
});
