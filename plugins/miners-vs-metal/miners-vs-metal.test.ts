import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import minersVsMetal from './index.js';

const CALM = null;
type Day = number | typeof CALM;
const BETA = 2;

/**
 * GLD as a random walk; log GDX = 2 log GLD + spread. The spread oscillates slowly on calm days (|z| stays below
 * about 1.6) with a small day-to-day alternation that gives the residual a volatility, and sits at the given offset
 * on the others.
 */
function market(days: readonly Day[], seed = 5): SeriesData[] {
  const gold = pricePath(days.length, { volatility: 0.015, seed });
  const spread = days.map((level, i) => (level ?? 0.02 * Math.sin((2 * Math.PI * i) / 30)) + 0.004 * (i % 2 === 0 ? 1 : -1));
  return [barsFromCloses('GLD', gold), barsFromCloses('GDX', gold.map((g, i) => 0.05 * g ** BETA * Math.exp(spread[i]!)))];
}

const repeat = (level: Day, days: number): Day[] => Array<Day>(days).fill(level);
const zOf = (reason: string): number => Number(/gdx\/gld z ([+-]\d+\.\d+)/.exec(reason)?.[1]);

/** OLS beta and annualised residual volatility of the last `days` log returns, computed independently of the plugin. */
function ols(data: SeriesData[], end: number, days: number): { beta: number; vol: number } {
  const logs = (k: number): number[] => Array.from(data[k]!.columns.close!.subarray(end - days, end + 1), Math.log);
  const returns = (values: number[]): number[] => values.slice(1).map((v, i) => v - values[i]!);
  const x = returns(logs(0));
  const y = returns(logs(1));
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  const beta = x.reduce((a, xi, i) => a + (xi - mx) * (y[i]! - my), 0) / x.reduce((a, xi) => a + (xi - mx) ** 2, 0);
  const residuals = x.map((xi, i) => y[i]! - my - beta * (xi - mx));
  return { beta, vol: Math.sqrt((residuals.reduce((a, r) => a + r * r, 0) / (days - 2)) * 252) };
}

const CALM_START = 150;
/** calm, miners rich (spread +0.05), calm, miners cheap (-0.05), calm. */
const EXTREMES: Day[] = [...repeat(CALM, CALM_START), ...repeat(0.05, 3), ...repeat(CALM, 60), ...repeat(-0.05, 3), ...repeat(CALM, 60)];

describe('miners-vs-metal behaviour', () => {
  const data = market(EXTREMES);
  const run = runStrategy(minersVsMetal, { data });
  const rich = CALM_START + 2;
  const cheap = CALM_START + 3 + 60 + 2;

  it('stays flat while the spread is calm', () => {
    expect(run.signals.slice(0, CALM_START).flat().every((s) => s.weight === 0)).toBe(true);
    expect(Math.max(...run.signals.slice(61, CALM_START).map((s) => Math.abs(zOf(s[0]!.reason))))).toBeLessThan(2);
  });

  it('with miners rich against the metal is short GDX and long beta x GLD, the beta from OLS on returns', () => {
    expect(zOf(run.signals[rich]![0]!.reason)).toBeGreaterThan(2);
    const gdx = signalAt(run, 'GDX', rich);
    const gld = signalAt(run, 'GLD', rich);
    const { beta } = ols(data, rich, 60);
    expect(beta).toBeGreaterThan(1.5);
    expect(gdx).toBeLessThan(0);
    expect(gld / -gdx).toBeCloseTo(beta, 10);
    expect(run.signals[rich]![0]!.reason).toContain(`beta ${beta.toFixed(2)}`);
    expect(run.signals[CALM_START]![0]!.reason).toMatch(/enter beyond 2: short GDX 0\.\d\d \/ long GLD 0\.\d\d/);
    expect(run.signals[rich]![1]!.reason).toMatch(/\): short GDX 0\.\d\d \/ long GLD 0\.\d\d, resid vol \d+%$/);
  });

  it('with miners cheap is long GDX and short GLD', () => {
    expect(zOf(run.signals[cheap]![0]!.reason)).toBeLessThan(-2);
    expect(signalAt(run, 'GDX', cheap)).toBeGreaterThan(0);
    expect(signalAt(run, 'GLD', cheap)).toBeLessThan(0);
  });

  it('sizes the hedged pair to targetVol / residual vol, within maxGross', () => {
    const { beta, vol } = ols(data, rich, 60);
    // At the default 10% target the gross cap binds: |GDX| + |GLD| = 1.
    expect(-signalAt(run, 'GDX', rich) + signalAt(run, 'GLD', rich)).toBeCloseTo(Math.min(1, (0.1 / vol) * (1 + beta)), 10);
    const small = runStrategy(minersVsMetal, { params: { targetVol: 0.02 }, data });
    expect(0.02 / vol).toBeLessThan(1 / (1 + beta));
    expect(signalAt(small, 'GDX', rich)).toBeCloseTo(-0.02 / vol, 10);
  });

  it('is flat again once the spread is back near its mean', () => {
    expect(run.signals.slice(rich + 1, rich + 60).some((s) => s[0]!.reason.includes('exit inside 0.5'))).toBe(true);
    expect(signalAt(run, 'GDX', rich + 55)).toBe(0);
    expect(signalAt(run, 'GDX', -1)).toBe(0);
    expect(run.finalState).toEqual({ side: 0, blockedSide: 0 });
  });

  it('stops out when the spread runs on beyond stopZ and does not re-enter that side', () => {
    const days = [...repeat(CALM, CALM_START), ...repeat(0.05, 3), ...repeat(0.3, 3)];
    const stopped = runStrategy(minersVsMetal, { data: market(days) });
    expect(signalAt(stopped, 'GDX', CALM_START + 1)).toBeLessThan(0);
    const stopIndex = stopped.signals.findIndex((s) => s[0]!.reason.includes('stopped beyond 4'));
    expect(stopIndex).toBe(CALM_START + 3);
    for (let i = stopIndex; i < days.length; i++) expect(signalAt(stopped, 'GDX', i)).toBe(0);
    expect(stopped.finalState.blockedSide).toBe(-1);
  });

  it('returns zero weights, never NaN, until it has the aligned history', () => {
    const short = runStrategy(minersVsMetal, { data: market(repeat(CALM, 40)) });
    for (const signals of short.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0]);
    expect(short.signals.at(-1)![0]!.reason).toBe('gdx/gld waiting for history: 40 of 61 aligned days');
  });
});

describe('miners-vs-metal params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(minersVsMetal, 'plugins/miners-vs-metal/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'betaDays', value: 10 },
    { name: 'windowDays', value: 600 },
    { name: 'entryZ', value: 6 },
    { name: 'minersSymbol', value: '' },
    { name: 'maxGross', value: 2 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(minersVsMetal.params, { [name]: value }, 'plugins.settings.miners-vs-metal.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.miners-vs-metal.params.${name}`]]);
  });

  it('rejects inconsistent thresholds and legs when it is prepared', () => {
    let error: { code?: string; problems?: readonly { details: { where?: string } }[] } = {};
    try {
      runStrategy(minersVsMetal, { params: { stopZ: 1.5, metalSymbol: 'GDX' }, data: market(repeat(CALM, 10)) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual(['plugins.settings.miners-vs-metal.params.metalSymbol', 'plugins.settings.miners-vs-metal.params.stopZ']);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(minersVsMetal, { data: market(EXTREMES) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(6);
  });
});
