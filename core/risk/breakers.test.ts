import { describe, expect, it } from 'vitest';
import { isShError, type ShError } from '../errors.js';
import { DEFAULT_BREAKER_CONFIG, evaluateBreakers, resolveBreakerConfig, strongestTrip, type BreakerInput } from './breakers.js';

const CALM: BreakerInput = { time: Date.UTC(2024, 0, 10), equity: 100_000, dayStartEquity: 100_000, peakEquity: 100_000, faultedPlugins: 0, enabledPlugins: 4, staleSeries: [] };

describe('evaluateBreakers with the defaults', () => {
  it.each([
    { name: 'nothing wrong: no trip', input: {}, trips: [] },
    { name: 'daily loss just under 3%', input: { equity: 97_001 }, trips: [] },
    { name: 'daily loss 3% exactly: NO_NEW', input: { equity: 97_000 }, trips: [['daily-loss', 'NO_NEW']] },
    { name: 'drawdown just under 15%', input: { equity: 85_001, dayStartEquity: 85_001 }, trips: [] },
    { name: 'drawdown 15% exactly: NO_NEW', input: { equity: 85_000, dayStartEquity: 85_000 }, trips: [['drawdown', 'NO_NEW']] },
    { name: 'drawdown just under 25%: still NO_NEW', input: { equity: 75_001, dayStartEquity: 75_001 }, trips: [['drawdown', 'NO_NEW']] },
    { name: 'drawdown 25% exactly: FLATTEN_ALL', input: { equity: 75_000, dayStartEquity: 75_000 }, trips: [['drawdown', 'FLATTEN_ALL']] },
    { name: 'a bad day that is also a deep drawdown trips both', input: { equity: 74_000, dayStartEquity: 80_000 }, trips: [['daily-loss', 'NO_NEW'], ['drawdown', 'FLATTEN_ALL']] },
    { name: 'one faulted plugin of 4: under the minimum of 2', input: { faultedPlugins: 1 }, trips: [] },
    { name: '2 faulted of 4 (max(2, 1)): NO_NEW', input: { faultedPlugins: 2 }, trips: [['faulted-plugins', 'NO_NEW']] },
    { name: '2 faulted of 12 (needs max(2, 3) = 3)', input: { faultedPlugins: 2, enabledPlugins: 12 }, trips: [] },
    { name: '3 faulted of 12: NO_NEW', input: { faultedPlugins: 3, enabledPlugins: 12 }, trips: [['faulted-plugins', 'NO_NEW']] },
    { name: '2 faulted of 10 (needs 2.5): no trip', input: { faultedPlugins: 2, enabledPlugins: 10 }, trips: [] },
    { name: 'a stale series: WARN', input: { staleSeries: ['bar:GLD'] }, trips: [['stale-data', 'WARN']] },
    { name: 'no day start yet (NaN): nothing trips', input: { dayStartEquity: Number.NaN, peakEquity: Number.NEGATIVE_INFINITY, equity: 1 }, trips: [] },
  ])('$name', ({ input, trips }) => {
    expect(evaluateBreakers({ ...CALM, ...input }, DEFAULT_BREAKER_CONFIG).map((t) => [t.breaker, t.tier])).toEqual(trips);
  });

  it('reasons carry the numbers', () => {
    const [trip] = evaluateBreakers({ ...CALM, equity: 84_000, dayStartEquity: 85_000 });
    expect(trip).toEqual({ breaker: 'drawdown', tier: 'NO_NEW', reason: 'drawdown 16.00% >= 15.00%' });
    expect(evaluateBreakers({ ...CALM, staleSeries: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] })[0]?.reason).toBe('stale series: a, b, c, d, e and 2 more');
  });
});

describe('configured breakers', () => {
  it('the stale-data tier is configurable, and ACTIVE turns a breaker off', () => {
    expect(evaluateBreakers({ ...CALM, staleSeries: ['bar:GLD'] }, { ...DEFAULT_BREAKER_CONFIG, staleDataTier: 'NO_NEW' })[0]?.tier).toBe('NO_NEW');
    expect(evaluateBreakers({ ...CALM, staleSeries: ['bar:GLD'] }, { ...DEFAULT_BREAKER_CONFIG, staleDataTier: 'ACTIVE' })).toEqual([]);
  });

  it('strongestTrip picks the highest tier', () => {
    const trips = evaluateBreakers({ ...CALM, equity: 70_000, dayStartEquity: 80_000, staleSeries: ['x'], faultedPlugins: 4 });
    expect(trips.map((t) => t.tier)).toEqual(['NO_NEW', 'FLATTEN_ALL', 'NO_NEW', 'WARN']);
    expect(strongestTrip(trips)?.breaker).toBe('drawdown');
    expect(strongestTrip([])).toBeUndefined();
  });

  it('resolveBreakerConfig fills defaults and lists every problem', () => {
    expect(resolveBreakerConfig({ staleDataTier: 'THROTTLE' })).toEqual({ ...DEFAULT_BREAKER_CONFIG, staleDataTier: 'THROTTLE' });
    try {
      resolveBreakerConfig({ drawdown: [{ atLeast: 1.5, tier: 'NO_NEW' }], faultedFraction: -1, faultedTier: 'PANIC', typo: 1 });
      expect.unreachable();
    } catch (error) {
      expect(isShError(error, 'SH_ERR_RISK_BREAKER_CONFIG')).toBe(true);
      expect((error as ShError).problems.map((p) => p.details.where)).toEqual(['risk.breakers.drawdown', 'risk.breakers.faultedFraction', 'risk.breakers.faultedTier', 'risk.breakers.typo']);
    }
  });
});
