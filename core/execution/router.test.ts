import { describe, expect, it } from 'vitest';
import { route, validateRoutingTable, type RoutingTable } from './router.js';

const TABLE: RoutingTable = {
  defaultBroker: 'paper',
  rules: [
    { symbols: ['BTCUSDT'], broker: 'ccxt', fallback: 'paper' },
    { symbols: ['GLD', 'SLV'], broker: 'alpaca', fallback: 'ibkr' },
    { symbols: ['PPLT'], broker: 'ibkr' },
  ],
  allowFallback: true,
};

describe('route', () => {
  const up = (...ids: string[]) => (id: string) => ids.includes(id);
  it.each([
    ['GLD', up('alpaca', 'ibkr'), { ok: true, routedTo: 'alpaca', executedBy: 'alpaca', fallback: false }],
    ['GLD', up('ibkr'), { ok: true, routedTo: 'alpaca', executedBy: 'ibkr', fallback: true }],
    ['GLD', up(), { ok: false, routedTo: 'alpaca' }],
    ['PPLT', up('alpaca'), { ok: false, routedTo: 'ibkr' }],
    ['SPY', up('paper'), { ok: true, routedTo: 'paper', executedBy: 'paper', fallback: false }],
  ])('%s with brokers up per case', (symbol, isUp, expected) => {
    expect(route(TABLE, symbol, isUp)).toMatchObject(expected);
  });

  it('no fallback when policy forbids it, even if the fallback is up', () => {
    expect(route({ ...TABLE, allowFallback: false }, 'GLD', (id) => id === 'ibkr')).toMatchObject({ ok: false, reason: expect.stringContaining('fallback is not allowed') });
  });

  it('validation lists every problem: unknown brokers, self-fallback, a symbol in two rules', () => {
    const bad: RoutingTable = { defaultBroker: 'nope', rules: [{ symbols: ['GLD'], broker: 'paper', fallback: 'paper' }, { symbols: ['GLD'], broker: 'x' }], allowFallback: true };
    try {
      validateRoutingTable(bad, ['paper']);
      expect.unreachable();
    } catch (error) {
      expect((error as { problems: { details: { where: string } }[] }).problems.map((p) => p.details.where)).toEqual(['routing.defaultBroker', 'routing.rules[0].fallback', 'routing.rules[1].broker', 'routing.rules[1].symbols']);
    }
  });
});
