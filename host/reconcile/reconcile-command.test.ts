import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../core/index.js';
import { bar, request, startHarness, type VenueHarness } from '../../test/venue/venue-fixtures.js';
import { tempDir } from '../../test/integration/fixtures.js';
import { main } from '../cli/main.js';
import { loadConfig } from '../config/load-config.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { KillSwitchStore } from '../kill-switch/kill-switch-store.js';
import { hostViewFromJournal } from './journal-view.js';
import { reconcileCommand } from './reconcile-command.js';
import { ReconciliationLog } from './reconciliation-log.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const RUN = 'r20240102t210000-ab12';

/** A venue with one order of the host filled, and a host data dir whose journal recorded it as the engine would. */
async function tradedHost(): Promise<{ venue: VenueHarness; dataDir: string; journalFile: string }> {
  const venue = await startHarness();
  const dataDir = tempDir('sh-reconcile-cli-');
  cleanups.push(() => venue.close(), () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const journalFile = path.join(dataDir, 'journal.sqlite');
  const journal = new SqliteJournal(journalFile);
  journal.startRun({ runId: RUN, profile: 'paper', mode: 'paper', startedAt: 0, config: {} });
  const record = (event: ExecutionEvent): void => {
    journal.recordOrder(RUN, event.order);
    if (event.type === 'fill') journal.recordFill(RUN, event.fill);
  };
  const unsubscribe = venue.broker.onExecution(record);
  await venue.broker.submit(request({ clientOrderId: 'sh-a3hv0g81-1-GLD-0' }));
  await venue.broker.advance([bar(1)]);
  unsubscribe();
  journal.close();
  return { venue, dataDir, journalFile };
}

const config = loadConfig({ profile: 'demo', env: {} });
const quiet = (): void => undefined;

describe('hostViewFromJournal', () => {
  it('rebuilds the latest run: positions from fills, open orders from orders whose last status is working', async () => {
    const { journalFile } = await tradedHost();
    const journal = new SqliteJournal(journalFile);
    cleanups.push(() => journal.close());
    journal.recordOrder(RUN, { clientOrderId: 'sh-a3hv0g81-2-GLD-0', symbol: 'GLD', side: 'sell', quantity: 40, type: 'market', timeInForce: 'day', status: 'ACCEPTED', filledQuantity: 0, averagePrice: 0, submittedAt: 1, updatedAt: 1 });
    const { runId, view } = hostViewFromJournal(journal);
    expect(runId).toBe(RUN);
    expect(view.positions).toMatchObject([{ symbol: 'GLD', quantity: 100 }]);
    expect(view.openOrders.map((o) => o.clientOrderId)).toEqual(['sh-a3hv0g81-2-GLD-0']);
    expect(view.orders?.map((o) => `${o.clientOrderId} ${o.status}`)).toEqual(['sh-a3hv0g81-1-GLD-0 FILLED']);
  });

  it('is empty for a journal without runs', () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const journal = new SqliteJournal(path.join(dir, 'journal.sqlite'));
    cleanups.push(() => journal.close());
    expect(hostViewFromJournal(journal)).toEqual({ runId: null, view: { positions: [], openOrders: [], orders: [] } });
  });
});

describe('strategy-host reconcile', () => {
  it('exits 0 when the venue agrees with the journal, and journals a clean pass', async () => {
    const { venue, dataDir, journalFile } = await tradedHost();
    const result = await reconcileCommand(config, dataDir, { json: false, venueUrl: venue.server.url, log: quiet });
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain(`reconciliation with venue at ${venue.server.url} against run ${RUN} (policy adopt, pass 1)`);
    expect(result.output).toContain('0 differences, mismatch notional 0.00 (tolerance 1000.00): within tolerance');
    const log = new ReconciliationLog(journalFile);
    cleanups.push(() => log.close());
    expect(log.passes()).toMatchObject([{ passId: 1, runId: RUN, broker: 'venue', differences: 0, withinTolerance: true }]);
  });

  it('exits 1 beyond tolerance, prints every difference as JSON and raises the kill switch of the data dir to NO_NEW', async () => {
    const { venue, dataDir, journalFile } = await tradedHost();
    // Someone else trades on the account: 50 SLV bought, and a GLD limit order left working.
    await venue.broker.submit(request({ clientOrderId: 'manual-slv', symbol: 'SLV', quantity: 50 }));
    await venue.broker.submit(request({ clientOrderId: 'manual-gld', type: 'limit', limitPrice: 50, quantity: 10 }));
    await venue.broker.advance([bar(2), bar(2, { symbol: 'SLV', open: 20, high: 21, low: 19, close: 20 })]);
    const result = await reconcileCommand(config, dataDir, { json: true, venueUrl: venue.server.url, log: quiet });
    expect(result.exitCode).toBe(1);
    const body = JSON.parse(result.output);
    expect(body.withinTolerance).toBe(false);
    expect(body.differences.map((d: { kind: string; symbol: string; clientOrderId?: string }) => `${d.kind} ${d.clientOrderId ?? d.symbol}`)).toEqual([
      'position-unknown-to-host SLV',
      'order-unknown-to-host manual-gld',
    ]);
    expect(body.differences[0].brokerValue).toMatchObject({ quantity: 50 });
    expect(body.actions.map((a: { kind: string; state: string }) => `${a.kind}:${a.state}`)).toEqual(['adopt:taken', 'adopt:taken']);
    expect(body.escalatedTo).toBe('NO_NEW');
    const store = new KillSwitchStore(journalFile);
    cleanups.push(() => store.close());
    expect(store.state().tier).toBe('NO_NEW');
    // Run again without changes: the same differences, nothing more escalated.
    const again = JSON.parse((await reconcileCommand(config, dataDir, { json: true, venueUrl: venue.server.url, log: quiet })).output);
    expect(again.differences).toEqual(body.differences);
    expect(again.escalatedTo).toBeNull();
    expect(again.actions.map((a: { state: string }) => a.state)).toEqual(['taken-before', 'taken-before']);
  });

  it('prints a table of the differences', async () => {
    const { venue, dataDir } = await tradedHost();
    await venue.broker.submit(request({ clientOrderId: 'manual-gld', side: 'sell', quantity: 30 }));
    await venue.broker.advance([bar(2)]);
    const { output, exitCode } = await reconcileCommand(config, dataDir, { json: false, venueUrl: venue.server.url, tolerance: '1000000', log: quiet });
    expect(exitCode).toBe(0);
    const lines = output.trimEnd().split('\n');
    expect(lines[2]).toMatch(/^KIND\s+SYMBOL\s+ORDER\s+HOST\s+BROKER\s+NOTIONAL\s+ACTION$/);
    expect(lines[3]).toMatch(/^position-mismatch\s+GLD\s+-\s+100 @ 100\.03\s+70 @ 100\.03\s+3000\.\d\d\s+adopt$/);
    expect(lines).toHaveLength(4);
  });

  it.each([
    [['--policy', 'flatten'], /SH_ERR_CLI_USAGE: reconcile --policy "flatten" is not available here/],
    [['--tolerance', 'lots'], /SH_ERR_CLI_USAGE: --tolerance needs a notional amount/],
  ])('refuses %j (exit 2)', async (args, message) => {
    const dataDir = tempDir();
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    let err = '';
    const code = await main(['reconcile', '--data-dir', dataDir, ...args], () => undefined, (text) => (err += text));
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
