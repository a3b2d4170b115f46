import { cholesky, invertLower, standardisation, standardise, zeros, type Matrix } from './linear-algebra.js';
import { encodeModel, floatTensor, intAttribute, tensorInfo } from './onnx-graph.js';

/** A Gaussian mixture over standardised features, components ordered by `orderBy` (calm first, stressed last). */
export interface GaussianMixture {
  /** Feature standardisation: z = (x - mean) / scale. */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly weights: readonly number[];
  /** Component means and full covariances, in standardised units. */
  readonly means: readonly (readonly number[])[];
  readonly covariances: readonly Matrix[];
  readonly logLikelihood: number;
  readonly iterations: number;
}

export interface MixtureOptions {
  readonly states: number;
  /** Columns whose standardised sum orders the data for the initial split and the components in the result. */
  readonly orderBy: readonly number[];
  /** Most EM iterations (default 500); EM stops earlier when the mean log-likelihood gains less than 1e-10. */
  readonly maxIterations?: number;
  /** Added to covariance diagonals (standardised units) so no component collapses (default 1e-4). */
  readonly ridge?: number;
}

interface Component {
  readonly logWeight: number;
  readonly mean: readonly number[];
  /** Rows of (C⁻¹)ᵀ where covariance = C Cᵀ: (z - mean) · whitening has the squared norm of the Mahalanobis distance. */
  readonly whitening: Matrix;
  /** -Σ log C_kk: minus half the log determinant of the covariance. */
  readonly logNormaliser: number;
}

function component(weight: number, mean: readonly number[], covariance: Matrix): Component {
  const c = cholesky(covariance);
  const inverse = invertLower(c);
  const d = mean.length;
  const whitening = zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) (whitening[i] as number[])[j] = (inverse[j] as number[])[i] as number;
  let logNormaliser = 0;
  for (let i = 0; i < d; i++) logNormaliser -= Math.log((c[i] as number[])[i] as number);
  return { logWeight: Math.log(weight), mean, whitening, logNormaliser };
}

/** Per component, log(weight) + log density up to the constant -d/2 log 2π shared by all components. */
function logJoint(z: readonly number[], components: readonly Component[]): number[] {
  const d = z.length;
  return components.map((k) => {
    let quadratic = 0;
    for (let j = 0; j < d; j++) {
      let y = 0;
      for (let i = 0; i < d; i++) y += ((z[i] as number) - (k.mean[i] as number)) * ((k.whitening[i] as number[])[j] as number);
      quadratic += y * y;
    }
    return k.logWeight + k.logNormaliser - 0.5 * quadratic;
  });
}

function softmax(logits: readonly number[]): { probabilities: number[]; logSum: number } {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return { probabilities: exps.map((e) => e / sum), logSum: max + Math.log(sum) };
}

function componentsOf(mixture: GaussianMixture): Component[] {
  return mixture.weights.map((w, k) => component(w, mixture.means[k] as number[], mixture.covariances[k] as Matrix));
}

/**
 * Fit a Gaussian mixture by EM with a deterministic start: the rows sorted by the standardised sum of the `orderBy`
 * columns (ties by position), split into `states` equal groups, each group's mean and covariance the start of one
 * component. Same rows, same result, bit for bit.
 */
export function fitGaussianMixture(rows: readonly (readonly number[])[], options: MixtureOptions): GaussianMixture {
  const { states, orderBy, maxIterations = 500, ridge = 1e-4 } = options;
  const { mean, scale } = standardisation(rows);
  const z = standardise(rows, mean, scale);
  const n = z.length;
  const d = mean.length;
  const score = (row: readonly number[]): number => orderBy.reduce((s, j) => s + (row[j] as number), 0);
  const order = z.map((row, i) => ({ i, s: score(row) })).sort((a, b) => a.s - b.s || a.i - b.i);
  let responsibilities: number[][] = z.map(() => new Array<number>(states).fill(0));
  order.forEach(({ i }, rank) => {
    (responsibilities[i] as number[])[Math.min(states - 1, Math.floor((rank * states) / n))] = 1;
  });

  let weights: number[] = [];
  let means: number[][] = [];
  let covariances: Matrix[] = [];
  let logLikelihood = Number.NEGATIVE_INFINITY;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    // M step.
    weights = [];
    means = [];
    covariances = [];
    for (let k = 0; k < states; k++) {
      let total = 0;
      const m = new Array<number>(d).fill(0);
      for (let i = 0; i < n; i++) {
        const r = (responsibilities[i] as number[])[k] as number;
        total += r;
        for (let j = 0; j < d; j++) m[j] = (m[j] as number) + r * ((z[i] as number[])[j] as number);
      }
      for (let j = 0; j < d; j++) m[j] = (m[j] as number) / total;
      const cov = zeros(d, d);
      for (let i = 0; i < n; i++) {
        const r = (responsibilities[i] as number[])[k] as number;
        const row = z[i] as number[];
        for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) (cov[a] as number[])[b] = ((cov[a] as number[])[b] as number) + r * ((row[a] as number) - (m[a] as number)) * ((row[b] as number) - (m[b] as number));
      }
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) {
          const v = ((cov[a] as number[])[b] as number) / total + (a === b ? ridge : 0);
          (cov[a] as number[])[b] = v;
          (cov[b] as number[])[a] = v;
        }
      }
      weights.push(total / n);
      means.push(m);
      covariances.push(cov);
    }
    // E step.
    const components = weights.map((w, k) => component(w, means[k] as number[], covariances[k] as Matrix));
    let total = 0;
    responsibilities = z.map((row) => {
      const { probabilities, logSum } = softmax(logJoint(row, components));
      total += logSum;
      return probabilities;
    });
    const meanLogLikelihood = total / n - 0.5 * d * Math.log(2 * Math.PI);
    const gain = meanLogLikelihood - logLikelihood;
    logLikelihood = meanLogLikelihood;
    if (gain >= 0 && gain < 1e-10) {
      iterations++;
      break;
    }
  }
  // Order components by their mean on the orderBy columns: state 0 is the calmest.
  const ranked = means.map((m, k) => ({ k, s: score(m) })).sort((a, b) => a.s - b.s || a.k - b.k).map((x) => x.k);
  return {
    mean,
    scale,
    weights: ranked.map((k) => weights[k] as number),
    means: ranked.map((k) => means[k] as number[]),
    covariances: ranked.map((k) => covariances[k] as Matrix),
    logLikelihood,
    iterations,
  };
}

/**
 * Posterior probability of each component for raw feature rows, in double precision: the JS reference of the exported
 * graph. Rows are rounded to float32 first, as the model's input tensor holds them.
 */
export function mixturePosterior(mixture: GaussianMixture, rows: readonly (readonly number[])[]): number[][] {
  const components = componentsOf(mixture);
  return rows.map((row) => softmax(logJoint(row.map((v, j) => (Math.fround(v) - (mixture.mean[j] as number)) / (mixture.scale[j] as number)), components)).probabilities);
}

/** Mean log-likelihood per row (natural log, full density) of raw rows under the mixture. */
export function mixtureLogLikelihood(mixture: GaussianMixture, rows: readonly (readonly number[])[]): number {
  const components = componentsOf(mixture);
  const d = mixture.mean.length;
  const logJacobian = mixture.scale.reduce((s, v) => s - Math.log(v), 0);
  let total = 0;
  for (const row of rows) total += softmax(logJoint(row.map((v, j) => (v - (mixture.mean[j] as number)) / (mixture.scale[j] as number)), components)).logSum;
  return total / rows.length - 0.5 * d * Math.log(2 * Math.PI) + logJacobian;
}

/**
 * The posterior as an ONNX graph of standard operators: centre (Sub), whiten every component at once (MatMul by the
 * side-by-side whitening matrices with the standardisation folded in, Sub of the whitened means), square and sum per
 * component (Mul, MatMul by a block indicator), scale and add the log weights and normalisers (Mul, Add), Softmax.
 * Input `features` [batch, d]; output `probabilities` [batch, states].
 */
export function exportGaussianMixture(mixture: GaussianMixture, name: string): Uint8Array {
  const components = componentsOf(mixture);
  const d = mixture.mean.length;
  const states = components.length;
  const width = d * states;
  // W[i][k*d + j] = whitening_k[i][j] / scale[i]; offsets[k*d + j] = Σ_i mean_k[i] whitening_k[i][j].
  const whitening = new Array<number>(d * width).fill(0);
  const offsets = new Array<number>(width).fill(0);
  const blocks = new Array<number>(width * states).fill(0);
  components.forEach((k, c) => {
    for (let j = 0; j < d; j++) {
      let offset = 0;
      for (let i = 0; i < d; i++) {
        const w = (k.whitening[i] as number[])[j] as number;
        whitening[i * width + c * d + j] = w / (mixture.scale[i] as number);
        offset += (k.mean[i] as number) * w;
      }
      offsets[c * d + j] = offset;
      blocks[(c * d + j) * states + c] = 1;
    }
  });
  return encodeModel({
    name,
    docString: `Gaussian mixture posterior, ${states} states over ${d} features`,
    nodes: [
      { opType: 'Sub', input: ['features', 'feature_mean'], output: ['centred'], name: 'centre' },
      { opType: 'MatMul', input: ['centred', 'whitening'], output: ['projected'], name: 'whiten' },
      { opType: 'Sub', input: ['projected', 'whitened_means'], output: ['deviations'], name: 'deviate' },
      { opType: 'Mul', input: ['deviations', 'deviations'], output: ['squares'], name: 'square' },
      { opType: 'MatMul', input: ['squares', 'blocks'], output: ['distances'], name: 'sum_per_state' },
      { opType: 'Mul', input: ['distances', 'minus_half'], output: ['half_distances'], name: 'halve' },
      { opType: 'Add', input: ['half_distances', 'log_priors'], output: ['logits'], name: 'add_log_priors' },
      { opType: 'Softmax', input: ['logits'], output: ['probabilities'], name: 'posterior', attribute: [intAttribute('axis', 1)] },
    ],
    initializers: [
      floatTensor('feature_mean', [d], mixture.mean),
      floatTensor('whitening', [d, width], whitening),
      floatTensor('whitened_means', [width], offsets),
      floatTensor('blocks', [width, states], blocks),
      floatTensor('minus_half', [1], [-0.5]),
      floatTensor('log_priors', [states], components.map((k) => k.logWeight + k.logNormaliser)),
    ],
    inputs: [tensorInfo('features', ['batch', d])],
    outputs: [tensorInfo('probabilities', ['batch', states])],
  });
}
