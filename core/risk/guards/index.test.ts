import { describe, expect, it } from 'vitest';
import { isShError, type ShError } from '../../errors.js';
import { buildGuards, DEFAULT_GUARD_CONFIGS, GUARD_FACTORIES } from './index.js';

function problemsOf(run: () => unknown): { where: unknown; received: unknown }[] {
  try {
    run();
  } catch (error) {
    if (!isShError(error, 'SH_ERR_RISK_GUARD_CONFIG')) throw error;
    return (error as ShError).problems.map((p) => ({ where: p.details.where, received: p.details.received }));
  }
  throw new Error('expected SH_ERR_RISK_GUARD_CONFIG');
}

const RECOMMENDED_ORDER = [
  'kill-switch', 'restricted-list', 'stale-data', 'price-collar', 'duplicate-intent', 'order-rate', 'max-order-size', 'position-limit',
  'gross-exposure', 'net-exposure', 'concentration', 'turnover', 'daily-loss', 'drawdown', 'canary-caps',
];

describe('guard registry', () => {
  it('DEFAULT_GUARD_CONFIGS builds the recommended chain, in order', () => {
    expect(DEFAULT_GUARD_CONFIGS.map((c) => c.name)).toEqual(RECOMMENDED_ORDER);
    expect(buildGuards(DEFAULT_GUARD_CONFIGS).map((g) => g.name)).toEqual(RECOMMENDED_ORDER);
  });

  it('every registered guard builds from its name alone (defaults) and is named as registered', () => {
    for (const name of Object.keys(GUARD_FACTORIES)) expect(buildGuards([{ name }]).map((g) => g.name)).toEqual([name]);
    expect(Object.keys(GUARD_FACTORIES).sort()).toEqual([...RECOMMENDED_ORDER].sort());
  });

  it('lists every bad key of every guard at once, with its path and the value received', () => {
    const problems = problemsOf(() =>
      buildGuards([
        { name: 'kill-switch' },
        { name: 'price-collar', maxDeviation: -0.1 },
        { name: 'order-rate', maxOrders: 2.5, windowMs: 'a minute', throttleFactor: 2, maxOrder: 10 },
        { name: 'no-such-guard' },
        { name: 'stale-data', intervalsMs: { daily: -1, hourly: 5 } },
        { name: 'restricted-list', symbols: 'GLD', allowReducing: 'yes' },
        { name: 'position-limit', maxPositionNotional: Number.NaN, perSymbol: { GLD: -5 } },
      ]),
    );
    expect(problems).toEqual([
      { where: 'risk.guards[1].maxDeviation', received: -0.1 },
      { where: 'risk.guards[2].maxOrders', received: 2.5 },
      { where: 'risk.guards[2].windowMs', received: 'a minute' },
      { where: 'risk.guards[2].throttleFactor', received: 2 },
      { where: 'risk.guards[2].maxOrder', received: 10 },
      { where: 'risk.guards[3].name', received: 'no-such-guard' },
      { where: 'risk.guards[4].intervalsMs.daily', received: -1 },
      { where: 'risk.guards[4].intervalsMs.hourly', received: 5 },
      { where: 'risk.guards[5].symbols', received: 'GLD' },
      { where: 'risk.guards[5].allowReducing', received: 'yes' },
      { where: 'risk.guards[6].perSymbol.GLD', received: -5 },
      { where: 'risk.guards[6].maxPositionNotional', received: Number.NaN },
    ]);
  });

  it('a single bad key is reported with the guard path', () => {
    expect(problemsOf(() => buildGuards([{ name: 'drawdown', maxDrawdown: 1.5 }], 'profile.risk.guards'))).toEqual([{ where: 'profile.risk.guards[0].maxDrawdown', received: 1.5 }]);
  });

  it('the message says what was expected', () => {
    try {
      buildGuards([{ name: 'turnover', maxDailyTurnover: -1 }]);
      expect.unreachable();
    } catch (error) {
      expect((error as ShError).render()).toContain('expected: a number in [0, Infinity]');
    }
  });
});
