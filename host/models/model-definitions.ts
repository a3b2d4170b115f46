import { ENSEMBLE_FEATURES, FORECAST_FEATURES, META_LABEL_FEATURES, REGIME_FEATURES, type FeatureSet, type OutputSpec } from '../../core/index.js';
import { exportBoostedTrees, fitBoostedTrees, predictBoostedTrees } from './boosted-trees.js';
import { labelUniqueness, type Dataset } from './dataset.js';
import { exportGaussianMixture, fitGaussianMixture, mixtureLogLikelihood, mixturePosterior } from './gaussian-mixture.js';
import { exportLogistic, fitLogistic, logisticProbability } from './logistic-regression.js';
import { areaUnderCurve, correlation, logLoss, mean, quantileOf } from './model-quality.js';
import { exportQuantileRegression, fitQuantileRegression, pinball, predictQuantiles } from './quantile-regression.js';

/** A model fitted by the tool: its ONNX bytes, what its outputs mean, and a JS reference that computes them. */
export interface FittedModel {
  readonly bytes: Uint8Array;
  readonly outputs: readonly OutputSpec[];
  /** Every output for raw rows, computed in JS the way the graph computes it: by output name, row-major. */
  score(rows: readonly (readonly number[])[]): Record<string, number[]>;
  /** Quality measures on a dataset (the training set: in sample; a later window: out of sample). */
  quality(dataset: Dataset): Record<string, number>;
  /** Hyperparameters and fit diagnostics, for the card description. */
  readonly settings: string;
}

/** A model the tool knows how to fit: its features, the instruments it pools, its label and its learner. */
export interface ModelDefinition {
  readonly id: string;
  /** Version of the definition (features, label, learner, hyperparameters); the card version adds data and cutoff. */
  readonly version: string;
  readonly title: string;
  readonly featureSet: FeatureSet;
  /** Instruments whose rows are pooled into one training set. */
  readonly symbols: readonly string[];
  /** Label horizon in bars (0: unsupervised). */
  readonly horizon: number;
  /** Fewest training rows the learner accepts. */
  readonly minimumRows: number;
  fit(dataset: Dataset, name: string): FittedModel;
}

/** Label horizon of the supervised models: about one trading month. */
export const LABEL_HORIZON_DAYS = 20;

/**
 * The prior behind the penalties of the linear models: features explain at most about 2% of the variance of a
 * one-month return (Campbell and Thompson 2008 find monthly out-of-sample R² below 1% for equity returns), so the
 * coefficients on standardised features for a standardised target have prior variance R² / d: an L2 penalty of d / R²
 * against a sample weighted by label uniqueness (about the number of independent label periods).
 */
export const MAX_PLAUSIBLE_R_SQUARED = 0.02;
/**
 * The same bound on the logit of P(side x return > 0): with correlation ρ = sqrt(R²) between a standardised feature
 * and the return, P(r > 0 | x) = Φ(ρx / sqrt(1 - ρ²)) ≈ 1/2 + φ(0)ρx, a logit slope of 4φ(0)ρ ≈ 1.6ρ, so the logit
 * coefficients have total prior variance 1.6² R².
 */
export const LOGIT_PRIOR_VARIANCE = 1.6 ** 2 * MAX_PLAUSIBLE_R_SQUARED;
/**
 * The prior of the outer quantiles: their distance from the median follows volatility, which is far more predictable
 * than the return (a month's realised volatility explains roughly a quarter to a half of the next month's), so the
 * q10 and q90 regressions get the penalty d / 0.25.
 */
export const VOLATILITY_R_SQUARED = 0.25;

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

/** regime-gmm: a 2-state Gaussian mixture over GLD return, volatility and VIX; output the posterior per state. */
const regimeGmm: ModelDefinition = {
  id: 'regime-gmm',
  version: '1.0.0',
  title: 'Market regime posterior: 3-state Gaussian mixture (EM, full covariances) over GLD 20-day return, log 20-day volatility and log VIX',
  featureSet: REGIME_FEATURES,
  symbols: ['GLD'],
  horizon: 0,
  minimumRows: 250,
  fit(dataset, name) {
    const states = 3;
    const mixture = fitGaussianMixture(dataset.rows, { states, orderBy: [1, 2] });
    const labels = ['calm', 'normal', 'stressed'];
    return {
      bytes: exportGaussianMixture(mixture, name),
      outputs: [{ name: 'probabilities', dtype: 'float32', shape: ['batch', states], meaning: 'class-probabilities', labels }],
      score: (rows) => ({ probabilities: mixturePosterior(mixture, rows).flat() }),
      quality(data) {
        const posterior = mixturePosterior(mixture, data.rows);
        const stressed = posterior.map((p) => p[states - 1] as number);
        return {
          rows: data.rows.length,
          meanLogLikelihood: round(mixtureLogLikelihood(mixture, data.rows)),
          stressedShare: round(mean(stressed.map((p) => (p > 0.5 ? 1 : 0)))),
          meanStressedPosterior: round(mean(stressed)),
          confidentShare: round(mean(posterior.map((p) => (Math.max(...p) > 0.9 ? 1 : 0)))),
        };
      },
      settings: `states ${states} (${labels.join(', ')}); weights ${mixture.weights.map((w) => w.toFixed(3)).join('/')}; EM ${mixture.iterations} iterations, ridge 1e-4`,
    };
  },
};

/** meta-label-logit: P(the 50/200-day MA rule's trade is profitable over 20 days), L2 logistic regression. */
const metaLabelLogit: ModelDefinition = {
  id: 'meta-label-logit',
  version: '1.0.0',
  title: 'Meta-label: P(the 50/200-day moving-average side earns a positive 20-day return), L2 logistic regression (IRLS) on GLD and SLV',
  featureSet: META_LABEL_FEATURES,
  symbols: ['GLD', 'SLV'],
  horizon: LABEL_HORIZON_DAYS,
  minimumRows: 300,
  fit(dataset, name) {
    const labelsOf = (data: Dataset): number[] => data.rows.map((row, i) => ((row[0] as number) * (data.targets[i] as number) > 0 ? 1 : 0));
    const l2 = META_LABEL_FEATURES.names.length / LOGIT_PRIOR_VARIANCE;
    const model = fitLogistic(dataset.rows, labelsOf(dataset), { l2, weights: labelUniqueness(dataset) });
    const baseRate = mean(labelsOf(dataset));
    return {
      bytes: exportLogistic(model, name),
      outputs: [{ name: 'probability', dtype: 'float32', shape: ['batch', 1], meaning: 'probability' }],
      score: (rows) => ({ probability: logisticProbability(model, rows) }),
      quality(data) {
        const labels = labelsOf(data);
        const p = logisticProbability(model, data.rows);
        const kept = labels.filter((_, i) => (p[i] as number) >= 0.55);
        return {
          rows: data.rows.length,
          primaryHitRate: round(mean(labels)),
          auc: round(areaUnderCurve(p, labels)),
          logLoss: round(logLoss(p, labels)),
          baseRateLogLoss: round(logLoss(labels.map(() => baseRate), labels)),
          shareAbove055: round(kept.length / Math.max(1, labels.length)),
          ...(kept.length > 0 ? { hitRateWhereAbove055: round(mean(kept)) } : {}),
        };
      },
      settings: `rows weighted by label uniqueness; L2 ${round(l2, 1)} on standardised coefficients (d / (1.6² x ${MAX_PLAUSIBLE_R_SQUARED}), a prior on plausible predictability); IRLS ${model.iterations} iterations; training hit rate of the primary rule ${baseRate.toFixed(3)}`,
    };
  },
};

/** ensemble-gbt: gradient-boosted trees predicting the 20-day log return of GLD and SLV. */
const ensembleGbt: ModelDefinition = {
  id: 'ensemble-gbt',
  version: '1.0.0',
  title: 'Ensemble: gradient-boosted regression trees (60 trees, depth 3, shrinkage 0.01, at least 10 label horizons of rows per leaf) predicting the 20-day log return of GLD and SLV',
  featureSet: ENSEMBLE_FEATURES,
  symbols: ['GLD', 'SLV'],
  horizon: LABEL_HORIZON_DAYS,
  minimumRows: 400,
  fit(dataset, name) {
    const options = { trees: 60, depth: 3, learningRate: 0.01, minLeaf: 10 * LABEL_HORIZON_DAYS, bins: 32 } as const;
    const model = fitBoostedTrees(dataset.rows, dataset.targets, options);
    const trainingMean = mean(dataset.targets);
    return {
      bytes: exportBoostedTrees(model, name),
      outputs: [{ name: 'prediction', dtype: 'float32', shape: ['batch', 1], meaning: 'regression' }],
      score: (rows) => ({ prediction: predictBoostedTrees(model, rows) }),
      quality(data) {
        const prediction = predictBoostedTrees(model, data.rows);
        const sse = data.targets.reduce((s, y, i) => s + (y - (prediction[i] as number)) ** 2, 0);
        const benchmark = data.targets.reduce((s, y) => s + (y - trainingMean) ** 2, 0);
        return {
          rows: data.rows.length,
          rSquaredVsTrainingMean: round(1 - sse / benchmark),
          informationCoefficient: round(correlation(prediction, data.targets)),
          signHitRate: round(mean(data.targets.map((y, i) => (Math.sign(y) === Math.sign(prediction[i] as number) ? 1 : 0)))),
          predictionSd: round(Math.sqrt(mean(prediction.map((p) => (p - mean(prediction)) ** 2))), 5),
        };
      },
      settings: `${options.trees} trees, depth ${options.depth}, shrinkage ${options.learningRate}, min leaf ${options.minLeaf}, ${options.bins} candidate thresholds per feature; base ${model.base.toFixed(5)}`,
    };
  },
};

/** forecast-quantiles: linear quantile regressions of the 20-day log return at 10%, 50% and 90%. */
const forecastQuantiles: ModelDefinition = {
  id: 'forecast-quantiles',
  version: '1.0.0',
  title: 'Forecast: linear quantile regressions (IRLS on the check loss) of the 20-day log return of GLD and SLV at q10, q50, q90',
  featureSet: FORECAST_FEATURES,
  symbols: ['GLD', 'SLV'],
  horizon: LABEL_HORIZON_DAYS,
  minimumRows: 300,
  fit(dataset, name) {
    const quantiles = [0.1, 0.5, 0.9];
    const d = FORECAST_FEATURES.names.length;
    const l2 = quantiles.map((q) => (q === 0.5 ? d / MAX_PLAUSIBLE_R_SQUARED : d / VOLATILITY_R_SQUARED));
    const model = fitQuantileRegression(dataset.rows, dataset.targets, { quantiles, l2, weights: labelUniqueness(dataset) });
    const unconditional = quantiles.map((q) => quantileOf(dataset.targets, q));
    return {
      bytes: exportQuantileRegression(model, name),
      outputs: [{ name: 'quantiles', dtype: 'float32', shape: ['batch', quantiles.length], meaning: 'quantiles', quantiles }],
      score: (rows) => ({ quantiles: predictQuantiles(model, rows).flat() }),
      quality(data) {
        const predicted = predictQuantiles(model, data.rows);
        const out: Record<string, number> = { rows: data.rows.length };
        quantiles.forEach((q, k) => {
          const level = `q${Math.round(q * 100)}`;
          out[`${level}Coverage`] = round(mean(data.targets.map((y, i) => (y <= ((predicted[i] as number[])[k] as number) ? 1 : 0))));
          const loss = mean(data.targets.map((y, i) => pinball(y - ((predicted[i] as number[])[k] as number), q)));
          const baseline = mean(data.targets.map((y) => pinball(y - (unconditional[k] as number), q)));
          out[`${level}PinballSkill`] = round(1 - loss / baseline);
        });
        out['medianInformationCoefficient'] = round(correlation(predicted.map((p) => p[1] as number), data.targets));
        out['crossedShare'] = round(mean(predicted.map((p) => ((p[2] as number) <= (p[0] as number) ? 1 : 0))));
        return out;
      },
      settings: `levels ${quantiles.join(', ')}; rows weighted by label uniqueness; L2 ${l2.join('/')} on standardised coefficients for the standardised target (d / ${MAX_PLAUSIBLE_R_SQUARED} for the median, d / ${VOLATILITY_R_SQUARED} for the outer levels: priors on plausible predictability); IRLS iterations ${model.iterations.join('/')}`,
    };
  },
};

/** Every model the tool fits, by id. */
export const MODEL_DEFINITIONS: Readonly<Record<string, ModelDefinition>> = Object.fromEntries([regimeGmm, metaLabelLogit, ensembleGbt, forecastQuantiles].map((d) => [d.id, d]));
