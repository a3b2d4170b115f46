import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, MS_PER_HOUR, pricePath, resolveParams, runStrategy, seriesFromValues, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import fixDislocation from './index.js';

/** The London AM fix is published at 10:30 (UTC in the data), the same day. */
const AT_FIX = { rule: 'lag', lagMs: 10.5 * MS_PER_HOUR } as const;

/**
 * GC a random walk around 1500, GLD = GC / 10 on the same days, and the fix of each day = GC close x exp(basis):
 * a calm basis of +0.3% (futures carry) with a small deterministic wobble, plus `extra` on chosen days.
 */
function market(days: number, extra: Readonly<Record<number, number>> = {}, options: { fixDays?: number } = {}): SeriesData[] {
  const gc = pricePath(days, { start: 1500, volatility: 0.01, seed: 9 });
  const basis = gc.map((_, i) => -0.003 + 0.002 * Math.sin((2 * Math.PI * i) / 17) + 0.001 * (i % 2 === 0 ? 1 : -1) + (extra[i] ?? 0));
  const fix = gc.slice(0, options.fixDays ?? days).map((close, i) => close * Math.exp(basis[i]!));
  return [barsFromCloses('GC', gc), barsFromCloses('GLD', gc.map((c) => c / 10)), seriesFromValues('macro:LBMA-GOLD-AM', fix, { availability: AT_FIX })];
}

const zOf = (reason: string): number => Number(/basis z ([+-]\d+\.\d+)/.exec(reason)?.[1]);
const reasonAt = (run: { signals: readonly (readonly { reason: string }[])[] }, i: number): string => run.signals[i]![0]!.reason;
const SHOCK = 100;

/** Annualised std of the last 20 daily log returns of GLD at `end`, computed independently. */
function gldVol(data: SeriesData[], end: number): number {
  const close = data[1]!.columns.close!;
  const r = Array.from({ length: 20 }, (_, k) => Math.log(close[end - 19 + k]! / close[end - 20 + k]!));
  const m = r.reduce((a, b) => a + b, 0) / 20;
  return Math.sqrt((r.reduce((a, x) => a + (x - m) ** 2, 0) / 19) * 252);
}

describe('fix-dislocation behaviour', () => {
  it('is flat while the basis is calm', () => {
    const run = runStrategy(fixDislocation, { data: market(SHOCK) });
    expect(run.signals.flat().every((s) => s.weight === 0)).toBe(true);
    expect(Math.max(...run.signals.slice(60).map((s) => Math.abs(zOf(s[0]!.reason))))).toBeLessThan(2);
  });

  it('when the fix stands k sigma above the futures buys GLD, sized to the volatility target', () => {
    const data = market(SHOCK + 1, { [SHOCK]: 0.02 });
    const run = runStrategy(fixDislocation, { data });
    expect(zOf(reasonAt(run, SHOCK))).toBeGreaterThan(2);
    expect(signalAt(run, 'GLD', SHOCK - 1)).toBe(0);
    expect(signalAt(run, 'GLD', SHOCK)).toBeCloseTo(Math.min(1, 0.1 / gldVol(data, SHOCK)), 12);
    expect(reasonAt(run, SHOCK)).toMatch(/^fix basis z \+\d\.\d\d \(log fix\/GC close \+1\.\d\d% vs 60d mean -0\.\d\d%, fix 2020-05-20\): long GLD 0\.\d\d, enter beyond 2, vol \d+%$/);
    expect(run.signals[SHOCK]![0]!.confidence).toBeGreaterThan(0.95);
  });

  it('when the fix stands k sigma below the futures sells GLD', () => {
    const run = runStrategy(fixDislocation, { data: market(SHOCK + 1, { [SHOCK]: -0.02 }) });
    expect(zOf(reasonAt(run, SHOCK))).toBeLessThan(-2);
    expect(signalAt(run, 'GLD', SHOCK)).toBeLessThan(0);
  });

  it('leaves once the basis is back inside exitZ', () => {
    const run = runStrategy(fixDislocation, { data: market(SHOCK + 10, { [SHOCK]: 0.02 }) });
    const exit = run.signals.findIndex((s, i) => i > SHOCK && s[0]!.weight === 0);
    expect(exit).toBeGreaterThan(SHOCK);
    expect(exit).toBeLessThanOrEqual(SHOCK + 5);
    expect(reasonAt(run, exit)).toContain('exit inside 0.5');
    expect(zOf(reasonAt(run, exit))).toBeLessThan(0.5);
    expect(run.finalState).toEqual({ side: 0, entryTime: 0, blockedSide: 0 });
  });

  it('leaves a persistent shift after maxHoldDays and does not buy it back while it stays beyond k sigma', () => {
    const shift: Record<number, number> = {};
    for (let i = SHOCK; i < SHOCK + 8; i++) shift[i] = 0.02;
    const run = runStrategy(fixDislocation, { data: market(SHOCK + 8, shift) });
    for (let i = SHOCK; i < SHOCK + 5; i++) expect(signalAt(run, 'GLD', i)).toBeGreaterThan(0);
    expect(reasonAt(run, SHOCK + 5)).toContain('exit after 5 days');
    expect(zOf(reasonAt(run, SHOCK + 5))).toBeGreaterThan(2);
    for (let i = SHOCK + 5; i < SHOCK + 8; i++) expect(signalAt(run, 'GLD', i)).toBe(0);
    expect(run.states[SHOCK + 5]!.blockedSide).toBe(1);
  });

  it('goes flat with a reason, never NaN, when the fix series has ended (LBMA files stop in 2024)', () => {
    const run = runStrategy(fixDislocation, { data: market(SHOCK + 12, { [SHOCK]: 0.02 }, { fixDays: SHOCK + 1 }) });
    expect(signalAt(run, 'GLD', SHOCK)).toBeGreaterThan(0);
    // SHOCK is a Wednesday: on Friday the last fix is 2.9 days old, at Monday's close 5.9 days.
    expect(reasonAt(run, SHOCK + 2)).not.toContain('stale');
    expect(reasonAt(run, SHOCK + 3)).toBe('fix stale: last fix 2020-05-20 is 5.9 days old (max 5): flat');
    for (const signals of run.signals.slice(SHOCK + 3)) {
      expect(signals[0]!.weight).toBe(0);
      expect(Number.isNaN(signals[0]!.confidence)).toBe(false);
    }
    expect(run.finalState).toEqual({ side: 0, entryTime: 0, blockedSide: 0 });
  });

  it('matches each fix with the close of its day, the open of its day, or the previous close', () => {
    const [gc, gld, fix] = market(SHOCK + 1);
    // GC without day 99 (a New York holiday): the fix of day 99 has no same-day GC price.
    const keep = [...gc!.time.keys()].filter((i) => i !== 99);
    const pick = (column: Float64Array): Float64Array => Float64Array.from(keep, (i) => column[i]!);
    const gappy: SeriesData = { spec: gc!.spec, time: pick(gc!.time), available: pick(gc!.available), columns: Object.fromEntries(Object.entries(gc!.columns).map(([f, c]) => [f, pick(c)])) };
    const close = gc!.columns.close!;
    const fixValue = fix!.columns.value![SHOCK]!;
    const expected = { close: fixValue / close[SHOCK]!, open: fixValue / close[99]!, 'prior-close': fixValue / close[98]! };
    for (const [reference, ratio] of Object.entries(expected)) {
      const run = runStrategy(fixDislocation, { params: { reference }, data: [gappy, gld!, fix!] });
      const last = run.signals.at(-1)![0]!.reason;
      expect(last).toContain(`log fix/GC ${reference} ${Math.log(ratio) >= 0 ? '+' : ''}${(Math.log(ratio) * 100).toFixed(2)}%`);
    }
  });

  it('returns zero weights, never NaN, until it has windowDays matched days', () => {
    const run = runStrategy(fixDislocation, { data: market(40) });
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0]);
    expect(reasonAt(run, 39)).toBe('fix waiting for history: 40 of 60 matched days');
  });
});

describe('fix-dislocation params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(fixDislocation, 'plugins/fix-dislocation/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'reference', value: 'settlement' },
    { name: 'windowDays', value: 10 },
    { name: 'entryZ', value: 0.5 },
    { name: 'maxStaleDays', value: 0 },
    { name: 'tradeSymbol', value: 'GLD US' },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(fixDislocation.params, { [name]: value }, 'plugins.settings.fix-dislocation.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.fix-dislocation.params.${name}`]]);
  });

  it('rejects exitZ at or above entryZ when it is prepared', () => {
    expect(() => runStrategy(fixDislocation, { params: { exitZ: 2 }, data: market(10) })).toThrow(expect.objectContaining({ code: 'SH_ERR_PLUGIN_PARAM_INVALID', details: expect.objectContaining({ where: 'plugins.settings.fix-dislocation.params.exitZ' }) }));
  });

  it('trades only tradeSymbol and reads the fix with its history in rows of the fix', () => {
    const needs = fixDislocation.needs({ ...Object.fromEntries(Object.entries(fixDislocation.params).map(([k, v]) => [k, v.default])) } as never);
    expect(needs).toEqual({ bars: ['GC', 'GLD'], series: ['macro:LBMA-GOLD-AM'], history: 81, seriesHistory: 80, trades: ['GLD'] });
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(fixDislocation, { data: market(SHOCK + 30, { [SHOCK]: 0.02, [SHOCK + 15]: -0.02 }) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(1);
  });
});
