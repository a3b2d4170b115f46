import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, DAILY_CLOSE_LAG_MS, pricePath, resolveParams, runStrategy, seededNormals, seriesFromValues, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import regimeDetector, { type RegimeState } from './index.js';

/** GLD closes from segments of daily volatility (no drift). */
function gold(segments: readonly { days: number; volatility: number }[], seed = 1): SeriesData {
  const closes: number[] = [];
  segments.forEach((segment, s) => closes.push(...pricePath(segment.days, { start: closes.at(-1) ?? 100, volatility: segment.volatility, seed: seed + 10 * s })));
  return barsFromCloses('GLD', closes);
}

/** VIX levels whose daily log changes have the given volatility per segment, published at the close like the real file. */
function vix(segments: readonly { days: number; volatility: number }[], seed = 7): SeriesData {
  const total = segments.reduce((a, s) => a + s.days, 0);
  const noise = seededNormals(seed, total);
  const values: number[] = [];
  let level = Math.log(15);
  let i = 0;
  for (const segment of segments) {
    for (let k = 0; k < segment.days; k++, i++) {
      // Mean-reverting in logs, so the level stays in a VIX-like range.
      level += 0.02 * (Math.log(15) - level) + segment.volatility * noise[i]!;
      values.push(Math.exp(level));
    }
  }
  return seriesFromValues('macro:VIX', values, { availability: { rule: 'lag', lagMs: DAILY_CLOSE_LAG_MS } });
}

const CALM_DAYS = 500;
const calmGold = (days = CALM_DAYS + 150): SeriesData => gold([{ days, volatility: 0.008 }]);
const calmVix = (days = CALM_DAYS + 150): SeriesData => vix([{ days, volatility: 0.05 }]);
const multiplierOf = (reason: string): number => Number(/exposure (\d\.\d\d) x/.exec(reason)?.[1]);
const baseOf = (reason: string): number => Number(/ x (\d\.\d\d) \(vol/.exec(reason)?.[1]);

describe('regime-detector behaviour', () => {
  it('keeps full exposure, sized to the volatility target, in a calm stationary market', () => {
    const run = runStrategy(regimeDetector, { data: [calmGold(), calmVix()] });
    const live = run.signals.slice(260);
    expect(live.every((s) => multiplierOf(s[0]!.reason) === 1)).toBe(true);
    const last = run.signals.at(-1)![0]!;
    expect(last.reason).toMatch(/^regime GLD P\(run<=5d\) ret 0\.\d\d VIX 0\.\d\d; no change yet: exposure 1\.00 x 0\.\d\d \(vol \d+%\) -> 0\.\d\d$/);
    expect(last.weight).toBeGreaterThan(0.5);
    expect(last.confidence).toBeGreaterThan(0.9);
  });

  it('cuts exposure within days of a volatility jump in the returns, then restores it linearly over restoreDays', () => {
    const data = [gold([{ days: CALM_DAYS, volatility: 0.005 }, { days: 60, volatility: 0.03 }, { days: 90, volatility: 0.03 }]), calmVix()];
    const run = runStrategy(regimeDetector, { params: { useVix: false }, data });
    const first = run.signals.findIndex((s, i) => i >= CALM_DAYS && multiplierOf(s[0]!.reason) < 1);
    expect(first).toBeGreaterThanOrEqual(CALM_DAYS);
    expect(first).toBeLessThan(CALM_DAYS + 5);
    expect(multiplierOf(run.signals[first]![0]!.reason)).toBe(0.25);
    expect(run.signals[first]![0]!.reason).toMatch(/change \d{4}-\d\d-\d\d, 0 bars ago: exposure 0\.25/);
    // After the last detection the multiplier climbs by (1 - 0.25) / 21 a bar and is whole again after 21 bars.
    const lastDetection = run.signals.findLastIndex((s) => / 0 bars ago/.test(s[0]!.reason));
    for (let k = 0; k <= 25; k++) {
      const signal = run.signals[lastDetection + k]?.[0];
      if (!signal) break;
      expect(multiplierOf(signal.reason)).toBeCloseTo(0.25 + 0.75 * Math.min(1, k / 21), 2);
      expect(signal.weight).toBeCloseTo(0.25 * baseOf(signal.reason) + 0.75 * baseOf(signal.reason) * Math.min(1, k / 21), 2);
    }
    expect(run.finalState.lastDetection).toBe(data[0]!.time[lastDetection]);
  });

  it('cuts exposure on a VIX spike while gold stays calm, and ignores VIX with useVix false', () => {
    const data = [calmGold(), vix([{ days: CALM_DAYS, volatility: 0.04 }, { days: 15, volatility: 0.3 }, { days: 135, volatility: 0.04 }])];
    const withVix = runStrategy(regimeDetector, { data });
    const cut = withVix.signals.findIndex((s, i) => i >= CALM_DAYS && multiplierOf(s[0]!.reason) < 1);
    expect(cut).toBeGreaterThanOrEqual(CALM_DAYS);
    expect(cut).toBeLessThan(CALM_DAYS + 6);
    expect(Number(/VIX (\d\.\d\d)/.exec(withVix.signals[cut]![0]!.reason)?.[1])).toBeGreaterThanOrEqual(0.5);
    expect(signalAt(withVix, 'GLD', cut)).toBeLessThan(0.5 * signalAt(withVix, 'GLD', cut - 1));
    const withoutVix = runStrategy(regimeDetector, { params: { useVix: false }, data });
    expect(withoutVix.signals.slice(260).every((s) => multiplierOf(s[0]!.reason) === 1)).toBe(true);
  });

  it('detects sooner with a shorter expected run length (a larger hazard)', () => {
    const data = [gold([{ days: CALM_DAYS, volatility: 0.006 }, { days: 40, volatility: 0.02 }]), calmVix(CALM_DAYS + 40)];
    const firstCut = (hazardDays: number): number => {
      const run = runStrategy(regimeDetector, { params: { useVix: false, hazardDays }, data });
      const index = run.signals.findIndex((s, i) => i >= 300 && multiplierOf(s[0]!.reason) < 1);
      return index < 0 ? Number.POSITIVE_INFINITY : index;
    };
    expect(firstCut(50)).toBeLessThan(firstCut(2000));
    expect(firstCut(50)).toBeGreaterThanOrEqual(CALM_DAYS);
  });

  it('processes observations, not evaluations: evaluating every fifth bar ends in the same state', () => {
    const data = [gold([{ days: CALM_DAYS, volatility: 0.005 }, { days: 80, volatility: 0.03 }]), vix([{ days: CALM_DAYS + 80, volatility: 0.05 }])];
    const daily = runStrategy(regimeDetector, { data });
    const sparse = runStrategy(regimeDetector, { data, times: daily.times.filter((_, i) => i % 5 === 4 || i === daily.times.length - 1) });
    const [a, b] = [daily.finalState, sparse.finalState];
    expect(b.lastDetection).toBe(a.lastDetection);
    expect(a.lastDetection).toBeGreaterThan(data[0]!.time[CALM_DAYS - 1]!);
    for (const key of ['returns', 'vix'] as const) {
      expect([b[key]!.lastTime, b[key]!.observations, b[key]!.probabilities.length]).toEqual([a[key]!.lastTime, a[key]!.observations, a[key]!.probabilities.length]);
      // Prefix sums start from a different row, so the last bits of rounding may differ.
      b[key]!.probabilities.forEach((probability, r) => expect(probability).toBeCloseTo(a[key]!.probabilities[r]!, 12));
    }
    expect(signalAt(sparse, 'GLD', -1)).toBeCloseTo(signalAt(daily, 'GLD', -1), 12);
  });

  it('keeps a JSON state: run-length probabilities truncated at maxRunLength and summing to 1', () => {
    const run = runStrategy(regimeDetector, { params: { maxRunLength: 60 }, data: [calmGold(), calmVix()] });
    const state: RegimeState = run.finalState;
    for (const detector of [state.returns!, state.vix!]) {
      expect(detector.probabilities.length).toBeLessThanOrEqual(61);
      expect(detector.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(detector.probabilities[0]).toBe(0);
    }
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('returns zero weights, never NaN, until the detectors have scaleDays of history', () => {
    const run = runStrategy(regimeDetector, { data: [calmGold(200), calmVix(200)] });
    for (const [signal] of run.signals) expect(signal!.weight).toBe(0);
    expect(run.signals.at(-1)![0]!.reason).toBe('regime GLD waiting for history: 200 of 254 bars and VIX rows');
  });
});

describe('regime-detector params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(regimeDetector, 'plugins/regime-detector/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'hazardDays', value: 5 },
    { name: 'maxRunLength', value: 1000 },
    { name: 'threshold', value: 1 },
    { name: 'cutTo', value: -0.5 },
    { name: 'useVix', value: 'yes' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(regimeDetector.params, { [name]: value }, 'plugins.settings.regime-detector.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.regime-detector.params.${name}`]]);
  });

  it('passes the plugin contract check', () => {
    const data = [gold([{ days: 400, volatility: 0.005 }, { days: 60, volatility: 0.03 }, { days: 60, volatility: 0.01 }]), vix([{ days: 430, volatility: 0.04 }, { days: 10, volatility: 0.3 }, { days: 80, volatility: 0.04 }])];
    const report = checkStrategyContract(regimeDetector, { data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(200);
  });
});
