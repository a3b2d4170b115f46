import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import goldSilverRatio from './index.js';

const CALM = null;
type Day = number | typeof CALM;

/**
 * GLD as a random walk, SLV = GLD / ratio. The log ratio oscillates around its mean on calm days (|z| stays
 * below 1.8) and sits at the given offset on the others; a day-to-day alternation makes silver the riskier leg.
 */
function market(days: readonly Day[]): SeriesData[] {
  const gold = pricePath(days.length, { volatility: 0.01, seed: 2 });
  const logRatio = days.map((level, i) => (level ?? 0.02 * Math.sin((2 * Math.PI * i) / 60)) + 0.008 * (i % 2 === 0 ? 1 : -1));
  return [barsFromCloses('GLD', gold), barsFromCloses('SLV', gold.map((g, i) => (g * 20) / Math.exp(4.3 + logRatio[i]!)))];
}

const repeat = (level: Day, days: number): Day[] => Array<Day>(days).fill(level);
const zOf = (reason: string): number => Number(/gsr z ([+-]\d+\.\d+)/.exec(reason)?.[1]);

const CALM_START = 560;
/** calm, +3 sigma, back to calm, -3 sigma, calm. */
const EXTREMES: Day[] = [...repeat(CALM, CALM_START), ...repeat(0.05, 5), ...repeat(CALM, 40), ...repeat(-0.05, 5), ...repeat(CALM, 40)];

describe('gold-silver-ratio behaviour', () => {
  const run = runStrategy(goldSilverRatio, { data: market(EXTREMES) });
  const high = CALM_START + 4;
  const low = CALM_START + 5 + 40 + 4;

  it('stays flat while the ratio is calm', () => {
    expect(run.signals.slice(0, CALM_START).flat().every((s) => s.weight === 0)).toBe(true);
  });

  it('at a +3 sigma ratio is long SLV and short GLD, volatility-neutral, gross 1', () => {
    expect(zOf(run.signals[high]![0]!.reason)).toBeGreaterThan(2.5);
    const gld = signalAt(run, 'GLD', high);
    const slv = signalAt(run, 'SLV', high);
    expect(slv).toBeGreaterThan(0);
    expect(gld).toBeLessThan(0);
    // Silver is the riskier leg, so it gets the smaller weight.
    expect(slv).toBeLessThan(-gld);
    expect(slv - gld).toBeCloseTo(1, 12);
    expect(run.signals[high]![0]!.confidence).toBeGreaterThan(0.95);
    expect(run.signals[high]![1]!.reason).toMatch(/long SLV 0\.\d\d \/ short GLD 0\.\d\d/);
  });

  it('at a -3 sigma ratio is long GLD and short SLV', () => {
    expect(zOf(run.signals[low]![0]!.reason)).toBeLessThan(-2.5);
    expect(signalAt(run, 'GLD', low)).toBeGreaterThan(0);
    expect(signalAt(run, 'SLV', low)).toBeLessThan(0);
  });

  it('is flat again once the ratio is back near its mean', () => {
    for (const index of [high + 40, run.times.length - 1]) {
      expect(signalAt(run, 'GLD', index)).toBe(0);
      expect(signalAt(run, 'SLV', index)).toBe(0);
    }
    expect(run.signals.slice(high + 1, high + 40).some((s) => s[0]!.reason.includes('exit inside 0.5'))).toBe(true);
    expect(run.finalState).toEqual({ side: 0, blockedSide: 0 });
  });

  it('holds a trade while z is between exitZ and entryZ (hysteresis)', () => {
    const days = [...repeat(CALM, CALM_START), ...repeat(0.05, 3), ...repeat(0.025, 5)];
    const held = runStrategy(goldSilverRatio, { data: market(days) });
    const last = held.signals.at(-1)!;
    expect(Math.abs(zOf(last[0]!.reason))).toBeLessThan(2);
    expect(signalAt(held, 'SLV', -1)).toBeGreaterThan(0);
    expect(held.finalState).toEqual({ side: -1, blockedSide: 0 });
  });

  it('stops out beyond stopZ and does not re-enter that side while z stays beyond entryZ', () => {
    const days = [...repeat(CALM, CALM_START), ...repeat(0.05, 3), ...repeat(0.09, 2), ...repeat(0.05, 5)];
    const stopped = runStrategy(goldSilverRatio, { data: market(days) });
    expect(signalAt(stopped, 'SLV', CALM_START + 2)).toBeGreaterThan(0);
    expect(stopped.signals[CALM_START + 3]![0]!.reason).toContain('stopped beyond 4');
    for (let i = CALM_START + 3; i < days.length; i++) expect(signalAt(stopped, 'SLV', i)).toBe(0);
    expect(zOf(stopped.signals.at(-1)![0]!.reason)).toBeGreaterThan(2);
    expect(stopped.finalState).toEqual({ side: 0, blockedSide: -1 });
    const unstopped = runStrategy(goldSilverRatio, { params: { stopLoss: false }, data: market(days) });
    expect(signalAt(unstopped, 'SLV', -1)).toBeGreaterThan(0);
  });

  it('returns zero weights, never NaN, until it has windowDays aligned days', () => {
    const short = runStrategy(goldSilverRatio, { data: market(repeat(CALM, 300)) });
    for (const signals of short.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0]);
    expect(short.signals.at(-1)![0]!.reason).toBe('gsr waiting for history: 300 of 504 aligned days');
  });

  it('aligns the legs by date when one of them misses days', () => {
    const data = market(EXTREMES);
    const silver = data[1]!;
    // Silver without every 50th day: the z-score uses only days both legs have.
    const keep = [...silver.time.keys()].filter((i) => i % 50 !== 7);
    const pick = (column: Float64Array): Float64Array => Float64Array.from(keep, (i) => column[i]!);
    const gappy: SeriesData = { spec: silver.spec, time: pick(silver.time), available: pick(silver.available), columns: Object.fromEntries(Object.entries(silver.columns).map(([f, c]) => [f, pick(c)])) };
    const withGaps = runStrategy(goldSilverRatio, { data: [data[0]!, gappy] });
    expect(signalAt(withGaps, 'SLV', high)).toBeGreaterThan(0);
    expect(signalAt(withGaps, 'GLD', low)).toBeGreaterThan(0);
  });
});

describe('gold-silver-ratio params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(goldSilverRatio, 'plugins/gold-silver-ratio/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'windowDays', value: 100 },
    { name: 'windowDays', value: 1000 },
    { name: 'entryZ', value: 0 },
    { name: 'goldSymbol', value: 'GLD USD' },
    { name: 'grossExposure', value: 1.5 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(goldSilverRatio.params, { [name]: value }, 'plugins.settings.gold-silver-ratio.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.gold-silver-ratio.params.${name}`]]);
  });

  it('rejects inconsistent thresholds and legs when it is prepared', () => {
    let error: { code?: string; message?: string } = {};
    try {
      runStrategy(goldSilverRatio, { params: { exitZ: 2.5, silverSymbol: 'GLD' }, data: market(repeat(CALM, 10)) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    // A rule across params is a configuration error, reported as such (not as a plugin fault).
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(goldSilverRatio, { data: market(EXTREMES) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(10);
  });
});
