import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, formatDate, pricePath, resolveParams, runStrategy, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import xsmom from './index.js';

const UNIVERSE = ['GLD', 'SLV', 'PPLT', 'GDX'];

/** One seeded random walk per symbol: its own drift and daily volatility. */
function market(days: number, drifts: readonly number[], vols: readonly number[] = [0.01, 0.01, 0.01, 0.01]): SeriesData[] {
  return UNIVERSE.map((symbol, k) => barsFromCloses(symbol, pricePath(days, { drift: drifts[k], volatility: vols[k], seed: 21 + k })));
}

/** Segments of drifts joined into one path per symbol. */
function regimes(segments: readonly { days: number; drifts: readonly number[] }[]): SeriesData[] {
  return UNIVERSE.map((symbol, k) => {
    const closes: number[] = [];
    segments.forEach((segment, s) => {
      closes.push(...pricePath(segment.days, { start: closes.at(-1) ?? 100, drift: segment.drifts[k], volatility: 0.01, seed: 50 * s + k + 1 }));
    });
    return barsFromCloses(symbol, closes);
  });
}

const weightsAt = (run: ReturnType<typeof runStrategy>, index: number): number[] => UNIVERSE.map((s) => signalAt(run, s, index));
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const monthOf = (time: number): string => formatDate(time).slice(0, 7);

/** Annualised covariance of the daily log returns of two close series over their last `days` returns. */
function annualCovariance(x: readonly number[], y: readonly number[], days: number): number {
  const rx = x.slice(-days - 1).map((c, i, all) => (i === 0 ? 0 : Math.log(c / all[i - 1]!))).slice(1);
  const ry = y.slice(-days - 1).map((c, i, all) => (i === 0 ? 0 : Math.log(c / all[i - 1]!))).slice(1);
  const mx = sum(rx) / days;
  const my = sum(ry) / days;
  return (sum(rx.map((r, i) => (r - mx) * (ry[i]! - my))) / (days - 1)) * 252;
}

describe('xsmom behaviour', () => {
  it('is long the winner and short the loser, dollar-neutral, the middle flat', () => {
    const run = runStrategy(xsmom, { data: market(400, [0.002, 0.0005, -0.0005, -0.002]) });
    const last = weightsAt(run, -1);
    expect(last[0]).toBeGreaterThan(0.1);
    expect(last[3]).toBeLessThan(-0.1);
    expect([last[1], last[2]]).toEqual([0, 0]);
    expect(sum(last)).toBeCloseTo(0, 12);
    expect(sum(last.map(Math.abs))).toBeLessThanOrEqual(1 + 1e-12);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/252d skip 21d GLD \+\d+\.\d% > SLV [+-]\d+\.\d% > PPLT [+-]\d+\.\d% > GDX -\d+\.\d%; spread vol \d+% -> gross 0\.\d\d/);
    expect(run.signals.at(-1)![0]!.confidence).toBeGreaterThan(0.9);
  });

  it('scales the book to targetVol of ex-ante volatility from the covariance of the two legs', () => {
    const gld = pricePath(400, { drift: 0.002, volatility: 0.01, seed: 3 });
    const gdx = pricePath(400, { drift: -0.002, volatility: 0.02, seed: 4 });
    const params = { universe: ['GLD', 'GDX'], targetVol: 0.1, volDays: 60 };
    const run = runStrategy(xsmom, { params, data: [barsFromCloses('GLD', gld), barsFromCloses('GDX', gdx)] });
    // The last rebalance happened at the first evaluation of the last month: size from the data up to then.
    const rebalance = run.times.findIndex((t) => monthOf(t) === monthOf(run.times.at(-1)!));
    const upTo = (closes: number[]): number[] => closes.slice(0, rebalance + 1);
    const variance = annualCovariance(upTo(gld), upTo(gld), 60) + annualCovariance(upTo(gdx), upTo(gdx), 60) - 2 * annualCovariance(upTo(gld), upTo(gdx), 60);
    const expected = 0.1 / Math.sqrt(variance);
    expect(signalAt(run, 'GLD', -1)).toBeCloseTo(expected, 10);
    expect(signalAt(run, 'GDX', -1)).toBeCloseTo(-expected, 10);
    const capped = runStrategy(xsmom, { params: { ...params, targetVol: 1, maxGross: 0.6 }, data: [barsFromCloses('GLD', gld), barsFromCloses('GDX', gdx)] });
    expect(signalAt(capped, 'GLD', -1)).toBeCloseTo(0.3, 12);
  });

  it('weights each leg by inverse volatility with topK = 2', () => {
    const run = runStrategy(xsmom, { params: { topK: 2 }, data: market(400, [0.002, 0.0015, -0.0015, -0.002], [0.01, 0.02, 0.01, 0.03]) });
    const [gld, slv, pplt, gdx] = weightsAt(run, -1) as [number, number, number, number];
    expect(gld).toBeGreaterThan(0);
    expect(slv).toBeGreaterThan(0);
    // The riskier instrument gets the smaller share of its leg: about half for twice the volatility.
    expect(slv / gld).toBeGreaterThan(0.4);
    expect(slv / gld).toBeLessThan(0.6);
    expect(pplt).toBeLessThan(0);
    expect(gdx / pplt).toBeGreaterThan(0.25);
    expect(gdx / pplt).toBeLessThan(0.45);
    expect(gld + slv).toBeCloseTo(-(pplt + gdx), 12);
  });

  it('rebalances only at the first evaluation of a month and holds the weights in between', () => {
    // The winners swap places mid-run: targets change, but only when a month begins.
    const run = runStrategy(xsmom, { data: regimes([{ days: 300, drifts: [0.002, 0, 0, -0.002] }, { days: 200, drifts: [-0.004, 0, 0, 0.004] }]) });
    let changes = 0;
    for (let i = 1; i < run.times.length; i++) {
      const changed = weightsAt(run, i).some((w, k) => w !== weightsAt(run, i - 1)[k]);
      if (!changed) continue;
      changes++;
      const firstOfMonth = monthOf(run.times[i]!) !== monthOf(run.times[i - 1]!);
      const firstSignal = weightsAt(run, i - 1).every((w) => w === 0);
      expect(firstOfMonth || firstSignal).toBe(true);
    }
    expect(changes).toBeGreaterThan(2);
    expect(signalAt(run, 'GDX', -1)).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', -1)).toBeLessThan(0);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/^xsmom (held since \d{4}-\d\d-\d\d|rebalance): /);
    expect(run.finalState.month).toBe(new Date(run.times.at(-1)!).getUTCFullYear() * 12 + new Date(run.times.at(-1)!).getUTCMonth());
  });

  it('with skipDays ignores a last-month reversal; without it the reversal flips the ranks', () => {
    const data = UNIVERSE.map((symbol, k) => {
      const closes = pricePath(300, { drift: [0.002, 0.001, -0.001, -0.002][k], volatility: 0.005, seed: 7 + k });
      for (let i = 0; i < 18; i++) closes.push(closes.at(-1)! * (k === 0 ? 0.95 : k === 3 ? 1.05 : 1));
      return barsFromCloses(symbol, closes);
    });
    // One evaluation on the last bar, from the initial state: a rebalance on all the history.
    const last = (skipDays: number): number[] => weightsAt(runStrategy(xsmom, { params: { skipDays }, data, times: [data[0]!.available.at(-1)!] }), -1);
    const skipping = last(21);
    const plain = last(0);
    expect(skipping[0]).toBeGreaterThan(0);
    expect(skipping[3]).toBeLessThan(0);
    expect(plain[0]).toBeLessThan(0);
    expect(plain[3]).toBeGreaterThan(0);
  });

  it('ranks by return over volatility with rankBy risk-adjusted', () => {
    // GDX has the best raw return but with four times the volatility; SLV the best per unit of risk.
    const data = market(400, [0, 0.0012, -0.0012, 0.0016], [0.005, 0.005, 0.005, 0.03]);
    const raw = runStrategy(xsmom, { data });
    const adjusted = runStrategy(xsmom, { params: { rankBy: 'risk-adjusted' }, data });
    expect(signalAt(raw, 'GDX', -1)).toBeGreaterThan(0);
    expect(signalAt(adjusted, 'GDX', -1)).toBe(0);
    expect(signalAt(adjusted, 'SLV', -1)).toBeGreaterThan(0);
  });

  it('ranks only instruments with enough history: a late listing stays at 0', () => {
    const data = market(500, [0.002, 0.001, -0.001, -0.002]);
    const late = barsFromCloses('PPLT', pricePath(150, { drift: -0.01, seed: 9 }), { start: formatDate(data[0]!.time[350]!) });
    const run = runStrategy(xsmom, { data: [data[0]!, data[1]!, late, data[3]!] });
    expect(signalAt(run, 'PPLT', -1)).toBe(0);
    expect(signalAt(run, 'GLD', -1)).toBeGreaterThan(0);
    expect(signalAt(run, 'GDX', -1)).toBeLessThan(0);
    expect(run.signals.at(-1)![0]!.reason).not.toContain('PPLT');
  });

  it('returns zero weights, never NaN, until enough instruments have the history', () => {
    const run = runStrategy(xsmom, { data: market(250, [0.002, 0, 0, -0.002]) });
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0, 0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toBe('xsmom waiting for history: 0 instruments have 274 bars, 2 needed');
    expect(run.finalState.month).toBeNull();
  });
});

describe('xsmom params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(xsmom, 'plugins/xsmom/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'lookbackDays', value: 20 },
    { name: 'skipDays', value: -1 },
    { name: 'topK', value: 0 },
    { name: 'rankBy', value: 'sharpe' },
    { name: 'universe', value: ['GLD'] },
    { name: 'maxGross', value: 3 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(xsmom.params, { [name]: value }, 'plugins.settings.xsmom.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.xsmom.params.${name}`]]);
  });

  it('rejects topK larger than half the universe when it is prepared', () => {
    let error: { code?: string; details?: { where?: string } } = {};
    try {
      runStrategy(xsmom, { params: { topK: 3 }, data: market(10, [0, 0, 0, 0]) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.details?.where).toBe('plugins.settings.xsmom.params.topK');
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(xsmom, { data: regimes([{ days: 300, drifts: [0.002, 0.001, -0.001, -0.002] }, { days: 200, drifts: [-0.003, 0, 0.001, 0.003] }]) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(300);
  });
});
