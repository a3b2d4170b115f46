import { barsSince, defineStrategy, formatDate, sampleVolatility, volatilityTargetSize, type ParamValues } from '../../core/index.js';

/** Extra rows beyond the detector's needs, so a few evaluations missed in a row are caught up from the window. */
const CATCH_UP_SLACK = 20;
/** Run-length probabilities below this are dropped from the state (they cannot matter at a 1e-2 threshold). */
const PROBABILITY_FLOOR = 1e-12;
/**
 * Normal-gamma prior of each run's mean and precision, on returns standardised by their long-run volatility: mean 0,
 * one pseudo-observation, prior variance about 1. Weak on purpose: a new run learns from its first few observations.
 */
const PRIOR = { mean: 0, kappa: 1, alpha: 1, beta: 1 } as const;

const params = {
  symbol: { type: 'string', default: 'GLD', pattern: '^[A-Za-z0-9._/-]+$', description: 'The instrument held (long), and whose daily returns feed one detector.' },
  useVix: { type: 'boolean', default: true, description: 'Run a second detector on daily changes of log VIX (macro:VIX); either detector can cut exposure.' },
  hazardDays: { type: 'int', min: 20, max: 2000, default: 250, description: 'Expected run length between change points in days: the constant hazard is 1 / hazardDays.' },
  maxRunLength: { type: 'int', min: 50, max: 500, default: 250, description: 'Run-length distribution truncated here: longer runs are merged into the last bin (state size and work per day).' },
  recentDays: { type: 'int', min: 1, max: 20, default: 5, description: 'A change is recent when the current run is at most this many observations long.' },
  threshold: { type: 'number', min: 0.05, max: 0.99, default: 0.5, description: 'A transition is detected when P(run length <= recentDays) reaches this.' },
  cutTo: { type: 'number', min: 0, max: 1, default: 0.25, description: 'Exposure multiplier on the day of a detection.' },
  restoreDays: { type: 'int', min: 1, max: 252, default: 21, description: 'Bars over which exposure returns linearly from cutTo to 1 after the last detection.' },
  scaleDays: { type: 'int', min: 60, max: 504, default: 252, description: 'Days of history that standardise each observation (its trailing volatility, the observation excluded).' },
  volTarget: { type: 'number', min: 0.01, max: 1, default: 0.1, description: 'Annualised volatility of the base position; base weight = min(1, volTarget / vol).' },
  volDays: { type: 'int', min: 10, max: 260, default: 60, description: 'Days of daily log returns in the volatility of the base position.' },
} as const;

type Params = ParamValues<typeof params>;

/** One detector's state: the run-length distribution after its last observation. */
export interface DetectorState {
  /** Time of the last observation processed. */
  readonly lastTime: number;
  /** probabilities[r] = P(the current run is the last r observations); trailing negligible entries dropped. */
  readonly probabilities: readonly number[];
  /** P(run length <= recentDays) after the last observation. */
  readonly changeProbability: number;
  /** Observations since the detector (re)started, counted up to maxRunLength. */
  readonly observations: number;
}

export interface RegimeState {
  readonly returns: DetectorState | null;
  readonly vix: DetectorState | null;
  /** Time of the last observation at which a transition was detected; null before the first. */
  readonly lastDetection: number | null;
}

/**
 * Regime-transition overlay: Bayesian online change-point detection (Adams-MacKay 2007) on the standardised daily
 * returns of the instrument and on daily changes of log VIX; a long volatility-targeted position in the instrument is
 * cut to `cutTo` when either detector sees a recent change point, and restored linearly over `restoreDays`.
 */
export default defineStrategy({
  id: 'regime-detector',
  version: '1.0.0',
  api: 1,
  summary: 'Regime transitions: Bayesian online change-point detection on returns and VIX cuts a long gold exposure, restored gradually',
  params,
  timeBudgetMs: 100,
  needs: (p) => {
    // recentDays (at most 20) is always below maxRunLength (at least 50): no rule across params to check.
    const history = requiredRows(p) + CATCH_UP_SLACK;
    return { bars: [p.symbol], series: p.useVix ? ['macro:VIX'] : [], history, seriesHistory: history };
  },
  init: (): RegimeState => ({ returns: null, vix: null, lastDetection: null }),
  evaluate(ctx, p, state) {
    const bars = ctx.bars(p.symbol);
    const returns = advance(state.returns, bars.time, bars.close, p);
    const vix = p.useVix ? advance(state.vix, ctx.series('macro:VIX').time, ctx.series('macro:VIX').field('value'), p) : { state: null, detections: [] };
    const detections = [...returns.detections, ...vix.detections];
    const lastDetection = detections.length > 0 ? Math.max(state.lastDetection ?? -Infinity, ...detections) : state.lastDetection;
    const next: RegimeState = { returns: returns.state, vix: vix.state, lastDetection };
    const vol = sampleVolatility(bars.close, p.volDays);
    if (!returns.state || (p.useVix && !vix.state) || !Number.isFinite(vol)) {
      const reason = `regime ${p.symbol} waiting for history: ${bars.length} of ${requiredRows(p) - p.maxRunLength} bars${p.useVix ? ' and VIX rows' : ''}`;
      return { signals: [{ symbol: p.symbol, weight: 0, confidence: 0, reason }], state: next };
    }
    const since = lastDetection === null ? Number.POSITIVE_INFINITY : barsSince(bars.time, lastDetection);
    const multiplier = p.cutTo + (1 - p.cutTo) * Math.min(1, since / p.restoreDays);
    const base = volatilityTargetSize(p.volTarget, vol);
    const weight = base * multiplier;
    const change = Math.max(returns.state.changeProbability, vix.state?.changeProbability ?? 0);
    const detectors = `P(run<=${p.recentDays}d) ret ${returns.state.changeProbability.toFixed(2)}${vix.state ? ` VIX ${vix.state.changeProbability.toFixed(2)}` : ''}`;
    const last = lastDetection === null ? 'no change yet' : since >= p.restoreDays ? `last change ${formatDate(lastDetection)}, restored` : `change ${formatDate(lastDetection)}, ${since} bars ago`;
    return {
      signals: [{ symbol: p.symbol, weight, confidence: Math.max(0, Math.min(1, 1 - change)), reason: `regime ${p.symbol} ${detectors}; ${last}: exposure ${multiplier.toFixed(2)} x ${base.toFixed(2)} (vol ${(vol * 100).toFixed(0)}%) -> ${weight.toFixed(2)}`.slice(0, 200) }],
      state: next,
    };
  },
});

/** Rows one detector needs in its window: the standardisation history and a full-length run before the newest point. */
function requiredRows(p: Params): number {
  return p.scaleDays + p.maxRunLength + 2;
}

/**
 * Feed a detector the observations of a window it has not seen: x = log(value / previous value), standardised by the
 * sample std of the `scaleDays` changes before it. Returns the new state (null while the window is too short) and
 * the times of observations at which P(run length <= recentDays) reached the threshold. When the state is missing
 * or its runs reach back beyond the window (a gap longer than the slack), the detector restarts from a fresh prior
 * at most maxRunLength observations back.
 */
function advance(previous: DetectorState | null, time: Float64Array, level: Float64Array, p: Params): { state: DetectorState | null; detections: number[] } {
  const n = level.length;
  // Index of the first change that has scaleDays changes before it (change i is level[i] over level[i - 1]).
  const firstScaled = p.scaleDays + 1;
  let start = n;
  while (start > 0 && previous && (time[start - 1] as number) > previous.lastTime) start--;
  const resume = previous !== null && start - (previous.probabilities.length - 1) >= firstScaled;
  let probabilities: number[] = resume ? [...previous.probabilities] : [1];
  let observations = resume ? previous.observations : 0;
  if (!resume) start = Math.max(firstScaled, n - p.maxRunLength);
  if (start >= n) return { state: resume ? previous : null, detections: [] };
  const lowest = start - (probabilities.length - 1);
  const z = standardised(level, lowest, p.scaleDays);
  // Prefix sums of z and z^2 from `lowest`: the sums over any run ending before i come out in O(1).
  const sum = new Float64Array(n - lowest + 1);
  const sumSquares = new Float64Array(n - lowest + 1);
  for (let i = lowest; i < n; i++) {
    const x = z[i - lowest] as number;
    sum[i - lowest + 1] = (sum[i - lowest] as number) + x;
    sumSquares[i - lowest + 1] = (sumSquares[i - lowest] as number) + x * x;
  }
  const hazard = 1 / p.hazardDays;
  const detections: number[] = [];
  let changeProbability = previous?.changeProbability ?? 0;
  for (let i = start; i < n; i++) {
    const x = z[i - lowest] as number;
    const logWeights = new Float64Array(Math.min(probabilities.length + 1, p.maxRunLength + 1)).fill(Number.NEGATIVE_INFINITY);
    const add = (r: number, logWeight: number): void => {
      const at = Math.min(r, p.maxRunLength);
      const current = logWeights[at] as number;
      logWeights[at] = current === Number.NEGATIVE_INFINITY ? logWeight : Math.max(current, logWeight) + Math.log1p(Math.exp(-Math.abs(current - logWeight)));
    };
    // A change point just before x: the new run holds x alone, predicted by the prior.
    add(1, Math.log(hazard) + logPredictive(x, 0, 0, 0));
    probabilities.forEach((probability, r) => {
      if (probability <= 0) return;
      const runSum = (sum[i - lowest] as number) - (sum[i - lowest - r] as number);
      const runSquares = (sumSquares[i - lowest] as number) - (sumSquares[i - lowest - r] as number);
      add(r + 1, Math.log(probability) + Math.log1p(-hazard) + logPredictive(x, r, runSum, runSquares));
    });
    const top = Math.max(...logWeights);
    const weights = Array.from(logWeights, (w) => Math.exp(w - top));
    const total = weights.reduce((a, b) => a + b, 0);
    probabilities = weights.map((w) => (w / total < PROBABILITY_FLOOR ? 0 : w / total));
    while (probabilities.length > 1 && probabilities[probabilities.length - 1] === 0) probabilities.pop();
    changeProbability = probabilities.slice(0, p.recentDays + 1).reduce((a, b) => a + b, 0);
    observations = Math.min(p.maxRunLength, observations + 1);
    // Right after a (re)start every run is short: a "recent change" means something only once more than
    // recentDays observations have been seen.
    if (observations > p.recentDays && changeProbability >= p.threshold) detections.push(time[i] as number);
  }
  return { state: { lastTime: time[n - 1] as number, probabilities, changeProbability, observations }, detections };
}

/** z[i - from] = change i divided by the sample std of the scaleDays changes before it, for i in [from, n). */
function standardised(level: Float64Array, from: number, scaleDays: number): Float64Array {
  const change = (i: number): number => {
    const x = Math.log((level[i] as number) / (level[i - 1] as number));
    return Number.isFinite(x) ? x : 0;
  };
  const n = level.length;
  const out = new Float64Array(n - from);
  let sum = 0;
  let sumSquares = 0;
  for (let j = from - scaleDays; j < from; j++) {
    const c = change(j);
    sum += c;
    sumSquares += c * c;
  }
  for (let i = from; i < n; i++) {
    const sd = Math.sqrt(Math.max(0, (sumSquares - (sum * sum) / scaleDays) / (scaleDays - 1)));
    const c = change(i);
    out[i - from] = sd > 0 ? c / sd : 0;
    const leaving = change(i - scaleDays);
    sum += c - leaving;
    sumSquares += c * c - leaving * leaving;
  }
  return out;
}

/**
 * log of the Student-t posterior predictive of x for a run of r observations with sum s and sum of squares q under
 * the normal-gamma prior (conjugate updates of Murphy 2007, section 3).
 */
function logPredictive(x: number, r: number, s: number, q: number): number {
  const kappa = PRIOR.kappa + r;
  const mean = (PRIOR.kappa * PRIOR.mean + s) / kappa;
  const alpha = PRIOR.alpha + r / 2;
  const sampleMean = r > 0 ? s / r : 0;
  const beta = PRIOR.beta + (r > 0 ? 0.5 * Math.max(0, q - r * sampleMean * sampleMean) + (PRIOR.kappa * r * (sampleMean - PRIOR.mean) ** 2) / (2 * kappa) : 0);
  const dof = 2 * alpha;
  const scaleSquared = (beta * (kappa + 1)) / (alpha * kappa);
  return logGamma((dof + 1) / 2) - logGamma(dof / 2) - 0.5 * Math.log(dof * Math.PI * scaleSquared) - ((dof + 1) / 2) * Math.log1p((x - mean) ** 2 / (dof * scaleSquared));
}

/** ln Γ(x) for x > 0: Lanczos approximation (g = 7, 9 terms), relative error about 1e-15. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}
