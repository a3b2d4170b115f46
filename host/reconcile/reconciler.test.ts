import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerAdapter, MarketBar, Order, Position, SubmitRequest } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { tempDir } from '../../test/integration/fixtures.js';
import { KillSwitchController } from '../kill-switch/controller.js';
import { KillSwitchStore } from '../kill-switch/kill-switch-store.js';
import type { ClosingOrderRequest, ClosingOrderResult, ReconcileOutcome, ReconcilePolicy } from './reconcile-types.js';
import { Reconciler, type ReconcilerOptions } from './reconciler.js';
import { ReconciliationLog, type ReconciliationRow } from './reconciliation-log.js';

const DECIDED = Date.UTC(2024, 0, 2, 21);
const bar = (day: number, fields: Partial<MarketBar> = {}): MarketBar => ({ symbol: 'GLD', time: Date.UTC(2024, 0, 3 + day), open: 100, high: 101, low: 99, close: 100, volume: 1_000_000, ...fields });
const request = (clientOrderId: string, fields: Partial<SubmitRequest> = {}): SubmitRequest => ({ clientOrderId, symbol: 'GLD', side: 'buy', quantity: 100, type: 'market', timeInForce: 'day', time: DECIDED, ...fields });
/** No escalation for being beyond tolerance, so a test sees what the policy alone does. */
const NO_LIMIT = 1e12;

/** A PaperBroker, a journal with its kill switch on a temp data dir, and a fake engine: its view and closing orders. */
interface Rig {
  readonly broker: PaperBroker;
  readonly journalFile: string;
  readonly log: ReconciliationLog;
  readonly killSwitch: KillSwitchController;
  readonly store: KillSwitchStore;
  /** What the fake host believes; the test sets it. */
  readonly host: { positions: Position[]; openOrders: Order[] };
  /** Closing orders the reconciler asked for. */
  readonly closing: ClosingOrderRequest[];
  reconciler(policy: ReconcilePolicy, options?: Partial<ReconcilerOptions>): Reconciler;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function rig(): Rig {
  const dir = tempDir('sh-reconcile-');
  const journalFile = path.join(dir, 'journal.sqlite');
  const broker = new PaperBroker({ initialCash: 1_000_000 });
  const log = new ReconciliationLog(journalFile);
  const store = new KillSwitchStore(journalFile);
  const killSwitch = new KillSwitchController(store, { operators: ['alice'], flagFile: path.join(dir, 'KILL.flag'), now: () => 5000 });
  cleanups.push(() => {
    log.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const host = { positions: [] as Position[], openOrders: [] as Order[] };
  const closing: ClosingOrderRequest[] = [];
  // The engine sends a closing order through its risk chain and tracks it as working, so its view includes it.
  const submitClosingOrder = async (closingRequest: ClosingOrderRequest): Promise<ClosingOrderResult> => {
    closing.push(closingRequest);
    const order = await broker.submit(request(`close-${closing.length}`, { side: closingRequest.side, quantity: closingRequest.quantity, symbol: closingRequest.symbol }));
    host.openOrders.push(order);
    return { submitted: true, clientOrderId: order.clientOrderId };
  };
  return {
    broker,
    journalFile,
    log,
    killSwitch,
    store,
    host,
    closing,
    reconciler: (policy, options = {}) =>
      new Reconciler({ broker, hostView: () => ({ positions: [...host.positions], openOrders: [...host.openOrders] }), log, policy, killSwitch, submitClosingOrder, notionalTolerance: NO_LIMIT, now: () => 7000, ...options }),
  };
}

/** The broker holds 100 GLD the host never heard of. */
async function unknownPosition(r: Rig): Promise<void> {
  await r.broker.submit(request('manual-buy'));
  r.broker.advance([bar(0)]);
}

/** The host's order filled, and the host missed the fill: it still believes the order ACCEPTED. */
async function missedFill(r: Rig): Promise<void> {
  r.host.openOrders.push(await r.broker.submit(request('sh-a3hv0g81-1-GLD-0')));
  r.broker.advance([bar(0)]);
}

/** An order at the broker the host never sent: a limit far below the market, so it keeps working. */
async function externalOrder(r: Rig): Promise<void> {
  await r.broker.submit(request('manual-limit', { type: 'limit', limitPrice: 50, quantity: 10 }));
  r.broker.advance([bar(0)]);
}

const kinds = (outcome: ReconcileOutcome): string[] => outcome.reconciliation.differences.map((d) => d.kind);
const actions = (outcome: ReconcileOutcome): string[] => outcome.actions.map((a) => `${a.kind}:${a.state}`);

describe('Reconciler: each difference found in one pass and handled per policy', () => {
  it.each<[string, ReconcilePolicy, (r: Rig) => Promise<void>, string[], (r: Rig, outcome: ReconcileOutcome) => Promise<void>]>([
    ['a position the host does not know', 'adopt', unknownPosition, ['position-unknown-to-host'], async (r, outcome) => {
      expect(actions(outcome)).toEqual(['adopt:taken']);
      expect(outcome.adopt).toEqual([{ symbol: 'GLD', quantity: 100, averagePrice: expect.closeTo(100.031, 6) }]);
      expect(r.closing).toEqual([]);
      expect(await r.broker.positions()).toHaveLength(1);
    }],
    ['a position the host does not know', 'flatten', unknownPosition, ['position-unknown-to-host'], async (r, outcome) => {
      expect(actions(outcome)).toEqual(['flatten:taken']);
      expect(r.closing).toMatchObject([{ symbol: 'GLD', side: 'sell', quantity: 100, targetPosition: 0 }]);
      expect(outcome.actions[0]?.clientOrderId).toBe('close-1');
      r.broker.advance([bar(1)]);
      expect(await r.broker.positions()).toEqual([]);
    }],
    ['a position the host does not know', 'halt', unknownPosition, ['position-unknown-to-host'], async (r, outcome) => {
      expect(actions(outcome)).toEqual(['halt:taken']);
      expect(outcome.escalatedTo).toBe('NO_NEW');
      expect(r.closing).toEqual([]);
    }],
    ['a missed fill', 'adopt', missedFill, ['position-unknown-to-host', 'order-status-mismatch'], async (_r, outcome) => {
      expect(actions(outcome)).toEqual(['adopt:taken', 'adopt:taken']);
      expect(outcome.orders).toMatchObject([{ clientOrderId: 'sh-a3hv0g81-1-GLD-0', status: 'FILLED', filledQuantity: 100 }]);
      expect(outcome.adopt).toMatchObject([{ symbol: 'GLD', quantity: 100 }]);
    }],
    ['a missed fill', 'flatten', missedFill, ['position-unknown-to-host', 'order-status-mismatch'], async (r, outcome) => {
      // The position is the host's own order's: adopted, never flattened.
      expect(actions(outcome)).toEqual(['adopt:taken', 'adopt:taken']);
      expect(r.closing).toEqual([]);
    }],
    ['a missed fill', 'halt', missedFill, ['position-unknown-to-host', 'order-status-mismatch'], async (_r, outcome) => {
      expect(actions(outcome)).toEqual(['halt:taken', 'halt:taken']);
      expect(outcome.escalatedTo).toBe('NO_NEW');
    }],
    ['an order the host never sent', 'adopt', externalOrder, ['order-unknown-to-host'], async (r, outcome) => {
      expect(actions(outcome)).toEqual(['adopt:taken']);
      expect(outcome.orders).toMatchObject([{ clientOrderId: 'manual-limit', status: 'ACCEPTED' }]);
      expect((await r.broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['manual-limit']);
    }],
    ['an order the host never sent', 'flatten', externalOrder, ['order-unknown-to-host'], async (r, outcome) => {
      expect(actions(outcome)).toEqual(['cancel:taken']);
      expect((await r.broker.orderByClientId('manual-limit'))?.status).toBe('CANCELLED');
    }],
    ['an order the host never sent', 'halt', externalOrder, ['order-unknown-to-host'], async (r, outcome) => {
      expect(actions(outcome)).toEqual(['halt:taken']);
      expect(outcome.escalatedTo).toBe('NO_NEW');
      expect((await r.broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['manual-limit']);
    }],
  ])('%s, policy %s', async (_name, policy, setUp, expectedKinds, check) => {
    const r = rig();
    await setUp(r);
    const outcome = await r.reconciler(policy).reconcileOnce();
    expect(kinds(outcome)).toEqual(expectedKinds);
    expect(r.log.rows(outcome.passId).map((row) => row.kind)).toEqual(expectedKinds);
    expect(r.killSwitch.state().tier).toBe(policy === 'halt' ? 'NO_NEW' : 'ACTIVE');
    await check(r, outcome);
  });
});

describe('Reconciler: idempotence', () => {
  /** A journaled row without what differs from pass to pass by nature. */
  const comparable = (row: ReconciliationRow): Omit<ReconciliationRow, 'passId' | 'actionState'> => {
    const { passId: _passId, actionState: _state, ...rest } = row;
    return rest;
  };

  it('flatten: two passes journal the same differences and send one closing order; a restarted host sends none', async () => {
    const r = rig();
    await unknownPosition(r);
    const reconciler = r.reconciler('flatten');
    const first = await reconciler.reconcileOnce();
    const second = await reconciler.reconcileOnce();
    expect(r.closing).toHaveLength(1);
    expect(second.reconciliation).toEqual(first.reconciliation);
    expect(actions(first)).toEqual(['flatten:taken']);
    expect(actions(second)).toEqual(['flatten:taken-before']);
    expect(r.log.rows(second.passId).map(comparable)).toEqual(r.log.rows(first.passId).map(comparable));
    expect(r.log.rows().map((row) => row.actionState)).toEqual(['taken', 'taken-before']);
    // A new host (a new reconciler, its own connection) finds the action in the journal.
    const restartedLog = new ReconciliationLog(r.journalFile);
    cleanups.push(() => restartedLog.close());
    const third = await r.reconciler('flatten', { log: restartedLog }).reconcileOnce();
    expect(actions(third)).toEqual(['flatten:taken-before']);
    expect(r.closing).toHaveLength(1);
    expect((await r.broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['close-1']);
  });

  it('adopt: two passes give the same positions to adopt; once adopted, a pass is clean and ends the episode', async () => {
    const r = rig();
    await unknownPosition(r);
    const reconciler = r.reconciler('adopt');
    const first = await reconciler.reconcileOnce();
    const second = await reconciler.reconcileOnce();
    expect(second.adopt).toEqual(first.adopt);
    expect(actions(second)).toEqual(['adopt:taken-before']);
    r.host.positions = [...first.adopt];
    const third = await reconciler.reconcileOnce();
    expect(third.reconciliation.differences).toEqual([]);
    expect(r.log.actedInLatestPass(r.broker.id).size).toBe(0);
    expect(r.log.passes().map((p) => p.differences)).toEqual([1, 1, 0]);
  });

  it('a refused closing order is journaled as refused and tried again at the next pass', async () => {
    const r = rig();
    await unknownPosition(r);
    const asked: ClosingOrderRequest[] = [];
    const reconciler = r.reconciler('flatten', {
      submitClosingOrder: async (closingRequest) => {
        asked.push(closingRequest);
        return { submitted: false, reason: 'rejected by guard restricted-list' };
      },
    });
    const first = await reconciler.reconcileOnce();
    await reconciler.reconcileOnce();
    expect(asked).toHaveLength(2);
    expect(first.actions).toMatchObject([{ kind: 'flatten', state: 'refused', detail: 'rejected by guard restricted-list' }]);
    expect(r.log.rows().map((row) => `${row.actionState}:${row.detail}`)).toEqual(['refused:rejected by guard restricted-list', 'refused:rejected by guard restricted-list']);
  });
});

describe('Reconciler: escalation beyond tolerance', () => {
  it.each<[ReconcilePolicy, number, 'ACTIVE' | 'NO_NEW']>([
    ['adopt', 5, 'ACTIVE'],
    ['adopt', 100, 'NO_NEW'],
    ['flatten', 100, 'NO_NEW'],
  ])('policy %s, %d GLD unknown at about 100 (tolerance 1000): %s', async (policy, quantity, tier) => {
    const r = rig();
    await r.broker.submit(request('manual-buy', { quantity }));
    r.broker.advance([bar(0)]);
    const reconciler = r.reconciler(policy, { notionalTolerance: 1000 });
    const first = await reconciler.reconcileOnce();
    expect(first.reconciliation.totalNotional).toBeCloseTo(quantity * 100, 6);
    expect(first.reconciliation.withinTolerance).toBe(tier === 'ACTIVE');
    expect(r.killSwitch.state().tier).toBe(tier);
    expect(first.escalatedTo).toBe(tier === 'NO_NEW' ? 'NO_NEW' : undefined);
    expect(r.log.passes()[0]?.escalatedTo).toBe(tier === 'NO_NEW' ? 'NO_NEW' : null);
    // A second pass escalates nothing more: one request in the kill switch's journal at most.
    const second = await reconciler.reconcileOnce();
    expect(second.escalatedTo).toBeUndefined();
    expect(r.store.requests()).toHaveLength(tier === 'NO_NEW' ? 1 : 0);
    if (tier === 'NO_NEW') {
      expect(r.store.requests()[0]).toMatchObject({ tier: 'NO_NEW', source: 'breaker', operator: 'system:breaker' });
      expect(r.store.requests()[0]?.reason).toMatch(/^reconciliation with paper: 1 differences, mismatch notional 100\d\d\.\d\d beyond the tolerance 1000$/);
    }
  });
});

describe('Reconciler: failures and the timer', () => {
  it('a broker that cannot be reached fails the pass, which journals and does nothing', async () => {
    const r = rig();
    const down: BrokerAdapter = { ...r.broker, id: 'paper', capabilities: r.broker.capabilities, positions: () => Promise.reject(new Error('connection refused')) } as unknown as BrokerAdapter;
    await expect(r.reconciler('adopt', { broker: down }).reconcileOnce()).rejects.toThrow('connection refused');
    expect(r.log.passes()).toEqual([]);
  });

  it('flatten without a way to send closing orders is refused', () => {
    const r = rig();
    expect(() => new Reconciler({ broker: r.broker, hostView: () => r.host, log: r.log, policy: 'flatten' })).toThrow(expect.objectContaining({ code: 'SH_ERR_CONFIG_INVALID' }));
  });

  it('start runs a pass at once, then on a timer that does not keep the process alive; stop ends it', async () => {
    const r = rig();
    await unknownPosition(r);
    const seen: number[] = [];
    const reconciler = r.reconciler('adopt', { onPass: (outcome) => void seen.push(outcome.passId) });
    const first = await reconciler.start(10);
    expect(seen).toEqual([first.passId]);
    expect((reconciler as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
    await expect.poll(() => seen.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    await reconciler.stop();
    const count = r.log.passes().length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.log.passes()).toHaveLength(count);
    expect(new Set(r.log.passes().map((p) => p.differences))).toEqual(new Set([1]));
  });
});
