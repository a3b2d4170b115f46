import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, formatDate, pricePath, resolveParams, runStrategy, signalAt, validateManifest } from '../core/index.js';
import plugin from './index.js';

/** An uptrend of `up` days, then a downtrend of `down` days, as one seeded path. */
function upThenDown(up: number, down: number): number[] {
  const rising = pricePath(up, { drift: 0.002, volatility: 0.01, seed: 21 });
  return [...rising, ...pricePath(down, { start: rising.at(-1), drift: -0.003, volatility: 0.01, seed: 22 })];
}

describe('template-strategy behaviour', () => {
  const closes = upThenDown(400, 250);
  const data = [barsFromCloses('GLD', closes)];
  const run = runStrategy(plugin, { data });

  it('is long in an uptrend, sized to volTarget / annualised volatility', () => {
    const returns = closes.slice(339, 400).map((c, i, all) => (i === 0 ? 0 : Math.log(c / all[i - 1]!))).slice(1);
    const mean = returns.reduce((a, b) => a + b, 0) / 60;
    const vol = Math.sqrt((returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 59) * 252);
    expect(signalAt(run, 'GLD', 399)).toBeCloseTo(Math.min(1, 0.1 / vol), 12);
    expect(run.signals[399]![0]!.reason).toMatch(/^ma cross GLD 50d \d+\.\d\d above 200d \d+\.\d\d since \d{4}-\d\d-\d\d, vol \d+\.\d% -> 0\.\d\d$/);
  });

  it('is flat after a downtrend, and short when allowShort is set', () => {
    expect(signalAt(run, 'GLD', -1)).toBe(0);
    expect(run.finalState.regime).toBe(-1);
    const crossing = run.signals.findLastIndex((s) => s[0]!.reason.includes(' above ')) + 1;
    expect(run.finalState.since).toBe(data[0]!.time[crossing]);
    expect(run.signals.at(-1)![0]!.reason).toContain(`below 200d`);
    expect(run.signals.at(-1)![0]!.reason).toContain(`since ${formatDate(data[0]!.time[crossing]!)}`);
    const short = runStrategy(plugin, { params: { allowShort: true }, data });
    expect(signalAt(short, 'GLD', -1)).toBeLessThan(0);
  });

  it('returns a zero weight until it has slowDays of history', () => {
    expect(run.signals.slice(0, 199).every((s) => s[0]!.weight === 0 && s[0]!.reason.startsWith('ma cross waiting for history'))).toBe(true);
    expect(signalAt(run, 'GLD', 199)).toBeGreaterThan(0);
  });
});

describe('template-strategy params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(plugin, 'plugins/template-strategy/index.ts')).toEqual([]);
  });

  it('rejects an out-of-bounds param', () => {
    const { problems } = resolveParams(plugin.params, { fastDays: 1 }, 'plugins.settings.template-strategy.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', 'plugins.settings.template-strategy.params.fastDays']]);
  });

  it('rejects fastDays >= slowDays when it is prepared', () => {
    let error: { code?: string; details?: { where?: string } } = {};
    try {
      runStrategy(plugin, { params: { fastDays: 60, slowDays: 50 }, data: [barsFromCloses('GLD', [1, 2, 3])] });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    // A rule across params is a configuration error, reported as such (not as a plugin fault).
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.details?.where).toContain('fastDays');
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(plugin, { data: [barsFromCloses('GLD', upThenDown(400, 250))] });
    expect(report.checks).toEqual(['inputs-not-mutated', 'deterministic', 'trades', 'no-look-ahead', 'state-json-round-trip']);
  });
});
