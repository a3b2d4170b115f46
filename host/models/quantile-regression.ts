import { solveSpd, standardisation, standardise, zeros } from './linear-algebra.js';
import { encodeModel, floatTensor, tensorInfo } from './onnx-graph.js';

/** Linear quantile regressions on standardised features, one column of coefficients per quantile level. */
export interface QuantileModel {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly quantiles: readonly number[];
  /** Per quantile level: [intercept, coefficients...]. */
  readonly betas: readonly (readonly number[])[];
  readonly iterations: readonly number[];
}

export interface QuantileOptions {
  readonly quantiles: readonly number[];
  readonly maxIterations?: number;
  /** Residuals (in target standard deviations) smaller than this count as this in the weights. Default 1e-6. */
  readonly epsilon?: number;
  /** Sample weights (default 1 each), e.g. label uniqueness. */
  readonly weights?: readonly number[];
  /** L2 penalty on the coefficients of standardised features for the standardised target (not the intercept): one for every level, or one per level. Default 0. */
  readonly l2?: number | readonly number[];
}

/** Pinball (check) loss of residual r at level q. */
export function pinball(residual: number, quantile: number): number {
  return residual >= 0 ? quantile * residual : (quantile - 1) * residual;
}

function weightedLeastSquares(x: readonly (readonly number[])[], y: readonly number[], weights: readonly number[], l2: number): number[] {
  const p = (x[0] as readonly number[]).length;
  const a = zeros(p, p);
  const b = new Array<number>(p).fill(0);
  x.forEach((row, i) => {
    const w = weights[i] as number;
    for (let j = 0; j < p; j++) {
      b[j] = (b[j] as number) + w * (row[j] as number) * (y[i] as number);
      for (let k = 0; k <= j; k++) (a[j] as number[])[k] = ((a[j] as number[])[k] as number) + w * (row[j] as number) * (row[k] as number);
    }
  });
  const trace = a.reduce((s, row, j) => s + (row[j] as number), 0);
  for (let j = 0; j < p; j++) {
    (a[j] as number[])[j] = ((a[j] as number[])[j] as number) + 1e-12 * trace + (j > 0 ? l2 : 0);
    for (let k = 0; k < j; k++) (a[k] as number[])[j] = (a[j] as number[])[k] as number;
  }
  return solveSpd(a, b);
}

/**
 * Fit one linear quantile regression per level by iteratively reweighted least squares on the (sample-weighted) check
 * loss of the standardised target, plus an optional L2 penalty: IRLS weights q / |r| above the line, (1 - q) / |r|
 * below, |r| floored at epsilon; from the least-squares line, until no coefficient moves by more than 1e-9 or
 * maxIterations (default 500). Coefficients are returned in target units. Deterministic.
 */
export function fitQuantileRegression(rows: readonly (readonly number[])[], targets: readonly number[], options: QuantileOptions): QuantileModel {
  const { quantiles, maxIterations = 500, epsilon = 1e-6, l2 = 0 } = options;
  const sampleWeights = options.weights ?? rows.map(() => 1);
  const { mean, scale } = standardisation(rows);
  const target = standardisation(targets.map((y) => [y]));
  const targetMean = target.mean[0] as number;
  const targetScale = target.scale[0] as number;
  const y = targets.map((v) => (v - targetMean) / targetScale);
  const x = standardise(rows, mean, scale).map((row) => [1, ...row]);
  const penalties = quantiles.map((_, k) => (typeof l2 === 'number' ? l2 : (l2[k] ?? 0)));
  const betas: number[][] = [];
  const iterations: number[] = [];
  for (const [level, q] of quantiles.entries()) {
    const penalty = penalties[level] as number;
    let beta = weightedLeastSquares(x, y, sampleWeights, penalty);
    let k = 0;
    for (; k < maxIterations; k++) {
      const weights = x.map((row, i) => {
        const r = (y[i] as number) - row.reduce((s, v, j) => s + v * (beta[j] as number), 0);
        return ((sampleWeights[i] as number) * (r >= 0 ? q : 1 - q)) / Math.max(Math.abs(r), epsilon);
      });
      const next = weightedLeastSquares(x, y, weights, penalty);
      const moved = Math.max(...next.map((v, j) => Math.abs(v - (beta[j] as number))));
      beta = next;
      if (moved < 1e-9) {
        k++;
        break;
      }
    }
    betas.push(beta.map((b, j) => (j === 0 ? targetMean + targetScale * b : targetScale * b)));
    iterations.push(k);
  }
  return { mean, scale, quantiles: [...quantiles], betas, iterations };
}

/** Quantile predictions for raw rows (rounded to float32 first): per row one value per level, the JS reference. */
export function predictQuantiles(model: QuantileModel, rows: readonly (readonly number[])[]): number[][] {
  return rows.map((row) => {
    const z = row.map((v, j) => (Math.fround(v) - (model.mean[j] as number)) / (model.scale[j] as number));
    return model.betas.map((beta) => z.reduce((s, v, j) => s + v * (beta[j + 1] as number), beta[0] as number));
  });
}

/**
 * The regressions as ONNX: Sub (centre) -> MatMul (coefficients with the scale folded in, one column per level) ->
 * Add (intercepts). Input `features` [batch, d]; output `quantiles` [batch, levels].
 */
export function exportQuantileRegression(model: QuantileModel, name: string): Uint8Array {
  const d = model.mean.length;
  const levels = model.quantiles.length;
  const weights: number[] = [];
  for (let j = 0; j < d; j++) for (const beta of model.betas) weights.push((beta[j + 1] as number) / (model.scale[j] as number));
  return encodeModel({
    name,
    docString: `linear quantile regressions at levels ${model.quantiles.join(', ')} over ${d} features`,
    nodes: [
      { opType: 'Sub', input: ['features', 'feature_mean'], output: ['centred'], name: 'centre' },
      { opType: 'MatMul', input: ['centred', 'weights'], output: ['linear'], name: 'linear' },
      { opType: 'Add', input: ['linear', 'intercepts'], output: ['quantiles'], name: 'intercepts' },
    ],
    initializers: [
      floatTensor('feature_mean', [d], model.mean),
      floatTensor('weights', [d, levels], weights),
      floatTensor('intercepts', [levels], model.betas.map((beta) => beta[0] as number)),
    ],
    inputs: [tensorInfo('features', ['batch', d])],
    outputs: [tensorInfo('quantiles', ['batch', levels])],
  });
}
