import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerAdapter, MarketBar, SubmitRequest } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { tempDir } from '../../test/integration/fixtures.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { KillSwitchController } from '../kill-switch/controller.js';
import { KillSwitchStore } from '../kill-switch/kill-switch-store.js';
import type { FlattenTarget } from './flatten.js';
import { HeartbeatWriter } from './heartbeat.js';
import { Watchdog, type WatchdogCheck } from './watchdog.js';

const DECIDED = Date.UTC(2024, 0, 2, 21);
const bar = (day: number, fields: Partial<MarketBar> = {}): MarketBar => ({ symbol: 'GLD', time: Date.UTC(2024, 0, 3 + day), open: 100, high: 101, low: 99, close: 100, volume: 1_000_000, ...fields });
const request = (clientOrderId: string, fields: Partial<SubmitRequest> = {}): SubmitRequest => ({ clientOrderId, symbol: 'GLD', side: 'buy', quantity: 100, type: 'market', timeInForce: 'day', time: DECIDED, ...fields });
const DEADLINE = 1500;
const RUN = 'r20240102t210000-ab12';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/**
 * A host's data dir with its journal and kill switch, a PaperBroker standing for the venue (the watchdog reaches it
 * directly), a clock the test moves, and a heartbeat writer playing the host.
 */
interface Rig {
  readonly dir: string;
  readonly broker: PaperBroker;
  readonly journal: SqliteJournal;
  readonly store: KillSwitchStore;
  readonly killSwitch: KillSwitchController;
  readonly heartbeat: HeartbeatWriter;
  readonly lines: string[];
  clock: number;
  watchdog(target?: FlattenTarget): Watchdog;
}

async function rig(): Promise<Rig> {
  const dir = tempDir('sh-watchdog-');
  const journalFile = path.join(dir, 'journal.sqlite');
  const journal = new SqliteJournal(journalFile);
  journal.startRun({ runId: RUN, profile: 'paper', mode: 'paper', startedAt: 0, config: {} });
  const store = new KillSwitchStore(journalFile);
  const lines: string[] = [];
  const r: Rig = {
    dir,
    broker: new PaperBroker(),
    journal,
    store,
    killSwitch: new KillSwitchController(store, { operators: [], flagFile: path.join(dir, 'KILL.flag'), now: () => r.clock }),
    heartbeat: new HeartbeatWriter({ dataDir: dir, runId: RUN, pid: 999_999_999, now: () => r.clock }),
    lines,
    clock: 1_000_000,
    watchdog: (target = { broker: r.broker }) =>
      new Watchdog({ dataDir: dir, deadlineMs: DEADLINE, pollMs: 50, target, journal, killSwitch: r.killSwitch, log: (line) => lines.push(line), now: () => r.clock, isAlive: () => false }),
  };
  cleanups.push(() => {
    journal.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // The host holds 100 GLD and has a limit order working.
  await r.broker.submit(request('sh-a3hv0g81-1-GLD-0'));
  r.broker.advance([bar(0)]);
  await r.broker.submit(request('sh-a3hv0g81-2-GLD-0', { type: 'limit', limitPrice: 50, quantity: 10 }));
  return r;
}

const watchdogActions = (journal: SqliteJournal): Record<string, unknown>[] =>
  journal.operatorActions().filter((a) => a.action === 'watchdog').map((a) => a.detail as Record<string, unknown>);

describe('Watchdog with a broker it reaches directly', () => {
  it.each<[string, (r: Rig) => void, WatchdogCheck['verdict']]>([
    ['no heartbeat yet', () => undefined, 'no-heartbeat'],
    ['a heartbeat within the deadline', (r) => {
      r.heartbeat.beat(3);
      r.clock += DEADLINE;
    }, 'alive'],
    ['a host that stopped cleanly long ago', (r) => {
      r.heartbeat.stop();
      r.clock += 10 * DEADLINE;
    }, 'stopped'],
    ['a malformed heartbeat', (r) => fs.writeFileSync(path.join(r.dir, 'heartbeat.json'), 'garbage'), 'malformed'],
  ])('does nothing for %s', async (_name, setUp, verdict) => {
    const r = await rig();
    setUp(r);
    expect((await r.watchdog().check()).verdict).toBe(verdict);
    expect(await r.broker.openOrders()).toHaveLength(1);
    expect(await r.broker.positions()).toHaveLength(1);
    expect(r.killSwitch.state().tier).toBe('ACTIVE');
    expect(watchdogActions(r.journal)).toEqual([]);
  });

  it('past the deadline: FLATTEN_ALL, cancels the open order, closes the position, journals it; once per stale heartbeat', async () => {
    const r = await rig();
    r.heartbeat.beat(12);
    r.clock += DEADLINE + 1;
    const watchdog = r.watchdog();
    const check = await watchdog.check();
    expect(check.verdict).toBe('acted');
    if (check.verdict !== 'acted') return;
    expect(check.report.method).toBe('closing-orders');
    expect(check.report.cancelled).toMatchObject([{ clientOrderId: 'sh-a3hv0g81-2-GLD-0', status: 'CANCELLED' }]);
    expect(check.report.closing).toMatchObject([{ symbol: 'GLD', side: 'sell', quantity: 100, status: 'ACCEPTED' }]);
    expect(check.report.closing[0]?.clientOrderId).toMatch(/^wd-[0-9a-z]{8}-GLD$/);
    expect(r.killSwitch.state().tier).toBe('FLATTEN_ALL');
    expect(r.store.requests()).toMatchObject([{ tier: 'FLATTEN_ALL', source: 'watchdog', operator: 'system:watchdog' }]);
    const [action] = watchdogActions(r.journal);
    expect(action).toMatchObject({ outcome: 'acted', heartbeat: { runId: RUN, cycle: 12 }, ageMs: DEADLINE + 1, pidAlive: false, tier: 'FLATTEN_ALL', method: 'closing-orders' });
    expect(r.journal.operatorActions(RUN).map((a) => a.operator)).toEqual(['watchdog']);
    // The closing order fills on the next bar: flat.
    r.broker.advance([bar(1)]);
    expect(await r.broker.positions()).toEqual([]);
    // The same stale heartbeat again, and a restarted watchdog: nothing more.
    expect((await watchdog.check()).verdict).toBe('handled');
    expect((await r.watchdog().check()).verdict).toBe('handled');
    expect(watchdogActions(r.journal)).toHaveLength(1);
    expect((await r.broker.openOrders()).length + (await r.broker.positions()).length).toBe(0);
    expect(r.lines.join('\n')).toMatch(/heartbeat of run r20240102t210000-ab12 \(pid 999999999, gone\) is 1501 ms old, past the 1500 ms deadline/);
  });

  it('a new host beating is watched afresh: it is acted on again when it goes silent', async () => {
    const r = await rig();
    const watchdog = r.watchdog();
    r.heartbeat.beat(1);
    r.clock += DEADLINE + 1;
    expect((await watchdog.check()).verdict).toBe('acted');
    r.broker.advance([bar(1)]);
    await r.broker.submit(request('sh-zzzzzzzz-1-GLD-0', { quantity: 20 }));
    r.broker.advance([bar(2)]);
    r.heartbeat.beat(1);
    expect((await watchdog.check()).verdict).toBe('alive');
    r.clock += DEADLINE + 1;
    const again = await watchdog.check();
    expect(again.verdict).toBe('acted');
    expect(again.verdict === 'acted' && again.report.closing).toMatchObject([{ side: 'sell', quantity: 20 }]);
    expect(watchdogActions(r.journal)).toHaveLength(2);
  });

  it('uses the broker\'s own liquidation when it has one', async () => {
    const r = await rig();
    // A PaperBroker-backed liquidation: market orders, filled at once on a print at the last close.
    let liquidations = 0;
    const liquidateAll = async (): Promise<{ symbol: string; order: Awaited<ReturnType<BrokerAdapter['submit']>> }[]> => {
      liquidations += 1;
      const positions = await r.broker.positions();
      const out = [];
      for (const p of positions) {
        const order = await r.broker.submit(request(`liquidation-${p.symbol}`, { side: p.quantity > 0 ? 'sell' : 'buy', quantity: Math.abs(p.quantity), time: Date.UTC(2024, 0, 3) }));
        r.broker.advance([bar(1)]);
        out.push({ symbol: p.symbol, order: (await r.broker.orderByClientId(order.clientOrderId))! });
      }
      return out;
    };
    r.heartbeat.beat(5);
    r.clock += DEADLINE + 1;
    const check = await r.watchdog({ broker: r.broker, liquidateAll }).check();
    expect(check.verdict).toBe('acted');
    expect(liquidations).toBe(1);
    expect(check.verdict === 'acted' && check.report).toMatchObject({ method: 'liquidate', positionsAfter: [], closing: [{ symbol: 'GLD', status: 'FILLED' }] });
  });

  it('a broker that cannot be reached: journaled as failed, FLATTEN_ALL anyway, tried again later', async () => {
    const r = await rig();
    const down = new Proxy(r.broker, {
      get: (target, property) => (['positions', 'openOrders', 'submit', 'cancel', 'orderByClientId'].includes(String(property)) ? () => Promise.reject(new Error('connection refused')) : Reflect.get(target, property)),
    });
    r.heartbeat.beat(5);
    r.clock += DEADLINE + 1;
    const watchdog = r.watchdog({ broker: down });
    expect((await watchdog.check()).verdict).toBe('failed');
    expect(r.killSwitch.state().tier).toBe('FLATTEN_ALL');
    expect(watchdogActions(r.journal)).toMatchObject([{ outcome: 'failed', errors: ['list positions: connection refused', 'list open orders: connection refused', 'list positions after: connection refused'] }]);
    expect((await watchdog.check()).verdict).toBe('retry-later');
    r.clock += 5000;
    expect((await watchdog.check()).verdict).toBe('failed');
    expect(watchdogActions(r.journal)).toHaveLength(2);
  });
});
