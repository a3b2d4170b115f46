import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, seededNormals, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import kalmanPairs, { type KalmanPairsState } from './index.js';

const BETA = 1.5;
const ALPHA = -2;
const ONE_PAIR = { pairs: ['AAA/BBB'] };

/**
 * BBB a random walk; log AAA = ALPHA + BETA log BBB + noise (sd 0.2%) + the given extra spread on chosen days.
 */
function pair(days: number, extra: Readonly<Record<number, number>> = {}, seed = 11): SeriesData[] {
  const x = pricePath(days, { volatility: 0.01, seed });
  const noise = seededNormals(seed + 100, days);
  const y = x.map((price, i) => Math.exp(ALPHA + BETA * Math.log(price) + 0.002 * noise[i]! + (extra[i] ?? 0)));
  return [barsFromCloses('AAA', y), barsFromCloses('BBB', x)];
}

const zOf = (reason: string, name: string): number => Number(new RegExp(`${name.replace('/', '\\/')} z ([+-]\\d+\\.\\d+)`).exec(reason)?.[1]);
const SHOCK_DAY = 200;

describe('kalman-pairs behaviour', () => {
  it('starts from OLS over warmupDays, then tracks the hedge ratio and intercept of log Y on log X', () => {
    const run = runStrategy(kalmanPairs, { params: ONE_PAIR, data: pair(SHOCK_DAY) });
    expect(run.states[58]!.pairs['AAA/BBB']!.count).toBe(0);
    const start = run.states[59]!.pairs['AAA/BBB']!;
    expect(start.count).toBe(60);
    expect(start.covariance).toEqual([0, 0, 0]);
    expect(Math.abs(start.beta - BETA)).toBeLessThan(0.05);
    const filter = run.finalState.pairs['AAA/BBB']!;
    expect(filter.count).toBe(SHOCK_DAY);
    expect(Math.abs(filter.beta - BETA)).toBeLessThan(0.1);
    const logX = Math.log(pricePath(SHOCK_DAY, { volatility: 0.01, seed: 11 }).at(-1)!);
    expect(filter.alpha + filter.beta * logX).toBeCloseTo(ALPHA + BETA * logX, 2);
    // Standardised by the learned scale, the innovations of a correctly specified pair are mostly inside ±2.
    const zs = run.signals.slice(60).map((s) => zOf(s[0]!.reason, 'AAA/BBB'));
    expect(zs.filter((z) => Math.abs(z) > 2).length).toBeLessThan(zs.length * 0.1);
  });

  it('is flat while the filter warms up', () => {
    const run = runStrategy(kalmanPairs, { params: ONE_PAIR, data: pair(80, { 30: 0.05 }) });
    for (let i = 0; i < 59; i++) expect(run.signals[i]!.map((s) => s.weight)).toEqual([0, 0]);
    expect(run.signals[30]![0]!.reason).toBe('kf AAA/BBB warming 31/60 -> 0.00');
  });

  it('after a jump of Y above the fit is short the spread: short Y, long beta x X, gross 1', () => {
    const run = runStrategy(kalmanPairs, { params: ONE_PAIR, data: pair(SHOCK_DAY + 5, { [SHOCK_DAY]: 0.02 }) });
    expect(zOf(run.signals[SHOCK_DAY]![0]!.reason, 'AAA/BBB')).toBeGreaterThan(2);
    const y = signalAt(run, 'AAA', SHOCK_DAY);
    const x = signalAt(run, 'BBB', SHOCK_DAY);
    const beta = run.states[SHOCK_DAY]!.pairs['AAA/BBB']!.beta;
    expect(y).toBeLessThan(0);
    expect(x / -y).toBeCloseTo(beta, 10);
    expect(x - y).toBeCloseTo(1, 10);
    expect(run.states[SHOCK_DAY]!.pairs['AAA/BBB']!.side).toBe(-1);
    expect(run.signals[SHOCK_DAY - 1]!.map((s) => s.weight)).toEqual([0, 0]);
  });

  it('after a drop of Y below the fit is long the spread', () => {
    const run = runStrategy(kalmanPairs, { params: ONE_PAIR, data: pair(SHOCK_DAY + 1, { [SHOCK_DAY]: -0.02 }) });
    expect(zOf(run.signals[SHOCK_DAY]![0]!.reason, 'AAA/BBB')).toBeLessThan(-2);
    expect(signalAt(run, 'AAA', SHOCK_DAY)).toBeGreaterThan(0);
    expect(signalAt(run, 'BBB', SHOCK_DAY)).toBeLessThan(0);
  });

  it.each([
    { shift: 0.02, side: -1, name: 'short' },
    { shift: -0.02, side: 1, name: 'long' },
  ])('holds a $name spread while the innovation stays on its side and exits once it crosses 0', ({ shift, side }) => {
    // A persistent shift: the filter absorbs it over a few days, the innovations keep their sign, then cross 0.
    const extra: Record<number, number> = {};
    for (let i = SHOCK_DAY; i < SHOCK_DAY + 30; i++) extra[i] = shift;
    const run = runStrategy(kalmanPairs, { params: ONE_PAIR, data: pair(SHOCK_DAY + 30, extra) });
    const zs = run.signals.map((s) => zOf(s[0]!.reason, 'AAA/BBB'));
    const sides = run.states.map((s) => s.pairs['AAA/BBB']!.side);
    expect(sides[SHOCK_DAY]).toBe(side);
    const exit = sides.indexOf(0, SHOCK_DAY);
    expect(exit).toBeGreaterThan(SHOCK_DAY + 1);
    for (let i = SHOCK_DAY + 1; i < exit; i++) {
      expect(Math.sign(zs[i]!)).toBe(-side);
      expect(Math.sign(signalAt(run, 'AAA', i))).toBe(side);
    }
    expect(side * zs[exit]!).toBeGreaterThanOrEqual(0);
    expect(signalAt(run, 'AAA', exit)).toBe(0);
  });

  it.each([{ exitZ: 0 }, { exitZ: 0.5 }])('follows the entry/exit rule on every day of a run with many trades (exitZ $exitZ)', ({ exitZ }) => {
    const extra: Record<number, number> = {};
    for (let i = 70; i < 400; i += 11) extra[i] = (i % 2 === 0 ? 1 : -1) * 0.006;
    const run = runStrategy(kalmanPairs, { params: { ...ONE_PAIR, exitZ }, data: pair(400, extra) });
    let trades = 0;
    for (let i = 61; i < 400; i++) {
      const before = run.states[i - 1]!.pairs['AAA/BBB']!.side;
      const { side, z } = run.states[i]!.pairs['AAA/BBB']!;
      const staysLong = before === 1 && z < -exitZ;
      const staysShort = before === -1 && z > exitZ;
      const expected = staysLong ? 1 : staysShort ? -1 : z < -2 ? 1 : z > 2 ? -1 : 0;
      expect(side).toBe(expected);
      if (side !== 0 && before !== side) trades++;
    }
    expect(trades).toBeGreaterThan(10);
  });

  it('with the learned scale off uses Chan\'s absolute Ve: a pair with 0.2% noise then never reaches ±2', () => {
    const data = pair(SHOCK_DAY + 1, { [SHOCK_DAY]: 0.02 });
    const fixed = runStrategy(kalmanPairs, { params: { ...ONE_PAIR, learnScale: false }, data });
    expect(fixed.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(Math.abs(zOf(fixed.signals[SHOCK_DAY]![0]!.reason, 'AAA/BBB'))).toBeLessThan(1);
    expect(fixed.finalState.pairs['AAA/BBB']!.scale).toBe(1);
    // A Ve matched to the pair's noise makes the same jump a signal.
    const matched = runStrategy(kalmanPairs, { params: { ...ONE_PAIR, learnScale: false, observationNoise: 4e-6, delta: 4e-10 }, data });
    expect(signalAt(matched, 'AAA', SHOCK_DAY)).toBeLessThan(0);
  });

  it('splits grossExposure equally between pairs and nets a shared symbol', () => {
    const [aaa, bbb] = pair(SHOCK_DAY + 1, { [SHOCK_DAY]: 0.02 });
    const [ccc] = pair(SHOCK_DAY + 1, {}, 11).map((d) => ({ ...d, spec: { ...d.spec, id: 'bar:CCC' as const } }));
    const run = runStrategy(kalmanPairs, { params: { pairs: ['AAA/BBB', 'CCC/BBB'] }, data: [aaa!, bbb!, ccc!] });
    const aaaWeight = signalAt(run, 'AAA', SHOCK_DAY);
    const bbbWeight = signalAt(run, 'BBB', SHOCK_DAY);
    const state = run.states[SHOCK_DAY]!.pairs;
    expect(state['CCC/BBB']!.side).toBe(0);
    expect(signalAt(run, 'CCC', SHOCK_DAY)).toBe(0);
    expect(-aaaWeight + bbbWeight).toBeCloseTo(0.5, 10);
    expect(bbbWeight).toBeCloseTo(-state['AAA/BBB']!.beta * aaaWeight, 10);
    const reason = run.signals[SHOCK_DAY]!.find((s) => s.symbol === 'BBB')!.reason;
    expect(reason).toMatch(/^kf AAA\/BBB z \+\d+\.\d\d b 1\.\d{3} short; CCC\/BBB z [+-]\d\.\d\d b 1\.\d{3} flat -> 0\.\d\d$/);
  });

  it('filters only the days both legs have, and each day once', () => {
    const [y, x] = pair(SHOCK_DAY + 1, { [SHOCK_DAY]: 0.02 });
    const keep = [...x!.time.keys()].filter((i) => i % 40 !== 17);
    const pick = (column: Float64Array): Float64Array => Float64Array.from(keep, (i) => column[i]!);
    const gappy: SeriesData = { spec: x!.spec, time: pick(x!.time), available: pick(x!.available), columns: Object.fromEntries(Object.entries(x!.columns).map(([f, c]) => [f, pick(c)])) };
    const run = runStrategy(kalmanPairs, { params: ONE_PAIR, data: [y!, gappy] });
    // 201 decision days (the union of both legs), 5 of them without a BBB bar.
    expect(run.times).toHaveLength(SHOCK_DAY + 1);
    expect(run.finalState.pairs['AAA/BBB']!.count).toBe(SHOCK_DAY + 1 - 5);
    expect(signalAt(run, 'AAA', SHOCK_DAY)).toBeLessThan(0);
  });

  it('starts cold from its history window when it has no state, then updates one bar at a time', () => {
    const data = pair(SHOCK_DAY);
    const run = runStrategy(kalmanPairs, { params: ONE_PAIR, data });
    // Evaluated only at the last time: OLS over the first 60 of its 120-bar window, the filter over the other 60.
    const once = runStrategy(kalmanPairs, { params: ONE_PAIR, data, times: [run.times.at(-1)!] });
    const cold = once.finalState.pairs['AAA/BBB']!;
    expect(cold.count).toBe(120);
    expect(cold.lastTime).toBe(run.finalState.pairs['AAA/BBB']!.lastTime);
    expect(Math.abs(cold.beta - run.finalState.pairs['AAA/BBB']!.beta)).toBeLessThan(0.1);
    // Then one bar at a time: the next evaluation adds exactly one day.
    const more = pair(SHOCK_DAY + 1);
    const next = runStrategy(kalmanPairs, { params: ONE_PAIR, data: more, times: [run.times.at(-1)!, runStrategy(kalmanPairs, { params: ONE_PAIR, data: more }).times.at(-1)!] });
    expect(next.states.map((s) => s.pairs['AAA/BBB']!.count)).toEqual([120, 121]);
  });
});

describe('kalman-pairs params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(kalmanPairs, 'plugins/kalman-pairs/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'delta', value: 0 },
    { name: 'observationNoise', value: 2 },
    { name: 'pairs', value: ['GLD:IAU'] },
    { name: 'pairs', value: [] },
    { name: 'warmupDays', value: 10.5 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(kalmanPairs.params, { [name]: value }, 'plugins.settings.kalman-pairs.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.kalman-pairs.params.${name}`]]);
  });

  it.each([
    { pairs: ['GLD'], exitZ: 0, where: 'pairs' },
    { pairs: ['GLD/GLD'], exitZ: 0, where: 'pairs' },
    { pairs: ['GLD/IAU', 'IAU/GLD'], exitZ: 0, where: 'pairs' },
    { pairs: ['GLD/IAU'], exitZ: 2, where: 'exitZ' },
  ])('rejects pairs $pairs with exitZ $exitZ when it is prepared', ({ pairs, exitZ, where }) => {
    let error: { code?: string; problems?: readonly { details: { where?: string } }[] } = {};
    try {
      runStrategy(kalmanPairs, { params: { pairs, exitZ }, data: pair(5) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual([`plugins.settings.kalman-pairs.params.${where}`]);
  });

  it('passes the plugin contract check, the filter state surviving JSON', () => {
    const data = pair(SHOCK_DAY + 40, { [SHOCK_DAY]: 0.02, [SHOCK_DAY + 20]: -0.02 });
    const report = checkStrategyContract(kalmanPairs, { params: ONE_PAIR, data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(1);
    const state: KalmanPairsState = runStrategy(kalmanPairs, { params: ONE_PAIR, data }).finalState;
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
