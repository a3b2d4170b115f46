import { describe, expect, it } from 'vitest';
import { barsFromCloses, checkStrategyContract, pricePath, resolveParams, runStrategy, signalAt, validateManifest, type SeriesData } from '../../core/index.js';
import carver from './index.js';

const UNIVERSE = ['GLD', 'SLV', 'PPLT', 'GDX'];
const GLD_ONLY = { universe: ['GLD'] };

/** Segments of drift joined into one path per symbol, each symbol with its own volatility. */
function regimes(segments: readonly { days: number; drift: number; volatility?: number }[], symbols = UNIVERSE): SeriesData[] {
  return symbols.map((symbol, k) => {
    const closes: number[] = [];
    segments.forEach((segment, s) => {
      closes.push(...pricePath(segment.days, { start: closes.at(-1) ?? 100, drift: segment.drift, volatility: segment.volatility ?? 0.008 + 0.004 * k, seed: 30 * s + k + 1 }));
    });
    return barsFromCloses(symbol, closes);
  });
}

/** The forecasts printed in a reason: combined first, then one per rule. */
function forecastsOf(reason: string): { combined: number; rules: number[] } {
  const combined = Number(/ f ([+-]\d+\.\d)/.exec(reason)?.[1]);
  const rules = [...reason.matchAll(/\d+\/\d+ ([+-]\d+\.\d)/g)].map((m) => Number(m[1]));
  return { combined, rules };
}

/** Independent EWMA (span 35) of squared daily price changes, as a daily volatility in price units. */
function priceVolatility(closes: readonly number[], span = 35): number {
  const decay = 1 - 2 / (span + 1);
  let numerator = 0;
  let denominator = 0;
  for (let i = 1; i < closes.length; i++) {
    numerator = (closes[i]! - closes[i - 1]!) ** 2 + decay * numerator;
    denominator = 1 + decay * denominator;
  }
  return Math.sqrt(numerator / denominator);
}

describe('pysystemtrade-patterns behaviour', () => {
  it('is long after an uptrend and short after a downtrend, every rule agreeing', () => {
    const run = runStrategy(carver, { data: regimes([{ days: 500, drift: 0.0015 }, { days: 300, drift: -0.002 }]) });
    for (const symbol of UNIVERSE) {
      expect(signalAt(run, symbol, 499)).toBeGreaterThan(0);
      expect(signalAt(run, symbol, -1)).toBeLessThan(0);
    }
    const reason = run.signals.at(-1)![0]!.reason;
    expect(reason).toMatch(/^ewmac GLD f -\d+\.\d \(8\/32 -\d+\.\d, 16\/64 -\d+\.\d, 32\/128 -\d+\.\d, 64\/256 -\d+\.\d\) x FDM 1\.1, vol \d+\.\d% -> -0\.\d\d/);
  });

  it('combines capped forecasts with the weights and the FDM, and caps the combination at 20', () => {
    const run = runStrategy(carver, { data: regimes([{ days: 600, drift: 0.0012 }]) });
    for (const signals of run.signals.slice(300)) {
      for (const signal of signals) {
        const { combined, rules } = forecastsOf(signal.reason);
        expect(rules).toHaveLength(4);
        for (const f of rules) expect(Math.abs(f)).toBeLessThanOrEqual(20);
        const expected = Math.max(-20, Math.min(20, 1.1 * (rules.reduce((a, b) => a + b, 0) / 4)));
        // The printed parts are rounded to 0.1: the combination agrees to within that rounding.
        expect(Math.abs(combined - expected)).toBeLessThanOrEqual(0.1 * 1.1 + 0.051);
      }
    }
    // A steep, almost noiseless trend saturates every rule: the combined forecast sits at the cap.
    const steep = runStrategy(carver, { params: GLD_ONLY, data: regimes([{ days: 400, drift: 0.004, volatility: 0.002 }], ['GLD']) });
    expect(forecastsOf(steep.signals.at(-1)![0]!.reason)).toEqual({ combined: 20, rules: [20, 20, 20, 20] });
    expect(steep.signals.at(-1)![0]!.confidence).toBe(1);
  });

  it('sizes the position to forecast / 10 x (volTarget / n) / annualised percentage volatility', () => {
    const [gld] = regimes([{ days: 400, drift: 0.001, volatility: 0.012 }], ['GLD']);
    const closes = [...gld!.columns.close!];
    const params = { ...GLD_ONLY, bufferSize: 0, volFloor: false, volTarget: 0.05 };
    const run = runStrategy(carver, { params, data: [gld!] });
    const { combined } = forecastsOf(run.signals.at(-1)![0]!.reason);
    const vol = (priceVolatility(closes) / closes.at(-1)!) * 16;
    expect(Math.abs(combined)).toBeGreaterThan(2);
    // The printed forecast is rounded to 0.1: compare to that precision.
    expect(Math.abs(signalAt(run, 'GLD', -1) - (combined / 10) * (0.05 / vol))).toBeLessThan(0.006 * (0.05 / vol));
    // Twice the target (and the same forecast): twice the position; the IDM multiplies it too.
    const doubled = runStrategy(carver, { params: { ...params, volTarget: 0.1 }, data: [gld!] });
    const idm = runStrategy(carver, { params: { ...params, instrumentDiversificationMultiplier: 2 }, data: [gld!] });
    expect(signalAt(doubled, 'GLD', -1)).toBeCloseTo(2 * signalAt(run, 'GLD', -1), 12);
    expect(signalAt(idm, 'GLD', -1)).toBeCloseTo(2 * signalAt(run, 'GLD', -1), 12);
  });

  it('uses only the rules with a weight: the slow rule alone', () => {
    const params = { ...GLD_ONLY, weightEwmac8x32: 0, weightEwmac16x64: 0, weightEwmac32x128: 0, weightEwmac64x256: 1 };
    const run = runStrategy(carver, { params, data: regimes([{ days: 500, drift: 0.001 }], ['GLD']) });
    const { combined, rules } = forecastsOf(run.signals.at(-1)![0]!.reason);
    expect(run.signals.at(-1)![0]!.reason).toMatch(/\(64\/256 [+-]\d+\.\d\)/);
    expect(rules).toHaveLength(1);
    expect(combined).toBeCloseTo(Math.min(20, 1.1 * rules[0]!), 0);
  });

  it('trades less with the buffer, and a held weight stays within the buffer of its target', () => {
    const data = regimes([{ days: 700, drift: 0.001 }]);
    const trading = (bufferSize: number): { changes: number; turnover: number } => {
      const run = runStrategy(carver, { params: { bufferSize }, data });
      const moves = run.signals.slice(1).flatMap((signals, i) => signals.map((s) => Math.abs(s.weight - signalAt(run, s.symbol, i))));
      return { changes: moves.filter((m) => m > 0).length, turnover: moves.reduce((a, b) => a + b, 0) };
    };
    const [none, standard, wide] = [trading(0), trading(0.1), trading(0.3)];
    expect(standard.turnover).toBeLessThan(0.75 * none.turnover);
    expect(wide.changes).toBeLessThan(none.changes / 2);
    const run = runStrategy(carver, { data });
    for (const signal of run.signals.at(-1)!) {
      const target = Number(/-> ([+-]\d\.\d\d)/.exec(signal.reason)?.[1]);
      const average = Math.abs(target / (forecastsOf(signal.reason).combined / 10));
      expect(Math.abs(signal.weight - target)).toBeLessThanOrEqual(0.1 * average + 0.006);
    }
  });

  it('floors the volatility after a calm spell that follows a volatile one', () => {
    // 20 calm days after 700 volatile ones: the EWMA has fallen below the 5% quantile of its last 500 values.
    const data = regimes([{ days: 700, drift: 0, volatility: 0.02 }, { days: 20, drift: 0.001, volatility: 0.001 }], ['GLD']);
    const params = { ...GLD_ONLY, bufferSize: 0, volTarget: 0.05 };
    const floored = runStrategy(carver, { params, data });
    const unfloored = runStrategy(carver, { params: { ...params, volFloor: false }, data });
    const volOf = (run: typeof floored): number => Number(/vol (\d+\.\d)%/.exec(run.signals.at(-1)![0]!.reason)?.[1]);
    expect(volOf(floored)).toBeGreaterThan(1.3 * volOf(unfloored));
    expect(Math.abs(signalAt(floored, 'GLD', -1))).toBeLessThan(Math.abs(signalAt(unfloored, 'GLD', -1)));
  });

  it('returns zero weights, never NaN, until it has the slowest span of history', () => {
    const run = runStrategy(carver, { data: regimes([{ days: 200, drift: 0.002 }]) });
    for (const signals of run.signals) expect(signals.map((s) => s.weight)).toEqual([0, 0, 0, 0]);
    expect(run.signals.at(-1)![0]!.reason).toBe('ewmac waiting for history: 200 of 257 bars');
  });
});

describe('pysystemtrade-patterns params and contract', () => {
  it('has a valid manifest', () => {
    expect(validateManifest(carver, 'plugins/pysystemtrade-patterns/index.ts')).toEqual([]);
  });

  it.each([
    { name: 'forecastCap', value: 100 },
    { name: 'forecastDiversificationMultiplier', value: 0.5 },
    { name: 'weightEwmac8x32', value: -0.1 },
    { name: 'volSpan', value: 3.5 },
    { name: 'bufferSize', value: 1 },
  ])('rejects $name = $value', ({ name, value }) => {
    const { problems } = resolveParams(carver.params, { [name]: value }, 'plugins.settings.pysystemtrade-patterns.params');
    expect(problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_PARAM_INVALID', `plugins.settings.pysystemtrade-patterns.params.${name}`]]);
  });

  it('rejects forecast weights that are all 0 when it is prepared', () => {
    let error: { code?: string } = {};
    try {
      runStrategy(carver, { params: { weightEwmac8x32: 0, weightEwmac16x64: 0, weightEwmac32x128: 0, weightEwmac64x256: 0 }, data: regimes([{ days: 10, drift: 0 }]) });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
  });

  it('passes the plugin contract check', () => {
    const report = checkStrategyContract(carver, { data: regimes([{ days: 400, drift: 0.0015 }, { days: 250, drift: -0.002 }]) });
    expect(report.checks).toHaveLength(5);
    expect(report.nonZeroSignals).toBeGreaterThan(1000);
  });
});
