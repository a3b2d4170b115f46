import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import type { OrderIntent } from '../../core/index.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { HostMetrics } from '../metrics.js';
import { OrderSubmitter, SETTLED_MEMORY } from './order-submitter.js';

const intent = (k: number): OrderIntent => ({
  clientOrderId: `sh-test-${k}`, runId: 'run-1', cycle: k, time: 1_700_000_000_000 + k, symbol: 'GLD', side: 'buy', quantity: 1,
  type: 'market', timeInForce: 'day', positionBefore: 0, targetPosition: 1, referencePrice: 180, attribution: ['tsmom'], reason: 'test',
});

describe('OrderSubmitter provenance', () => {
  it('keeps the provenance of open orders, and of ended ones only up to SETTLED_MEMORY, oldest dropped first', async () => {
    const journal = new SqliteJournal(':memory:');
    journal.startRun({ runId: 'run-1', profile: 'test', mode: 'paper', startedAt: 0, config: {} });
    const broker = new PaperBroker();
    await broker.connect();
    const submitter = new OrderSubmitter('run-1', new Map([[broker.id, broker]]), { defaultBroker: broker.id, rules: [], allowFallback: false }, journal, new HostMetrics({ processMetrics: false }), () => {});
    const orders = SETTLED_MEMORY + 5;
    for (let k = 0; k < orders; k++) await submitter.submit(intent(k));
    expect(submitter.provenanceSize).toEqual({ open: orders, settled: 0 });
    expect(submitter.provenanceOf('sh-test-0')).toEqual({ routedTo: 'paper', executedBy: 'paper' });

    // Every order ends: the first five fall out of the memory of ended orders, the rest still answer.
    for (let k = 0; k < orders; k++) submitter.settle(`sh-test-${k}`);
    expect(submitter.provenanceSize).toEqual({ open: 0, settled: SETTLED_MEMORY });
    expect(submitter.provenanceOf('sh-test-4')).toBeUndefined();
    expect(submitter.provenanceOf('sh-test-5')).toEqual({ routedTo: 'paper', executedBy: 'paper' });
    expect(submitter.provenanceOf(`sh-test-${orders - 1}`)).toEqual({ routedTo: 'paper', executedBy: 'paper' });
    // Settling an unknown or already settled order changes nothing.
    submitter.settle('sh-test-5');
    submitter.settle('never-sent');
    expect(submitter.provenanceSize).toEqual({ open: 0, settled: SETTLED_MEMORY });
    journal.close();
  });
});

describe('ExecutionTracker and provenance', () => {
  it('settles an order\'s provenance when it fills or is cancelled, not while it works', async () => {
    const { ExecutionTracker } = await import('./execution-tracker.js');
    const { PositionBook } = await import('../../core/index.js');
    const journal = new SqliteJournal(':memory:');
    journal.startRun({ runId: 'run-1', profile: 'test', mode: 'paper', startedAt: 0, config: {} });
    const settled: string[] = [];
    const tracker = new ExecutionTracker({
      runId: 'run-1', journal, metrics: new HostMetrics({ processMetrics: false }), instruments: new Map(), book: new PositionBook(), defaultBroker: 'paper',
      submitter: { provenanceOf: () => ({ routedTo: 'paper', executedBy: 'paper' }), settle: (id) => settled.push(id) },
    });
    const broker = new PaperBroker();
    await broker.connect();
    broker.onExecution((event) => tracker.onExecution('paper', event));
    const t0 = 1_700_000_000_000;
    await broker.submit({ clientOrderId: 'fills', symbol: 'GLD', side: 'buy', quantity: 10, type: 'market', timeInForce: 'day', time: t0 });
    await broker.submit({ clientOrderId: 'cancelled', symbol: 'SLV', side: 'buy', quantity: 10, type: 'market', timeInForce: 'day', time: t0 });
    expect(settled).toEqual([]);
    broker.advance([{ symbol: 'GLD', time: t0 + 86_400_000, open: 180, high: 182, low: 179, close: 181, volume: 5e6 }]);
    expect(settled).toEqual(['fills']);
    await broker.cancel('cancelled');
    expect(settled).toEqual(['fills', 'cancelled']);
    journal.close();
  });
});
