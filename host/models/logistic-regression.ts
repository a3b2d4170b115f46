import { solveSpd, standardisation, standardise, zeros } from './linear-algebra.js';
import { encodeModel, floatTensor, intAttribute, tensorInfo } from './onnx-graph.js';

/** A logistic classifier on standardised features: P(y = 1 | x) = σ(intercept + Σ coefficients_j z_j). */
export interface LogisticModel {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly intercept: number;
  readonly coefficients: readonly number[];
  readonly iterations: number;
}

export interface LogisticOptions {
  /** L2 penalty on the standardised coefficients (never on the intercept). Default 1. */
  readonly l2?: number;
  /** Sample weights (default 1 each), e.g. label uniqueness: the penalty weighs against their sum. */
  readonly weights?: readonly number[];
  readonly maxIterations?: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Fit by iteratively reweighted least squares (Newton's method on the weighted, L2-penalised log-likelihood), from
 * zero coefficients, until no coefficient moves by more than 1e-10. Deterministic.
 */
export function fitLogistic(rows: readonly (readonly number[])[], labels: readonly number[], options: LogisticOptions = {}): LogisticModel {
  const { l2 = 1, maxIterations = 100 } = options;
  const sampleWeights = options.weights ?? rows.map(() => 1);
  const { mean, scale } = standardisation(rows);
  const z = standardise(rows, mean, scale);
  const p = (mean.length) + 1;
  let beta = new Array<number>(p).fill(0);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const hessian = zeros(p, p);
    const gradient = new Array<number>(p).fill(0);
    z.forEach((row, i) => {
      const x = [1, ...row];
      let eta = 0;
      for (let j = 0; j < p; j++) eta += (beta[j] as number) * (x[j] as number);
      const mu = sigmoid(eta);
      const u = sampleWeights[i] as number;
      const w = u * Math.max(mu * (1 - mu), 1e-12);
      const residual = u * ((labels[i] as number) - mu);
      for (let a = 0; a < p; a++) {
        gradient[a] = (gradient[a] as number) + residual * (x[a] as number);
        for (let b = 0; b <= a; b++) (hessian[a] as number[])[b] = ((hessian[a] as number[])[b] as number) + w * (x[a] as number) * (x[b] as number);
      }
    });
    for (let a = 0; a < p; a++) {
      if (a > 0) {
        gradient[a] = (gradient[a] as number) - l2 * (beta[a] as number);
        (hessian[a] as number[])[a] = ((hessian[a] as number[])[a] as number) + l2;
      }
      for (let b = 0; b < a; b++) (hessian[b] as number[])[a] = (hessian[a] as number[])[b] as number;
    }
    const step = solveSpd(hessian, gradient);
    beta = beta.map((v, j) => v + (step[j] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-10) {
      iterations++;
      break;
    }
  }
  return { mean, scale, intercept: beta[0] as number, coefficients: beta.slice(1), iterations };
}

/** P(y = 1) for raw rows (rounded to float32 first, like the model input): the JS reference of the exported graph. */
export function logisticProbability(model: LogisticModel, rows: readonly (readonly number[])[]): number[] {
  return rows.map((row) => sigmoid(row.reduce((eta, v, j) => eta + ((Math.fround(v) - (model.mean[j] as number)) / (model.scale[j] as number)) * (model.coefficients[j] as number), model.intercept)));
}

/**
 * The classifier as ONNX: Sub (centre) -> Gemm (coefficients with the scale folded in, intercept) -> Sigmoid.
 * Input `features` [batch, d]; output `probability` [batch, 1].
 */
export function exportLogistic(model: LogisticModel, name: string): Uint8Array {
  const d = model.mean.length;
  return encodeModel({
    name,
    docString: `L2-penalised logistic regression over ${d} features`,
    nodes: [
      { opType: 'Sub', input: ['features', 'feature_mean'], output: ['centred'], name: 'centre' },
      { opType: 'Gemm', input: ['centred', 'weights', 'intercept'], output: ['logit'], name: 'linear', attribute: [intAttribute('transB', 0)] },
      { opType: 'Sigmoid', input: ['logit'], output: ['probability'], name: 'sigmoid' },
    ],
    initializers: [
      floatTensor('feature_mean', [d], model.mean),
      floatTensor('weights', [d, 1], model.coefficients.map((c, j) => c / (model.scale[j] as number))),
      floatTensor('intercept', [1], [model.intercept]),
    ],
    inputs: [tensorInfo('features', ['batch', d])],
    outputs: [tensorInfo('probability', ['batch', 1])],
  });
}
