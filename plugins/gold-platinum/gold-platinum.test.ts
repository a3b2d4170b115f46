import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import goldPlatinum from './index.js';

const CALM = null;
type Day = number | typeof CALM;

/**
 * GLD as a random walk, PPLT = GLD / ratio. The log ratio oscillates around its mean on calm days (|z| stays
 * below 1.8) and sits at the given offset on the others; a day-to-day alternation makes platinum the riskier leg.
 */
function market(days: readonly Day[]): SeriesData[] {
  const gold = pricePath(days.length, { volatility: 0.01, seed: 3 });
  const logRatio = days.map((level, i) => (level ?? 0.02 * Math.sin((2 * Math.PI * i) / 60)) + 0.008 * (i % 2 === 0 ? 1 : -1));
  // Platinum around 0.8 of a gold ounce in GLD units (PPLT ~ 0.95 oz, GLD ~ 0.09 oz): only the ratio's moves matter.
  return [barsFromCloses('GLD', gold), barsFromCloses('PPLT', gold.map((g, i) => (g * 0.8) / Math.exp(logRatio[i]!)))];
}

const repeat = (level: Day, days: number): Day[] => Array<Day>(days).fill(level);
const zOf = (reason: string): number => Number(/au\/pt z ([+-]\d+\.\d+)/.exec(reason)?.[1]);

const CALM_START = 560;
/** calm, +3 sigma (gold rich, platinum cheap), back to calm, -3 sigma, calm. */
const EXTREMES: Day[] = [...repeat(CALM, CALM_START), ...repeat(0.05, 5), ...repeat(CALM, 40), ...repeat(-0.05, 5), ...repeat(CALM, 40)];

describe('gold-platinum behaviour', () => {
  const run = runStrategy(goldPlatinum, { data: market(EXTREMES) });
  const high = CALM_START + 4;
  const low = CALM_START + 5 + 40 + 4;

  it('stays flat while the ratio is calm', () => {
    expect(run.signals.slice(0, CALM_START).flat().every((s) => s.weight === 0)).toBe(true);
  });

  it('with platinum cheap (ratio +3 sigma) is long PPLT and short GLD, volatility-neutral, gross 1', () => {
    expect(zOf(run.signals[high]![0]!.reason)).toBeGreaterThan(2.5);
    const gld = signalAt(run, 'GLD', high);
    const pplt = signalAt(run, 'PPLT', high);
    expect(pplt).toBeGreaterThan(0);
    expect(gld).toBeLessThan(0);
    // Platinum is the riskier leg here, so it gets the smaller weight.
    expect(pplt).toBeLessThan(-gld);
    expect(pplt - gld).toBeCloseTo(1, 12);
    expect(run.signals[high]![0]!.confidence).toBeGreaterThan(0.95);
    expect(run.signals[high]![1]!.reason).toMatch(/long PPLT 0\.\d\d \/ short GLD 0\.\d\d/);
  });

  it('with platinum rich (ratio -3 sigma) is long GLD and short PPLT', () => {
    expect(zOf(run.signals[low]![0]!.reason)).toBeLessThan(-2.5);
    expect(signalAt(run, 'GLD', low)).toBeGreaterThan(0);
    expect(signalAt(run, 'PPLT', low)).toBeLessThan(0);
  });

  it('is flat again once the ratio is back near its mean', () => {
    for (const index of [high + 40, run.times.length - 1]) {
      expect(signalAt(run, 'GLD', index)).toBe(0);
      expect(signalAt(run, 'PPLT', index)).toBe(0);
    }
    expect(run.signals.slice(high + 1, high + 40).some((s) => s[0]!.reason.includes('exit inside 0.5'))).toBe(true);
    expect(run.finalState).toEqual({ side: 0, blockedSide: 0 });
  });

  it('holds a trade while z is between exitZ and entryZ (hysteresis)', () => {
    const days = [...repeat(CALM, CALM_START), ...repeat(0.05, 3), ...repeat(0.025, 5)];
    const held = runStrategy(goldPlatinum, { data: market(days) });
    expect(Math.abs(zOf(held.signals.at(-1)![0]!.reason))).toBeLessThan(2);
    expect(signalAt(held, 'PPLT', -1)).toBeGreaterThan(0);
    expect(held.finalState).toEqual({ side: -1, blockedSide: 0 });
  });

  it('stops out beyond stopZ and does not re-enter that side while z stays beyond entryZ', () => {
    const days = [...repeat(CALM, CALM_START), ...repeat(0.05, 3), ...repeat(0.09, 2), ...repeat(0.05, 5)];
    const stopped = runStrategy(goldPlatinum, { data: market(days) });
    expect(signalAt(stopped, 'PPLT', CALM_START + 2)).toBeGreaterThan(0);
    expect(stopped.signals[CALM_START + 3]![0]!.reason).toContain('stopped beyond 4');
    for (let i = CALM_START + 3; i < days.length; i++) expect(signalAt(stopped, 'PPLT', i)).toBe(0);
    expect(zOf(stopped.signals.at(-1)![0]!.reason)).toBeGreaterThan(2);
    expect(stopped.finalState).toEqual({ side: 0, blockedSide: -1 });
    const unstopped = runStrategy(goldPlatinum, { params: { stopLoss: false }, data: market(days) });
    expect(signalAt(unstopped, 'PPLT', -1)).toBeGreaterThan(0);
  });

  it('returns zero weights, never NaN, until it has windowDays aligned days', () => {
    const short = runStrategy(goldPlatinum, { data: market(repeat(CALM, 300)) });
    for (const signals of short.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0]);
    expect(short.signals.at(-1)![0]!.reason).toBe('au/pt waiting for history: 300 of 504 aligned days');
  });

  it('uses only days both legs have when platinum starts later (PPLT listed in 2010, GLD in 2004)', () => {
    const data = market(EXTREMES);
    const platinum = data[1]!;
    // Platinum without its first 50 days: the window needs 504 aligned days, so it waits longer, then trades.
    const pick = (column: Float64Array): Float64Array => column.slice(50);
    const late: SeriesData = { spec: platinum.spec, time: pick(platinum.time), available: pick(platinum.available), columns: Object.fromEntries(Object.entries(platinum.columns).map(([f, c]) => [f, pick(c)])) };
    const run2 = runStrategy(goldPlatinum, { data: [data[0]!, late] });
    expect(run2.signals[550]![0]!.reason).toBe('au/pt waiting for history: 501 of 504 aligned days');
    expect(signalAt(run2, 'PPLT', high)).toBeGreaterThan(0);
  });
});

describe('gold-platinum params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(goldPlatinum, 'plugins/gold-platinum/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'windowDays', value: 100 },
    { name: 'windowDays', value: 1000 },
    { name: 'entryZ', value: 0 },
    { name: 'platinumSymbol', value: 'PPLT US' },
    { name: 'grossExposure', value: 1.5 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(goldPlatinum.params, { [name]: value }, 'plugins.settings.gold-platinum.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.gold-platinum.params.${name}`]]);
  });

  it('rejects inconsistent thresholds and legs when it is prepared, naming each', () => {
    let error: { code?: string; problems?: readonly { details: { where?: string } }[] } = {};
    try {
      runStrategy(goldPlatinum, { params: { exitZ: 2.5, platinumSymbol: 'GLD' }, data: market(repeat(CALM, 10)) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.problems?.map((p) => p.details.where)).toEqual(['plugins.settings.gold-platinum.params.platinumSymbol', 'plugins.settings.gold-platinum.params.exitZ']);
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(goldPlatinum, { data: market(EXTREMES) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(10);
  });
});
