import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { normalCdf, seededNormals } from '../../core/index.js';
import { exportBoostedTrees, fitBoostedTrees, predictBoostedTrees } from './boosted-trees.js';
import { exportGaussianMixture, fitGaussianMixture, mixturePosterior } from './gaussian-mixture.js';
import { exportLogistic, fitLogistic, logisticProbability } from './logistic-regression.js';
import { mean, quantileOf } from './model-quality.js';
import { exportQuantileRegression, fitQuantileRegression, predictQuantiles } from './quantile-regression.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

async function runOnnx(bytes: Uint8Array, rows: readonly (readonly number[])[], output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const result = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]) });
    return result[output]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe('Gaussian mixture (EM)', () => {
  // 70% calm points around (0, -2), 30% stressed around (1, 0), with different spreads and a correlation.
  const z = seededNormals(1, 6000);
  const rows = Array.from({ length: 3000 }, (_, i) => {
    const stressed = i % 10 < 3;
    const a = z[2 * i]!;
    const b = z[2 * i + 1]!;
    return stressed ? [1 + 0.5 * a, 0.3 * a + 0.4 * b] : [0.2 * a, -2 + 0.1 * b];
  });
  const mixture = fitGaussianMixture(rows, { states: 2, orderBy: [0, 1] });

  it('recovers the weights and means of two clusters, calm first', () => {
    expect(mixture.weights[0]).toBeCloseTo(0.7, 2);
    const means = mixture.means.map((m) => m.map((v, j) => v * mixture.scale[j]! + mixture.mean[j]!));
    expect(means[0]![0]).toBeCloseTo(0, 1);
    expect(means[0]![1]).toBeCloseTo(-2, 1);
    expect(means[1]![0]).toBeCloseTo(1, 1);
    expect(means[1]![1]).toBeCloseTo(0, 1);
  });

  it('gives posteriors that classify the points, and an ONNX graph that computes them', async () => {
    const posterior = mixturePosterior(mixture, rows);
    const correct = posterior.filter((p, i) => (p[1]! > 0.5) === (i % 10 < 3)).length;
    expect(correct / rows.length).toBeGreaterThan(0.99);
    const onnx = await runOnnx(exportGaussianMixture(mixture, 'test-gmm'), rows, 'probabilities');
    expect(maxDifference(onnx, posterior.flat())).toBeLessThan(1e-5);
  });

  it('is deterministic: the same rows give the same mixture', () => {
    expect(fitGaussianMixture(rows, { states: 2, orderBy: [0, 1] })).toEqual(mixture);
  });
});

describe('logistic regression (IRLS, L2)', () => {
  const z = seededNormals(2, 30000);
  const rows = Array.from({ length: 10000 }, (_, i) => [z[3 * i]!, 2 + 3 * z[3 * i + 1]!]);

  it('recovers the coefficients of a logistic data-generating process', () => {
    // Labels drawn with P(y = 1) = σ(-0.5 + 1.2 x0 - 0.3 x1), from uniforms made of further normals (Φ(v)).
    const uniform = z.slice(20000).map((v) => normalCdf(v));
    const drawn = rows.map((r, i) => (uniform[i]! < sigmoid(-0.5 + 1.2 * r[0]! - 0.3 * r[1]!) ? 1 : 0));
    const model = fitLogistic(rows, drawn, { l2: 1e-6 });
    const raw = model.coefficients.map((c, j) => c / model.scale[j]!);
    const intercept = model.intercept - raw.reduce((s, c, j) => s + c * model.mean[j]!, 0);
    expect(raw[0]).toBeCloseTo(1.2, 1);
    expect(raw[1]).toBeCloseTo(-0.3, 1);
    expect(intercept).toBeCloseTo(-0.5, 1);
  });

  it('shrinks coefficients with the penalty and with smaller sample weights', () => {
    const drawn = rows.map((r, i) => (z[(i * 7) % 30000]! < 1.5 * r[0]! ? 1 : 0));
    const light = fitLogistic(rows, drawn, { l2: 1 });
    const heavy = fitLogistic(rows, drawn, { l2: 1, weights: rows.map(() => 0.001) });
    expect(Math.abs(heavy.coefficients[0]!)).toBeLessThan(Math.abs(light.coefficients[0]!) * 0.9);
  });

  it('exports Gemm + Sigmoid that matches the JS probability', async () => {
    const drawn = rows.map((r) => (r[0]! + 0.1 * r[1]! > 0.2 ? 1 : 0));
    const model = fitLogistic(rows, drawn, { l2: 1 });
    const onnx = await runOnnx(exportLogistic(model, 'test-logit'), rows.slice(0, 500), 'probability');
    expect(maxDifference(onnx, logisticProbability(model, rows.slice(0, 500)))).toBeLessThan(1e-5);
  });
});

describe('linear quantile regression (IRLS)', () => {
  // y = 1 + 2 x + (0.5 + x) e, x in [0, 2): the spread of y grows with x.
  const z = seededNormals(3, 8000);
  const rows = Array.from({ length: 4000 }, (_, i) => [1 + Math.tanh(z[2 * i]!)]);
  const targets = rows.map((r, i) => 1 + 2 * r[0]! + (0.5 + r[0]!) * z[2 * i + 1]!);
  const model = fitQuantileRegression(rows, targets, { quantiles: [0.1, 0.5, 0.9] });

  it('recovers the conditional quantiles of a heteroscedastic line', () => {
    const slope = (k: number): number => model.betas[k]![1]! / model.scale[0]!;
    expect(slope(1)).toBeCloseTo(2, 0);
    // q90 - q10 grows by 2 x 1.2816 per unit of x.
    expect(slope(2) - slope(0)).toBeCloseTo(2.563, 0);
    const predicted = predictQuantiles(model, rows);
    predicted.forEach((p) => expect(p[0]! < p[1]! && p[1]! < p[2]!).toBe(true));
    const coverage = (k: number): number => mean(targets.map((y, i) => (y <= predicted[i]![k]! ? 1 : 0)));
    expect(coverage(0)).toBeCloseTo(0.1, 1);
    expect(coverage(1)).toBeCloseTo(0.5, 1);
    expect(coverage(2)).toBeCloseTo(0.9, 1);
  });

  it('shrinks each level by its own penalty, towards the unconditional quantile', () => {
    const penalised = fitQuantileRegression(rows, targets, { quantiles: [0.1, 0.5, 0.9], l2: [0, 1e6, 0] });
    expect(penalised.betas[0]).toEqual(model.betas[0]);
    expect(Math.abs(penalised.betas[1]![1]!)).toBeLessThan(0.01 * Math.abs(model.betas[1]![1]!));
    expect(penalised.betas[1]![0]).toBeCloseTo(quantileOf(targets, 0.5), 1);
  });

  it('exports MatMul + Add with one column per level, matching the JS predictions', async () => {
    const onnx = await runOnnx(exportQuantileRegression(model, 'test-quantiles'), rows.slice(0, 500), 'quantiles');
    expect(maxDifference(onnx, predictQuantiles(model, rows.slice(0, 500)).flat())).toBeLessThan(1e-5);
    expect(quantileOf([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe('gradient-boosted regression trees', () => {
  // y = 1 when x0 > 0.3 (x1 is noise), plus a little noise.
  const z = seededNormals(4, 9000);
  const rows = Array.from({ length: 3000 }, (_, i) => [Math.fround(z[3 * i]!), Math.fround(z[3 * i + 1]!)]);
  const targets = rows.map((r, i) => (r[0]! > 0.3 ? 1 : 0) + 0.1 * z[3 * i + 2]!);

  it('learns a step on the informative feature, depth at most 3', () => {
    const model = fitBoostedTrees(rows, targets, { trees: 60, depth: 3, learningRate: 0.1, minLeaf: 20 });
    const predicted = predictBoostedTrees(model, [[-1, 0], [1, 0], [-1, 2], [1, -2]]);
    expect(predicted[0]).toBeLessThan(0.1);
    expect(predicted[1]).toBeGreaterThan(0.9);
    expect(Math.abs(predicted[0]! - predicted[2]!)).toBeLessThan(0.1);
    const root = model.trees[0]![0]!;
    expect('feature' in root && root.feature).toBe(0);
    expect('threshold' in root && Math.abs(root.threshold - 0.3)).toBeLessThan(0.1);
    for (const tree of model.trees) expect(tree.length).toBeLessThanOrEqual(15);
    expect(() => fitBoostedTrees(rows, targets, { depth: 4 })).toThrow(RangeError);
  });

  it('exports a TreeEnsembleRegressor that matches the JS predictions, thresholds included', async () => {
    const model = fitBoostedTrees(rows, targets, { trees: 30, depth: 3, learningRate: 0.1, minLeaf: 20 });
    const onnx = await runOnnx(exportBoostedTrees(model, 'test-gbt'), rows, 'prediction');
    expect(maxDifference(onnx, predictBoostedTrees(model, rows))).toBeLessThan(1e-5);
  });
});
