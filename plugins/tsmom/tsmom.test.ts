import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, seededNormals, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import tsmom from './index.js';

const UNIVERSE = ['GLD', 'SLV', 'PPLT', 'IAU'];

/** One seeded random walk per symbol, each with its own daily volatility. */
function market(days: number, drift: number): SeriesData[] {
  return UNIVERSE.map((symbol, k) => barsFromCloses(symbol, pricePath(days, { drift, volatility: 0.008 + 0.004 * k, seed: 11 + k })));
}

/** Segments of drift joined into one path per symbol. */
function regimes(segments: readonly { days: number; drift: number }[]): SeriesData[] {
  return UNIVERSE.map((symbol, k) => {
    const closes: number[] = [];
    segments.forEach((segment, s) => {
      const start = closes.at(-1) ?? 100;
      closes.push(...pricePath(segment.days, { start, drift: segment.drift, volatility: 0.008 + 0.004 * k, seed: 100 * s + k + 1 }));
    });
    return barsFromCloses(symbol, closes);
  });
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('tsmom behaviour', () => {
  it('is long every instrument after a sustained uptrend', () => {
    const run = runStrategy(tsmom, { data: market(600, 0.0015) });
    for (const symbol of UNIVERSE) expect(signalAt(run, symbol, -1)).toBeGreaterThan(0);
    const last = run.signals.at(-1)!;
    expect(mean(last.map((s) => s.confidence))).toBeGreaterThan(0.6);
    expect(last[0]!.reason).toMatch(/^tsmom 252d ret \+\d+\.\d%, t \d\.\d, vol \d+\.\d% -> 0\.\d\d/);
  });

  it('is short every instrument after a downtrend that follows an uptrend', () => {
    const run = runStrategy(tsmom, { data: regimes([{ days: 400, drift: 0.0015 }, { days: 350, drift: -0.002 }]) });
    expect(signalAt(run, 'GLD', 399)).toBeGreaterThan(0);
    for (const symbol of UNIVERSE) expect(signalAt(run, symbol, -1)).toBeLessThan(0);
  });

  it('averages near zero with low confidence in a flat, noisy market', () => {
    // Prices fluctuate around a fixed level: the 12-month return is noise and its sign flips.
    const data = UNIVERSE.map((symbol, k) => barsFromCloses(symbol, seededNormals(40 + k, 700).map((z) => 100 * Math.exp(0.01 * z))));
    const run = runStrategy(tsmom, { data });
    const late = run.signals.slice(300).flat();
    expect(Math.abs(mean(late.map((s) => s.weight)))).toBeLessThan(0.03);
    expect(mean(late.map((s) => s.confidence))).toBeLessThan(0.2);
  });

  it('sizes each instrument to targetVol / n of annualised volatility, capped at 1', () => {
    const closes = pricePath(400, { drift: 0.002, volatility: 0.012, seed: 5 });
    const params = { universe: ['GLD', 'SLV'], volEstimator: 'window', volDays: 60, rebalanceBand: 0 };
    const run = runStrategy(tsmom, { params, data: [barsFromCloses('GLD', closes), barsFromCloses('SLV', pricePath(400, { drift: 0.002, volatility: 0.0005, seed: 6 }))] });
    const returns = closes.slice(-61).map((c, i, all) => (i === 0 ? 0 : Math.log(c / all[i - 1]!))).slice(1);
    const m = mean(returns);
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - m) ** 2, 0) / 59) * 252);
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo(0.1 / 2 / vol, 10);
    expect(signalAt(run, 'SLV', -1)).toBe(1);
  });

  it('with skipRecent ignores a last-month reversal that flips plain 12-month momentum', () => {
    const closes = [...pricePath(300, { drift: 0.001, volatility: 0.005, seed: 3 })];
    for (let i = 0; i < 15; i++) closes.push(closes.at(-1)! * 0.97);
    const data = [barsFromCloses('GLD', closes)];
    const plain = runStrategy(tsmom, { params: { universe: ['GLD'] }, data });
    const skipping = runStrategy(tsmom, { params: { universe: ['GLD'], skipRecent: true, skipDays: 21 }, data });
    expect(signalAt(plain, 'GLD', -1)).toBeLessThan(0);
    expect(signalAt(skipping, 'GLD', -1)).toBeGreaterThan(0);
    expect(skipping.signals.at(-1)![0]!.reason).toContain('252d skip 21d');
  });

  it('trades less with a rebalance band, and a held weight stays within the band of its target', () => {
    const data = market(700, 0.0015);
    const changes = (band: number): number => {
      const run = runStrategy(tsmom, { params: { rebalanceBand: band }, data });
      return run.signals.slice(1).filter((signals, i) => signals.some((s) => s.weight !== signalAt(run, s.symbol, i))).length;
    };
    expect(changes(0.1)).toBeLessThan(changes(0) / 3);
    const run = runStrategy(tsmom, { data });
    for (const signal of run.signals.at(-1)!) {
      const target = Number(/-> (-?\d\.\d+)/.exec(signal.reason)?.[1]);
      expect(Math.abs(signal.weight - target)).toBeLessThanOrEqual(0.1 * Math.abs(signal.weight) + 0.005);
    }
  });

  it('returns zero weights, never NaN, until it has enough history', () => {
    const run = runStrategy(tsmom, { data: market(200, 0.002) });
    for (const signals of run.signals) {
      expect(signals.map((s) => s.weight)).toEqual([0, 0, 0, 0]);
      expect(signals[0]!.reason).toMatch(/waiting for history: \d+ of 253 bars/);
    }
  });

  it('keeps its last weights in a JSON state', () => {
    const run = runStrategy(tsmom, { data: market(300, 0.002) });
    expect(JSON.parse(JSON.stringify(run.finalState))).toEqual({ weights: Object.fromEntries(UNIVERSE.map((s) => [s, signalAt(run, s, -1)])) });
  });
});

describe('tsmom params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(tsmom, 'plugins/tsmom/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'lookbackDays', value: 10 },
    { name: 'targetVol', value: 2 },
    { name: 'volEstimator', value: 'garch' },
    { name: 'universe', value: [] },
    { name: 'rebalanceBand', value: -0.1 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(tsmom.params, { [name]: value }, 'plugins.settings.tsmom.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.tsmom.params.${name}`]]);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(tsmom, { data: regimes([{ days: 350, drift: 0.0015 }, { days: 250, drift: -0.002 }]) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(1000);
  });
});
