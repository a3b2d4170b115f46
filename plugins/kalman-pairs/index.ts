import { defineStrategy, ShError, twoSidedConfidence, windowMean, type BarWindow, type ParamValues, type Signal } from '../../core/index.js';

/**
 * Floor of the innovation variance, in squared log units (a standard deviation of 0.0001%, far below a tick): a pair
 * that fits to rounding error must not trade on rounding noise.
 */
const MIN_INNOVATION_VARIANCE = 1e-12;
const PARAM_PATH = 'plugins.settings.kalman-pairs.params';

const params = {
  pairs: {
    type: 'symbols',
    default: ['GLD/IAU', 'GDX/GLD', 'GLD/SLV'],
    minItems: 1,
    maxItems: 20,
    description: 'Pairs as Y/X: log Y is regressed on log X (the colon form Y:X is not a valid symbol here). Each pair gets an equal share of grossExposure.',
  },
  delta: { type: 'number', min: 1e-10, max: 0.1, default: 1e-4, description: 'State noise of the random-walk hedge ratio and intercept: Vw = delta / (1 - delta) x I (Chan 2013).' },
  observationNoise: { type: 'number', min: 1e-12, max: 1, default: 1e-3, description: 'Observation noise variance Ve of log Y around beta log X + alpha (Chan 2013).' },
  learnScale: { type: 'boolean', default: true, description: 'Learn a common scale of Ve and Vw online from the innovations, so e / sqrt(Q) is standardised whatever the pair.' },
  scaleDays: { type: 'int', min: 10, max: 500, default: 60, description: 'Days (EWMA span) of the learned noise scale.' },
  warmupDays: { type: 'int', min: 20, max: 504, default: 60, description: 'Aligned days of the OLS fit that starts the filter; the pair trades from the day after.' },
  entryZ: { type: 'number', min: 0.5, max: 5, default: 2, description: 'Enter when the standardised innovation e / sqrt(Q) is beyond this.' },
  exitZ: { type: 'number', min: 0, max: 3, default: 0, description: 'Leave when e / sqrt(Q) is back to -exitZ (long spread) or exitZ (short spread).' },
  grossExposure: { type: 'number', min: 0.1, max: 1, default: 1, description: 'Sum of the absolute leg weights of all pairs in a trade; each pair gets grossExposure / pairs.' },
} as const;

type Params = ParamValues<typeof params>;

/** One pair's filter and trade. Slope and intercept are of log Y on log X. */
export interface PairState {
  readonly beta: number;
  readonly alpha: number;
  /** Posterior covariance of [beta, alpha]: [var beta, cov, var alpha]. */
  readonly covariance: readonly [number, number, number];
  /** Learned multiplier of Ve and Vw (1 when learnScale is off). */
  readonly scale: number;
  /** Days processed, the OLS start included; 0 until the filter has started. */
  readonly count: number;
  /** Time of the last bar processed; -1 before the first. */
  readonly lastTime: number;
  /** Standardised innovation e / sqrt(Q) of the last observation. */
  readonly z: number;
  /** 1: long spread (long Y, short beta X); -1: short spread; 0: flat. */
  readonly side: number;
}

export interface KalmanPairsState {
  readonly pairs: Readonly<Record<string, PairState>>;
}

interface Pair {
  readonly name: string;
  readonly y: string;
  readonly x: string;
}

const FRESH: PairState = { beta: 0, alpha: 0, covariance: [0, 0, 0], scale: 1, count: 0, lastTime: -1, z: 0, side: 0 };

/**
 * Kalman-filter pairs trading (Chan 2013, ch. 3): a random-walk state [hedge ratio, intercept] of log Y on log X,
 * updated bar by bar; trade the standardised innovation e / sqrt(Q): long the spread below -entryZ, short above
 * entryZ, out at exitZ. The filter state of every pair lives in the plugin state.
 */
export default defineStrategy({
  id: 'kalman-pairs',
  version: '1.0.0',
  api: 1,
  summary: 'Kalman-filter pairs trading: dynamic hedge ratio and intercept, trade the standardised innovation at ±2, exit at 0',
  params,
  needs: (p) => {
    const pairs = parsePairs(p);
    // A cold start (no state) fits the first warmupDays of the window and filters the rest, so the learned scale has
    // scaleDays of innovations behind it when trading begins.
    return { bars: [...new Set(pairs.flatMap((pair) => [pair.y, pair.x]))], history: p.warmupDays + p.scaleDays };
  },
  init: (): KalmanPairsState => ({ pairs: {} }),
  evaluate(ctx, p, state) {
    const pairs = parsePairs(p);
    const pairGross = p.grossExposure / pairs.length;
    const weights = new Map<string, number>();
    const notes = new Map<string, string[]>();
    const confidences = new Map<string, number>();
    const next: Record<string, PairState> = {};
    for (const pair of pairs) {
      const filtered = filterPair(ctx.bars(pair.y), ctx.bars(pair.x), state.pairs[pair.name] ?? FRESH, p);
      const ready = filtered.state.count > 0;
      const side = filtered.updated ? decide(p, filtered.state.side, filtered.state.z) : filtered.state.side;
      next[pair.name] = { ...filtered.state, side };
      // Dollar legs for a log-price hedge ratio: per unit in Y, -beta in X; the pair's gross is pairGross.
      const unit = side === 0 ? 0 : (side * pairGross) / (1 + Math.abs(filtered.state.beta));
      const text = !ready
        ? `${pair.name} warming ${filtered.warming}/${p.warmupDays}`
        : `${pair.name} z ${signed(filtered.state.z)} b ${filtered.state.beta.toFixed(3)} ${side === 1 ? 'long' : side === -1 ? 'short' : 'flat'}`;
      for (const [symbol, weight] of [[pair.y, unit], [pair.x, -filtered.state.beta * unit]] as const) {
        weights.set(symbol, (weights.get(symbol) ?? 0) + weight);
        notes.set(symbol, [...(notes.get(symbol) ?? []), text]);
        if (side !== 0) confidences.set(symbol, Math.max(confidences.get(symbol) ?? 0, twoSidedConfidence(filtered.state.z)));
      }
    }
    const signals: Signal[] = [...weights].map(([symbol, raw]) => {
      // Opposite legs of two pairs can cancel to a rounding residue; keep the target clean.
      const weight = Math.abs(raw) < 1e-12 ? 0 : Math.max(-1, Math.min(1, raw));
      return { symbol, weight, confidence: weight === 0 ? 0 : (confidences.get(symbol) ?? 0), reason: `kf ${(notes.get(symbol) ?? []).join('; ')} -> ${weight.toFixed(2)}`.slice(0, 200) };
    });
    return { signals, state: { pairs: next } };
  },
});

/** Entry beyond ±entryZ, exit back at ∓exitZ; a crossing far enough reverses on the same bar. */
function decide(p: Params, side: number, z: number): number {
  let next = side;
  if (next === 1 && z >= -p.exitZ) next = 0;
  if (next === -1 && z <= p.exitZ) next = 0;
  if (next === 0) {
    if (z < -p.entryZ) next = 1;
    else if (z > p.entryZ) next = -1;
  }
  return next;
}

interface Row {
  readonly time: number;
  readonly y: number;
  readonly x: number;
}

/** Log closes of both legs on the days both have a bar, newer than `after`, oldest first. */
function alignedRows(yBars: BarWindow, xBars: BarWindow, after: number): Row[] {
  const rows: Row[] = [];
  let i = 0;
  let j = 0;
  while (i < yBars.length && j < xBars.length) {
    const ty = yBars.time[i] as number;
    const tx = xBars.time[j] as number;
    if (ty < tx) i++;
    else if (tx < ty) j++;
    else {
      const priceY = yBars.close[i] as number;
      const priceX = xBars.close[j] as number;
      if (ty > after && priceY > 0 && priceX > 0) rows.push({ time: ty, y: Math.log(priceY), x: Math.log(priceX) });
      i++;
      j++;
    }
  }
  return rows;
}

/**
 * Advance one pair's filter over the bars (same dates in both legs) newer than its last processed bar.
 *
 * Start: once warmupDays aligned days are in the window, slope and intercept come from OLS of log Y on log X over
 * them, with P = 0 (Chan starts from P = 0 too, but at a zero state: with log prices the intercept and slope are
 * nearly collinear and a zero start takes years to find the slope). Each later day: predict R = P + Vw,
 * innovation e = y - [x, 1] . state, Q = [x, 1] R [x, 1]' + Ve, gain K = R [x, 1]' / Q, update state += K e and
 * P = R - K K' Q. With learnScale, Ve and Vw are both multiplied by a learned scale s, which leaves K unchanged
 * and standardises e by sqrt(s Q), with s as it stood before the day.
 */
function filterPair(yBars: BarWindow, xBars: BarWindow, start: PairState, p: Params): { state: PairState; updated: boolean; warming: number } {
  const stateNoise = p.delta / (1 - p.delta);
  const rows = alignedRows(yBars, xBars, start.lastTime);
  let { beta, alpha, scale, count, lastTime, z } = start;
  let [pBB, pBA, pAA] = start.covariance;
  let next = 0;
  if (count === 0) {
    if (rows.length < p.warmupDays) return { state: FRESH, updated: false, warming: rows.length };
    const training = rows.slice(0, p.warmupDays);
    const fit = ols(training);
    beta = fit.beta;
    alpha = fit.alpha;
    [pBB, pBA, pAA] = [0, 0, 0];
    // The scale at which the first predictions' Q = Vw (x^2 + 1) + Ve matches the training residuals.
    scale = p.learnScale ? Math.max(MIN_INNOVATION_VARIANCE, windowMean(training.map((r) => (r.y - beta * r.x - alpha) ** 2 / (stateNoise * (r.x * r.x + 1) + p.observationNoise)))) : 1;
    count = p.warmupDays;
    lastTime = (training.at(-1) as Row).time;
    z = 0;
    next = p.warmupDays;
  }
  let updated = false;
  for (; next < rows.length; next++) {
    const { time, y, x } = rows[next] as Row;
    const rBB = pBB + stateNoise;
    const rAA = pAA + stateNoise;
    const rBA = pBA;
    // R H' for H = [x, 1]
    const gB = rBB * x + rBA;
    const gA = rBA * x + rAA;
    const q = x * gB + gA + p.observationNoise;
    const e = y - (beta * x + alpha);
    z = e / Math.sqrt(Math.max(MIN_INNOVATION_VARIANCE, (p.learnScale ? scale : 1) * q));
    beta += (gB / q) * e;
    alpha += (gA / q) * e;
    pBB = rBB - (gB * gB) / q;
    pBA = rBA - (gB * gA) / q;
    pAA = rAA - (gA * gA) / q;
    count += 1;
    // EWMA of e^2 / Q: the model's innovation variance is scale x Q.
    if (p.learnScale) scale += ((e * e) / q - scale) / p.scaleDays;
    lastTime = time;
    updated = true;
  }
  return { state: { beta, alpha, covariance: [pBB, pBA, pAA], scale, count, lastTime, z, side: start.side }, updated, warming: 0 };
}

/** OLS with intercept of y on x. */
function ols(rows: readonly Row[]): { beta: number; alpha: number } {
  const mx = windowMean(rows.map((r) => r.x));
  const my = windowMean(rows.map((r) => r.y));
  let sxx = 0;
  let sxy = 0;
  for (const r of rows) {
    sxx += (r.x - mx) ** 2;
    sxy += (r.x - mx) * (r.y - my);
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  return { beta, alpha: my - beta * mx };
}

/** Parse and check the pairs param: each `Y/X` with two different symbols, no pair twice. */
function parsePairs(p: Params): Pair[] {
  const problems: ShError[] = [];
  const seen = new Set<string>();
  const pairs: Pair[] = [];
  p.pairs.forEach((name, index) => {
    const parts = name.split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1] || parts[0] === parts[1]) {
      problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter pairs[${index}] is invalid`, { where: `${PARAM_PATH}.pairs`, received: name, expected: 'Y/X with two different symbols, e.g. "GLD/IAU"' }));
      return;
    }
    const key = [...parts].sort().join('/');
    if (seen.has(key)) {
      problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter pairs[${index}] repeats a pair`, { where: `${PARAM_PATH}.pairs`, received: name, expected: 'each pair of symbols once (in either order)' }));
      return;
    }
    seen.add(key);
    pairs.push({ name, y: parts[0], x: parts[1] });
  });
  if (!(p.exitZ < p.entryZ)) problems.push(new ShError('SH_ERR_PLUGIN_PARAM_INVALID', 'parameter exitZ is invalid', { where: `${PARAM_PATH}.exitZ`, received: p.exitZ, expected: `less than entryZ (${p.entryZ})` }));
  if (problems.length > 0) throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for kalman-pairs`, { where: PARAM_PATH }, problems);
  return pairs;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
