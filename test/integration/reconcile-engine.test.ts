import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { parseDate } from '../../core/index.js';
import { ReconciliationLog } from '../../host/reconcile/reconciliation-log.js';
import { Reconciler } from '../../host/reconcile/reconciler.js';
import { engineRig, realPlugins } from './fixtures.js';

describe('reconciliation inside a run (policy flatten)', () => {
  it.each([
    ['at cycles 5 and 6', [5, 6]],
    ['at the start (before the first cycle) and after it', [1, 2]],
  ])('a position the host never knew is found in one pass, closed through the risk chain once, and the books agree: passes %s', async (_label, at) => {
    let broker: PaperBroker | undefined;
    let reconciler: Reconciler | undefined;
    const passes: number[] = [];
    const rig = await engineRig({
      plugins: await realPlugins(),
      from: '2018-01-01',
      to: '2018-03-31',
      settings: { mode: 'paper' },
      broker: (instruments) => {
        broker = new PaperBroker({ initialCash: 1_000_000, instruments, maxParticipation: 0 });
        // Someone else's order, filled before the host starts: the host never sees it.
        void broker.submit({ clientOrderId: 'external-1', symbol: 'GLD', side: 'buy', quantity: 100, type: 'market', timeInForce: 'day', time: parseDate('2017-12-28') });
        broker.advance([{ symbol: 'GLD', time: parseDate('2017-12-29'), open: 120, high: 121, low: 119, close: 120, volume: 1e7 }]);
        return broker;
      },
      beforeCycle: async (cycle) => {
        if (at.includes(cycle)) {
          // As run-host does: a pass between cycles, its outcome applied by the host.
          const o = await reconciler!.reconcileOnce();
          rig.engine.adopt(o.adopt, o.orders);
          passes.push(o.reconciliation.differences.length);
        }
      },
    });
    const log = new ReconciliationLog(rig.journalFile);
    reconciler = new Reconciler({
      broker: broker!,
      runId: rig.runId,
      log,
      policy: 'flatten',
      hostView: () => rig.engine.reconcileView(),
      prices: (s) => broker!.lastPrice(s),
      submitClosingOrder: (request) => rig.engine.submitClosingOrder(request),
    });
    await rig.engine.run();
    log.close();
    // Found at the first pass; the second pass finds the books in agreement.
    expect(passes).toEqual([1, 0]);
    const closing = rig.journal.intents(rig.runId).filter((i) => i.attribution.includes('reconciliation'));
    expect(closing).toHaveLength(1);
    expect(closing[0]).toMatchObject({ symbol: 'GLD', side: 'sell', quantity: 100 });
    // At the end, the broker holds exactly what the host's own fills add up to.
    const hostPositions = rig.engine.reconcileView().positions;
    const brokerPositions = await broker!.positions();
    const gld = (list: { symbol: string; quantity: number }[]) => list.find((p) => p.symbol === 'GLD')?.quantity ?? 0;
    expect(gld(brokerPositions)).toBe(gld(hostPositions));
  });
});
