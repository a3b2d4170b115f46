import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import type { Order, SubmitRequest } from '../../core/index.js';
import { engineRig, realPlugins } from './fixtures.js';

/** DESIGN.md §6: an intent is committed before it is submitted, so a crash can never cause a duplicate order. */
describe('the journal holds each intent before the broker sees it', () => {
  it('every submit finds its intent already committed, read through a separate connection', async () => {
    let journalFile = '';
    const seen: { clientOrderId: string; committed: boolean }[] = [];
    class SpyBroker extends PaperBroker {
      override async submit(request: SubmitRequest): Promise<Order> {
        const db = new Database(journalFile, { readonly: true });
        const row = db.prepare('SELECT client_order_id FROM intents WHERE client_order_id = ?').get(request.clientOrderId);
        db.close();
        seen.push({ clientOrderId: request.clientOrderId, committed: row !== undefined });
        return super.submit(request);
      }
    }
    const rig = await engineRig({ plugins: await realPlugins(), broker: (instruments) => new SpyBroker({ initialCash: 1_000_000, instruments }) });
    journalFile = rig.journalFile;
    const summary = await rig.engine.run();
    expect(summary.orders).toBeGreaterThan(10);
    expect(seen.length).toBe(summary.orders);
    expect(seen.filter((s) => !s.committed)).toEqual([]);
    // And the journal has every intent the broker saw, with the order recorded against it.
    const orders = rig.journal.orders(rig.runId).map((o) => o.clientOrderId).sort();
    expect(orders).toEqual(seen.map((s) => s.clientOrderId).sort());
  });
});
