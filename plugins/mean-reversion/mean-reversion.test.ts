import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import meanReversion from './index.js';

const TREND_DAYS = 300;

/** A steady trend, then daily moves given as factors (0.97 = a 3% fall). */
function path(drift: number, moves: readonly number[], seed = 4): number[] {
  const closes = pricePath(TREND_DAYS, { drift, volatility: 0.004, seed });
  for (const move of moves) closes.push(closes.at(-1)! * move);
  return closes;
}

const repeat = (move: number, days: number): number[] => Array<number>(days).fill(move);
const GLD_ONLY = { universe: ['GLD'] };
const SHOCK = repeat(0.97, 3);
const RECOVERY = repeat(1.02, 6);

function sides(closes: readonly number[], params: Record<string, unknown> = {}): number[] {
  const run = runStrategy(meanReversion, { params: { ...GLD_ONLY, ...params }, data: [barsFromCloses('GLD', closes)] });
  return run.signals.map((s) => Math.sign(s[0]!.weight));
}

describe('mean-reversion behaviour', () => {
  it('buys a sharp drop below the mean in an uptrend and exits when price is back at the mean', () => {
    const closes = path(0.002, [...SHOCK, ...RECOVERY]);
    const run = runStrategy(meanReversion, { params: GLD_ONLY, data: [barsFromCloses('GLD', closes)] });
    const side = run.signals.map((s) => Math.sign(s[0]!.weight));
    expect(side.slice(0, TREND_DAYS).every((s) => s === 0)).toBe(true);
    const entry = side.indexOf(1);
    expect(entry).toBeGreaterThanOrEqual(TREND_DAYS);
    expect(entry).toBeLessThan(TREND_DAYS + 3);
    expect(run.signals[entry]![0]!.reason).toMatch(/^mr GLD z -\d\.\d\d vs 10d mean \d+\.\d\d, above 200d SMA \d+\.\d\d: long \d\.\d\d \(enter\)/);
    const exit = side.indexOf(0, entry);
    expect(exit).toBeGreaterThan(TREND_DAYS + 2);
    expect(exit).toBeLessThan(closes.length);
    expect(run.signals[exit]![0]!.reason).toContain('exit at the mean');
    expect(Number(/z ([+-]\d\.\d+)/.exec(run.signals[exit]![0]!.reason)?.[1])).toBeGreaterThanOrEqual(0);
    expect(run.finalState.trades.GLD).toEqual({ side: 0, entryTime: 0, blockedSide: 0 });
  });

  it('sizes a position to min(1/n, volTarget / vol)', () => {
    const closes = path(0.002, SHOCK);
    const run = runStrategy(meanReversion, { params: { ...GLD_ONLY, volDays: 20 }, data: [barsFromCloses('GLD', closes)] });
    const returns = closes.slice(-21).map((c, i, all) => (i === 0 ? 0 : Math.log(c / all[i - 1]!))).slice(1);
    const average = returns.reduce((a, b) => a + b, 0) / 20;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - average) ** 2, 0) / 19) * 252);
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo(Math.min(1, 0.1 / vol), 12);
    const capped = runStrategy(meanReversion, { params: { ...GLD_ONLY, volTarget: 1 }, data: [barsFromCloses('GLD', closes)] });
    expect(signalAt(capped, 'GLD', -1)).toBe(1);
  });

  it('with the trend filter does not buy a drop in a downtrend; without it, it does', () => {
    const closes = path(-0.002, SHOCK);
    const filtered = runStrategy(meanReversion, { params: GLD_ONLY, data: [barsFromCloses('GLD', closes)] });
    expect(filtered.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(filtered.signals.some((s) => s[0]!.reason.includes('blocked by trend filter'))).toBe(true);
    expect(sides(closes, { trendFilter: false }).slice(TREND_DAYS)).toContain(1);
  });

  it('sells a spike above the mean in a downtrend', () => {
    const side = sides(path(-0.002, repeat(1.03, 3)));
    expect(side.slice(TREND_DAYS)).toContain(-1);
    expect(side).not.toContain(1);
  });

  it('with RSI(2) buys a two-day drop and exits once RSI(2) is back above 50', () => {
    const closes = path(0.002, [0.985, 0.985, 1.01, 1.01, 1.01]);
    const run = runStrategy(meanReversion, { params: { ...GLD_ONLY, indicator: 'rsi2' }, data: [barsFromCloses('GLD', closes)] });
    expect(signalAt(run, 'GLD', TREND_DAYS + 1)).toBeGreaterThan(0);
    expect(run.signals[TREND_DAYS + 1]![0]!.reason).toMatch(/RSI2 \d\.\d, above 200d SMA/);
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.signals.some((s) => s[0]!.reason.includes('exit at the mean'))).toBe(true);
  });

  it('leaves a trade after maxHoldDays and waits for the extreme to pass before trading that side again', () => {
    // A fall, then a price that stays down: the z-score stays negative for days.
    const closes = path(0.002, [...SHOCK, ...repeat(1, 8)]);
    const side = sides(closes, { maxHoldDays: 3 });
    const entry = side.indexOf(1);
    expect(side.slice(entry, entry + 3)).toEqual([1, 1, 1]);
    expect(side[entry + 3]).toBe(0);
    expect(side.slice(entry + 3).every((s) => s === 0)).toBe(true);
    const unlimited = sides(closes, { maxHoldDays: 0 });
    expect(unlimited[entry + 3]).toBe(1);
    // Out after one day while z is still below -entryZ: blocked, not bought straight back.
    const run = runStrategy(meanReversion, { params: { ...GLD_ONLY, maxHoldDays: 1 }, data: [barsFromCloses('GLD', closes)] });
    expect([signalAt(run, 'GLD', entry), signalAt(run, 'GLD', entry + 1), signalAt(run, 'GLD', entry + 2)].map(Math.sign)).toEqual([1, 0, 0]);
    expect(run.signals[entry + 2]![0]!.reason).toMatch(/^mr GLD z -2\.\d\d/);
    expect(run.states[entry + 1]!.trades.GLD!.blockedSide).toBe(1);
    expect(run.finalState.trades.GLD!.blockedSide).toBe(0);
  });

  it('returns zero weights, never NaN, until it has the trend history', () => {
    const run = runStrategy(meanReversion, { data: ['GLD', 'SLV', 'GDX'].map((s, k) => barsFromCloses(s, pricePath(150, { seed: k + 1 }))) });
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toBe('mr GLD waiting for history: 150 of 200 bars');
  });
});

describe('mean-reversion params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(meanReversion, 'plugins/mean-reversion/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'meanDays', value: 4 },
    { name: 'meanDays', value: 21 },
    { name: 'indicator', value: 'rsi14' },
    { name: 'maxHoldDays', value: 2.5 },
    { name: 'trendFilter', value: 'yes' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(meanReversion.params, { [name]: value }, 'plugins.settings.mean-reversion.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.mean-reversion.params.${name}`]]);
  });

  it('passes the plugin contract check', () => {
    // Each instrument trends with a few sharp counter-moves, so the rule trades both ways over the run.
    const data: SeriesData[] = ['GLD', 'SLV', 'GDX'].map((symbol, k) => {
      const drift = k === 1 ? -0.002 : 0.002;
      const shock = k === 1 ? 1.03 : 0.97;
      return barsFromCloses(symbol, path(drift, [...repeat(shock, 3), ...repeat(1 / shock, 5), ...repeat(1.001, 20), ...repeat(shock, 3), ...repeat(1, 15)], k + 1));
    });
    const report = checkStrategyContract(meanReversion, { data });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(6);
  });
});
