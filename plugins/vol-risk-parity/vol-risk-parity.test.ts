import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, formatDate, resolveParams, runStrategy, seededNormals, validateManifest, type SeriesData, type StrategyRun } from '../../core/index.js';
import volRiskParity, { type RiskParityState } from './index.js';

const SYMBOLS = ['GLD', 'SLV', 'PPLT', 'GDX'] as const;
const VOLS = [0.15, 0.28, 0.22, 0.35];

/**
 * Four instruments with the given annual volatilities and a pairwise correlation `correlation` (one common factor).
 * From day `shockFrom`, the volatility of GDX is multiplied by `shock`. PPLT starts `ppltLate` days after the others.
 */
function market(days: number, options: { correlation?: number; shockFrom?: number; shock?: number; ppltLate?: number; seed?: number } = {}): SeriesData[] {
  const correlation = options.correlation ?? 0.6;
  const seed = options.seed ?? 31;
  const factor = seededNormals(seed, days);
  return SYMBOLS.map((symbol, k) => {
    const own = seededNormals(seed + 1 + k, days);
    const closes: number[] = [];
    let price = 100;
    for (let i = 0; i < days; i++) {
      const multiplier = symbol === 'GDX' && options.shockFrom !== undefined && i >= options.shockFrom ? (options.shock ?? 1) : 1;
      const sigma = ((VOLS[k] as number) / Math.sqrt(252)) * multiplier;
      price *= Math.exp(sigma * (Math.sqrt(correlation) * factor[i]! + Math.sqrt(1 - correlation) * own[i]!));
      closes.push(price);
    }
    const late = symbol === 'PPLT' ? (options.ppltLate ?? 0) : 0;
    const bars = barsFromCloses(symbol, closes);
    if (late === 0) return bars;
    const cut = (c: Float64Array): Float64Array => c.slice(late);
    return { spec: bars.spec, time: cut(bars.time), available: cut(bars.available), columns: Object.fromEntries(Object.entries(bars.columns).map(([f, c]) => [f, cut(c)])) };
  });
}

/** Annualised sample covariance of the last 60 daily log returns ending at bar `end`, computed independently. */
function covariance(data: SeriesData[], end: number): number[][] {
  const returns = data.map((d) => Array.from({ length: 60 }, (_, k) => Math.log(d.columns.close![end - 59 + k]! / d.columns.close![end - 60 + k]!)));
  const means = returns.map((r) => r.reduce((a, b) => a + b, 0) / 60);
  return returns.map((ri, i) => returns.map((rj, j) => (ri.reduce((a, x, k) => a + (x - means[i]!) * (rj[k]! - means[j]!), 0) / 59) * 252));
}

const weightsAt = (run: StrategyRun<RiskParityState>, i: number): number[] => SYMBOLS.map((s) => run.signals[i]!.find((x) => x.symbol === s)!.weight);
const monthOf = (run: StrategyRun<RiskParityState>, i: number): string => formatDate(run.times[i]!).slice(0, 7);

describe('vol-risk-parity behaviour', () => {
  const data = market(200);
  const daily = runStrategy(volRiskParity, { params: { rebalance: 'daily' }, data });
  const end = 150;

  it('weights each instrument by 1 / its volatility, long only', () => {
    const cov = covariance(data, end);
    const inverse = cov.map((row, i) => 1 / Math.sqrt(row[i]!));
    const w = weightsAt(daily, end);
    for (let i = 1; i < 4; i++) expect(w[i]! / w[0]!).toBeCloseTo(inverse[i]! / inverse[0]!, 10);
    // The most volatile (GDX) gets the least, the least volatile (GLD) the most.
    expect(w[3]).toBeLessThan(w[1]!);
    expect(w[0]).toBeGreaterThan(w[2]!);
    expect(daily.signals.flat().every((s) => s.weight >= 0)).toBe(true);
  });

  it('scales the book to the volatility target with the full covariance matrix', () => {
    const cov = covariance(data, end);
    const w = weightsAt(daily, end);
    const variance = w.reduce((a, wi, i) => a + w.reduce((b, wj, j) => b + wi * wj * cov[i]![j]!, 0), 0);
    expect(Math.sqrt(variance)).toBeCloseTo(0.1, 10);
    // The diagonal alone (no correlation) would understate the risk and lever up: the real book is smaller.
    const diagonalOnly = Math.sqrt(w.reduce((a, wi, i) => a + wi * wi * cov[i]![i]!, 0));
    expect(diagonalOnly).toBeLessThan(0.1);
    expect(daily.signals[end]![0]!.reason).toMatch(/^rp GLD vol \d+\.\d%, book vol \d+\.\d% x\d\.\d\d to 10\.0% -> 0\.\d\d, rebalanced \(daily\)$/);
  });

  it('holds a smaller book when the instruments are more correlated', () => {
    const gross = (correlation: number): number => weightsAt(runStrategy(volRiskParity, { params: { rebalance: 'daily' }, data: market(200, { correlation }) }), end).reduce((a, b) => a + b, 0);
    expect(gross(0.9)).toBeLessThan(gross(0.3));
  });

  it('caps the book at maxGross', () => {
    const levered = runStrategy(volRiskParity, { params: { rebalance: 'daily', targetVol: 1 }, data });
    expect(weightsAt(levered, end).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('rebalances monthly: weights change only on the first evaluation of a month', () => {
    const monthly = runStrategy(volRiskParity, { data });
    for (let i = 61; i < 200; i++) {
      const same = weightsAt(monthly, i).every((w, k) => w === weightsAt(monthly, i - 1)[k]);
      expect(same).toBe(monthOf(monthly, i) === monthOf(monthly, i - 1));
    }
    const firstOfMonth = monthly.times.findIndex((_, i) => i > 61 && monthOf(monthly, i) !== monthOf(monthly, i - 1));
    expect(monthly.signals[firstOfMonth]![0]!.reason).toContain('rebalanced (monthly)');
    expect(monthly.signals[firstOfMonth + 1]![0]!.reason).toMatch(/held since \d{4}-\d\d-\d\d, target 0\.\d\d$/);
  });

  it('on a band rebalances when a volatility shock moves a target outside the band', () => {
    const shocked = market(200, { shockFrom: 120, shock: 3 });
    const banded = runStrategy(volRiskParity, { params: { rebalance: 'band' }, data: shocked });
    const changes = banded.states.map((s) => s.rebalancedAt).filter((t, i, all) => i > 0 && t !== all[i - 1]).length;
    expect(changes).toBeLessThan(30);
    const after = weightsAt(banded, 140);
    const before = weightsAt(banded, 119);
    expect(after[3]).toBeLessThan(before[3]! * 0.8);
  });

  it('allocates among the instruments that have history and adds a late listing at once', () => {
    const late = runStrategy(volRiskParity, { data: market(200, { ppltLate: 90 }) });
    expect(weightsAt(late, 100)[2]).toBe(0);
    expect(weightsAt(late, 100)[0]).toBeGreaterThan(0);
    expect(late.signals[100]!.find((s) => s.symbol === 'PPLT')!.reason).toBe('rp PPLT waiting for history: 11 of 61 bars -> 0.00');
    // PPLT has 61 bars at index 150: added on that evaluation, not at the next month.
    expect(weightsAt(late, 149)[2]).toBe(0);
    expect(weightsAt(late, 150)[2]).toBeGreaterThan(0);
    expect(monthOf(late, 150)).toBe(monthOf(late, 149));
  });

  it('returns zero weights, never NaN, until it has the history', () => {
    const short = runStrategy(volRiskParity, { data: market(40) });
    for (const signals of short.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0, 0, 0]);
    expect(short.signals.at(-1)![0]!.reason).toBe('rp GLD waiting for history: 40 of 61 bars -> 0.00');
  });
});

describe('vol-risk-parity params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(volRiskParity, 'plugins/vol-risk-parity/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'volDays', value: 5 },
    { name: 'targetVol', value: 0 },
    { name: 'rebalance', value: 'weekly' },
    { name: 'universe', value: [] },
    { name: 'maxGross', value: 3 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(volRiskParity.params, { [name]: value }, 'plugins.settings.vol-risk-parity.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.vol-risk-parity.params.${name}`]]);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(volRiskParity, { data: market(200, { ppltLate: 30 }) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(100);
  });
});
