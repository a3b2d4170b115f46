import { describe, expect, it, vi } from 'vitest';
import { barId, buildGuards, parseDate, PositionBook, RiskChain, SeriesStore } from '../../core/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { submitClosingOrder, type ClosingOrderContext } from './closing-order.js';
import { RiskState } from './risk-state.js';

async function context(allowSubmit: boolean): Promise<{ ctx: ClosingOrderContext; submit: ReturnType<typeof vi.fn>; journal: SqliteJournal; riskState: RiskState }> {
  const adapter = new SyntheticDataAdapter({ start: '2018-01-01', end: '2018-03-31' });
  const store = SeriesStore.build(await adapter.history({ ids: [barId('GLD')], from: parseDate('2018-01-01'), to: parseDate('2018-04-01') }));
  const instruments = new Map((await adapter.instruments()).map((i) => [i.symbol, i]));
  const journal = new SqliteJournal(':memory:');
  journal.startRun({ runId: 'r', profile: 'test', mode: 'paper', startedAt: 0, config: {} });
  const riskState = new RiskState(store, instruments);
  const time = parseDate('2018-03-01');
  riskState.markEquity(time, 1_000_000);
  const submit = vi.fn(async () => undefined);
  const ctx: ClosingOrderContext = {
    runId: 'r', cycle: 40, time, tier: 'ACTIVE', allowSubmit, book: new PositionBook(), lastClose: new Map([['GLD', 120]]), store, journal,
    risk: new RiskChain(buildGuards([{ name: 'kill-switch' }, { name: 'max-order-size', maxNotional: 250_000 }])), riskState,
    equity: async () => 1_000_000, submit,
  };
  return { ctx, submit, journal, riskState };
}

const REQUEST = { actionId: 'flatten-GLD-1', symbol: 'GLD', side: 'sell' as const, quantity: 100, targetPosition: 0, reason: 'position unknown to the host' };

describe('submitClosingOrder', () => {
  it('journals the intent, counts it in the risk state and sends it', async () => {
    const { ctx, submit, journal, riskState } = await context(true);
    const recorded = vi.spyOn(riskState, 'recordAccepted');
    const result = await submitClosingOrder(REQUEST, ctx);
    expect(result).toMatchObject({ submitted: true, clientOrderId: 'sh-rc-flatten-GLD-1' });
    expect(journal.intents('r').map((i) => i.clientOrderId)).toEqual(['sh-rc-flatten-GLD-1']);
    expect(recorded).toHaveBeenCalledTimes(1);
    expect(submit).toHaveBeenCalledTimes(1);
    // A second pass with the same action sends nothing.
    expect(await submitClosingOrder(REQUEST, ctx)).toMatchObject({ submitted: false, reason: 'already journaled: sent by an earlier pass' });
    expect(submit).toHaveBeenCalledTimes(1);
  });

  it('in monitor mode journals the intent and counts it in the risk state (throttles see it) but sends nothing', async () => {
    const { ctx, submit, journal, riskState } = await context(false);
    const recorded = vi.spyOn(riskState, 'recordAccepted');
    const result = await submitClosingOrder(REQUEST, ctx);
    expect(result).toMatchObject({ submitted: false, reason: 'monitor mode (allowSubmit false)' });
    expect(journal.intents('r')).toHaveLength(1);
    expect(recorded).toHaveBeenCalledTimes(1);
    expect(submit).not.toHaveBeenCalled();
  });
});
