import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { isShError } from '../../core/index.js';
import type { CycleRecord, Fill, OperatorAction, Order, OrderIntent, PluginFault, Position, RecordedSignal, RiskDecision, RunRecord } from '../../core/index.js';
import { JOURNAL_SCHEMA_VERSION, MIGRATIONS, migrate } from './journal-schema.js';
import { SqliteJournal } from './sqlite-journal.js';

const RUN: RunRecord = { runId: 'run-1', profile: 'demo', mode: 'backtest', startedAt: 1_700_000_000_000, config: { seed: 7, plugins: ['tsmom'] } };

const intent = (clientOrderId: string, fields: Partial<OrderIntent> = {}): OrderIntent => ({
  clientOrderId,
  runId: 'run-1',
  cycle: 3,
  time: 1_700_000_100_000,
  symbol: 'GLD',
  side: 'buy',
  quantity: 120,
  type: 'market',
  timeInForce: 'day',
  positionBefore: 30,
  targetPosition: 150,
  referencePrice: 181.25,
  attribution: ['tsmom', 'carry'],
  reason: 'target 150 from 30',
  ...fields,
});

const order = (fields: Partial<Order> = {}): Order => ({
  clientOrderId: 'run-1-3-GLD-0',
  brokerOrderId: 'paper-1',
  symbol: 'GLD',
  side: 'buy',
  quantity: 120,
  type: 'market',
  timeInForce: 'day',
  status: 'ACCEPTED',
  filledQuantity: 0,
  averagePrice: 0,
  submittedAt: 1_700_000_100_000,
  updatedAt: 1_700_000_100_000,
  routedTo: 'paper',
  executedBy: 'paper',
  ...fields,
});

const fill = (fillId: string, fields: Partial<Fill> = {}): Fill => ({
  fillId,
  clientOrderId: 'run-1-3-GLD-0',
  symbol: 'GLD',
  side: 'buy',
  quantity: 60,
  price: 181.3,
  commission: 1,
  time: 1_700_000_200_000,
  broker: 'paper',
  ...fields,
});

const code = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return isShError(error) ? error.code : `not an ShError: ${String(error)}`;
  }
  return undefined;
};

describe('SqliteJournal (in memory)', () => {
  let journal: SqliteJournal;
  beforeEach(() => {
    journal = new SqliteJournal(':memory:', { now: () => 1_700_009_999_000 });
    journal.startRun(RUN);
  });
  afterEach(() => journal.close());

  it('round-trips runs and their end', () => {
    expect(journal.runs()).toEqual([{ runId: 'run-1', profile: 'demo', mode: 'backtest', startedAt: RUN.startedAt, endedAt: null, status: 'running' }]);
    journal.startRun({ ...RUN, runId: 'run-2', mode: 'paper', startedAt: RUN.startedAt + 10 });
    journal.endRun('run-1', 'completed', { cycles: 3 });
    expect(journal.runs().map((r) => [r.runId, r.status, r.endedAt])).toEqual([
      ['run-1', 'completed', 1_700_009_999_000],
      ['run-2', 'running', null],
    ]);
    expect(journal.latestRun()?.runId).toBe('run-2');
    expect(code(() => journal.endRun('nope', 'failed', null))).toBe('SH_ERR_JOURNAL_WRITE');
  });

  it('round-trips cycles', () => {
    const cycles: CycleRecord[] = [
      { runId: 'run-1', cycle: 1, time: 1000, latencyMs: 0.75, intents: 2, equity: 1_000_000 },
      { runId: 'run-1', cycle: 2, time: 2000, latencyMs: 1.5, intents: 0, equity: 1_000_123.45 },
    ];
    for (const c of cycles) journal.recordCycle(c);
    expect(journal.cycles('run-1')).toEqual(cycles);
  });

  it('round-trips signals and counts them per strategy', () => {
    const signals: RecordedSignal[] = [
      { strategyId: 'tsmom', time: 1000, symbol: 'GLD', weight: 0.5, confidence: 0.8, reason: 'up trend' },
      { strategyId: 'tsmom', time: 1000, symbol: 'SLV', weight: -0.25, confidence: 0.4, reason: 'down trend' },
      { strategyId: 'carry', time: 1000, symbol: 'GLD', weight: 0, confidence: 1, reason: 'flat curve' },
    ];
    journal.recordSignals('run-1', 1, signals);
    journal.recordSignals('run-1', 2, signals.slice(0, 1));
    expect(journal.signals('run-1', 1)).toEqual(signals);
    expect(journal.signalCount('run-1')).toBe(4);
    expect(journal.signalCount('run-1', 'tsmom')).toBe(3);
    expect(journal.signalCount('run-1', 'carry')).toBe(1);
    expect(journal.signalCount('run-2')).toBe(0);
  });

  it('round-trips intents, with and without a limit price, in insertion order', () => {
    const a = intent('run-1-3-GLD-0');
    const b = intent('run-1-3-SLV-1', { symbol: 'SLV', side: 'sell', type: 'limit', limitPrice: 22.5, timeInForce: 'gtc', attribution: [] });
    journal.recordIntent(a);
    journal.recordIntent(b);
    const back = journal.intents('run-1');
    expect(back).toStrictEqual([a, b]);
    expect('limitPrice' in (back[0] as OrderIntent)).toBe(false);
  });

  it('tells whether a client order id is journaled, in any run', () => {
    journal.recordIntent(intent('known-1'));
    expect(journal.hasIntent('known-1')).toBe(true);
    expect(journal.hasIntent('never-sent')).toBe(false);
  });

  it('rejects a duplicate intent client order id with SH_ERR_EXEC_DUPLICATE_CLIENT_ORDER_ID and keeps the first', () => {
    journal.recordIntent(intent('dup-1'));
    expect(code(() => journal.recordIntent(intent('dup-1', { quantity: 999 })))).toBe('SH_ERR_EXEC_DUPLICATE_CLIENT_ORDER_ID');
    expect(journal.intents('run-1').map((i) => i.quantity)).toEqual([120]);
  });

  it('refuses records for a run that was never started', () => {
    expect(code(() => journal.recordIntent(intent('x-1', { runId: 'ghost' })))).toBe('SH_ERR_JOURNAL_WRITE');
    expect(code(() => journal.recordCycle({ runId: 'ghost', cycle: 1, time: 0, latencyMs: 0, intents: 0, equity: 0 }))).toBe('SH_ERR_JOURNAL_WRITE');
  });

  it('round-trips risk decisions with their compared numbers', () => {
    const decisions: RiskDecision[] = [
      { clientOrderId: 'c1', cycle: 3, time: 5, symbol: 'GLD', guard: 'max-order-size', result: 'clip', reason: 'over 100', quantityBefore: 120, quantityAfter: 100, compared: { limit: 100, requested: 120, unit: 'shares' } },
      { clientOrderId: 'c2', cycle: 3, time: 5, symbol: 'SLV', guard: 'kill-switch', result: 'reject', reason: 'NO_NEW', quantityBefore: 10, quantityAfter: 0, compared: { tier: 'NO_NEW', reducing: false } },
      { clientOrderId: 'c3', cycle: 3, time: 5, symbol: 'GLD', guard: 'chain', result: 'pass', reason: '', quantityBefore: 10, quantityAfter: 10, compared: {} },
    ];
    for (const d of decisions) journal.recordRiskDecisions('run-1', [d]);
    expect(journal.riskDecisions('run-1')).toStrictEqual(decisions);
  });

  it('records a basket of risk decisions at once (several multi-row statements) as they were given', () => {
    const many: RiskDecision[] = Array.from({ length: 37 }, (_, k) => ({
      clientOrderId: `c${Math.floor(k / 3)}`, cycle: 4, time: 6, symbol: k % 2 ? 'GLD' : 'SLV', guard: ['kill-switch', 'max-order-size', 'position-limit'][k % 3]!,
      result: k === 5 ? 'reject' : 'pass', reason: k === 5 ? 'limit' : '', quantityBefore: 100 + k, quantityAfter: k === 5 ? 0 : 100 + k, compared: { k, notional: k * 1.5 },
    }));
    journal.recordRiskDecisions('run-1', many);
    journal.recordRiskDecisions('run-1', []);
    expect(journal.riskDecisions('run-1')).toStrictEqual(many);
  });

  it('keeps one current row per order and appends every status change to its history', () => {
    const accepted = order();
    const partial = order({ status: 'PARTIALLY_FILLED', filledQuantity: 60, averagePrice: 181.3, updatedAt: 1_700_000_200_000 });
    const filled = order({ status: 'FILLED', filledQuantity: 120, averagePrice: 181.35, updatedAt: 1_700_000_300_000 });
    journal.recordOrder('run-1', accepted);
    journal.recordOrder('run-1', accepted); // unchanged: no new history row
    journal.recordOrder('run-1', partial);
    journal.recordOrder('run-1', filled);
    expect(journal.orders('run-1')).toStrictEqual([filled]);
    expect(journal.orderEvents(accepted.clientOrderId)).toEqual([
      { time: 1_700_000_100_000, status: 'ACCEPTED', filledQuantity: 0, averagePrice: 0 },
      { time: 1_700_000_200_000, status: 'PARTIALLY_FILLED', filledQuantity: 60, averagePrice: 181.3 },
      { time: 1_700_000_300_000, status: 'FILLED', filledQuantity: 120, averagePrice: 181.35 },
    ]);
    const rejected: Order = { clientOrderId: 'r-1', symbol: 'SLV', side: 'sell', quantity: 5, type: 'market', timeInForce: 'day', status: 'REJECTED', filledQuantity: 0, averagePrice: 0, submittedAt: 1, updatedAt: 1, rejectReason: 'no shorting' };
    journal.recordOrder('run-1', rejected);
    expect(journal.orders('run-1')).toStrictEqual([filled, rejected]);
  });

  it('records a fill once: the same fill id again is ignored and reported as not new', () => {
    expect(journal.recordFill('run-1', fill('F1'))).toBe(true);
    expect(journal.recordFill('run-1', fill('F2', { quantity: 60, price: 181.4 }))).toBe(true);
    expect(journal.recordFill('run-1', fill('F1', { quantity: 999 }))).toBe(false);
    const fills = journal.fills('run-1');
    expect(fills).toStrictEqual([fill('F1'), fill('F2', { quantity: 60, price: 181.4 })]);
    expect(fills.reduce((sum, f) => sum + f.quantity, 0)).toBe(120);
  });

  it('round-trips position snapshots per cycle, the latest by default', () => {
    const first: Position[] = [{ symbol: 'GLD', quantity: 100, averagePrice: 180.5 }, { symbol: 'SLV', quantity: -40, averagePrice: 22.25 }];
    const second: Position[] = [{ symbol: 'GLD', quantity: 150, averagePrice: 181 }];
    journal.recordPositions('run-1', 1, 1000, first);
    journal.recordPositions('run-1', 2, 2000, second);
    expect(journal.positions('run-1', 1)).toEqual(first);
    expect(journal.positions('run-1')).toEqual(second);
  });

  it('returns the latest plugin state per plugin', () => {
    journal.savePluginStates('run-1', [
      { strategyId: 'tsmom', cycle: 1, time: 1000, state: { n: 1 } },
      { strategyId: 'carry', cycle: 1, time: 1000, state: { level: [1, 2] } },
    ]);
    journal.savePluginStates('run-1', [{ strategyId: 'tsmom', cycle: 2, time: 2000, state: { n: 2, nested: { ok: true } } }]);
    journal.savePluginStates('run-1', [{ strategyId: 'empty', cycle: 2, time: 2000, state: undefined }]);
    const latest = journal.latestPluginStates('run-1');
    expect([...latest.keys()].sort()).toEqual(['carry', 'empty', 'tsmom']);
    expect(latest.get('tsmom')).toEqual({ strategyId: 'tsmom', cycle: 2, time: 2000, state: { n: 2, nested: { ok: true } } });
    expect(latest.get('carry')?.state).toEqual({ level: [1, 2] });
    expect(latest.get('empty')?.state).toBeUndefined();
    expect(journal.latestPluginStates('other').size).toBe(0);
  });

  it('round-trips faults and operator actions (with and without a run)', () => {
    const faults: PluginFault[] = [
      { strategyId: 'bad', hook: 'evaluate', code: 'SH_ERR_PLUGIN_FAULTED', message: 'boom', time: 7, cause: 'MY_CODE' },
      { strategyId: 'slow', hook: 'evaluate', code: 'SH_ERR_PLUGIN_FAULTED', message: 'over budget', time: 8 },
    ];
    for (const f of faults) journal.recordFault('run-1', f);
    expect(journal.faults('run-1')).toStrictEqual(faults);

    const kill: OperatorAction = { time: 9, operator: 'alice', action: 'kill:NO_NEW', detail: { reason: 'drill' } };
    const global: OperatorAction = { time: 10, operator: 'bob', action: 'plugin:disable', detail: { plugin: 'bad' } };
    journal.recordOperatorAction('run-1', kill);
    journal.recordOperatorAction(null, global);
    expect(journal.operatorActions('run-1')).toEqual([{ runId: 'run-1', ...kill }]);
    expect(journal.operatorActions()).toEqual([{ runId: 'run-1', ...kill }, { runId: null, ...global }]);
  });
});

describe('SqliteJournal on disk', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'sh-journal-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('creates the parent directory and runs in WAL mode with synchronous=FULL and foreign keys on', () => {
    const journal = new SqliteJournal(join(directory, 'nested', 'deeper', 'journal.db'));
    expect(journal.settings()).toEqual({ journalMode: 'wal', synchronous: 2, foreignKeys: true, schemaVersion: JOURNAL_SCHEMA_VERSION });
    journal.close();
    journal.close();
  });

  it('makes an intent durable when recordIntent returns: a second connection reads it before the first closes', () => {
    const file = join(directory, 'journal.db');
    const writer = new SqliteJournal(file);
    writer.startRun(RUN);
    writer.recordIntent(intent('durable-1'));
    const reader = new SqliteJournal(file);
    expect(reader.intents('run-1').map((i) => i.clientOrderId)).toEqual(['durable-1']);
    // The second connection sees the first's journal too: a duplicate is refused across processes.
    expect(code(() => reader.recordIntent(intent('durable-1')))).toBe('SH_ERR_EXEC_DUPLICATE_CLIENT_ORDER_ID');
    reader.close();
    writer.close();
  });

  describe('hold and release (one commit per cycle phase)', () => {
    /** What a second connection sees: only what is committed. */
    const committed = (file: string): { fills: number; orders: number; intents: string[]; signals: number } => {
      const reader = new Database(file, { readonly: true });
      try {
        const count = (table: string): number => (reader.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
        const intents = (reader.prepare('SELECT client_order_id AS id FROM intents ORDER BY rowid').all() as { id: string }[]).map((r) => r.id);
        return { fills: count('fills'), orders: count('orders'), intents, signals: count('signals') };
      } finally {
        reader.close();
      }
    };
    const signal: RecordedSignal = { strategyId: 'tsmom', time: 5, symbol: 'GLD', weight: 0.5, confidence: 1, reason: 'r' };

    it('holds orders, fills and signals uncommitted; an intent is committed at once, alone; release commits the rest', () => {
      const file = join(directory, 'journal.db');
      const journal = new SqliteJournal(file);
      journal.startRun(RUN);
      journal.hold();
      journal.recordOrder('run-1', order());
      journal.recordFill('run-1', fill('f-1'));
      journal.recordSignals('run-1', 3, [signal]);
      expect(committed(file)).toEqual({ fills: 0, orders: 0, intents: [], signals: 0 });
      journal.recordIntent(intent('held-1'));
      expect(committed(file)).toEqual({ fills: 0, orders: 0, intents: ['held-1'], signals: 0 });
      journal.batch(() => journal.recordIntent(intent('held-2')));
      expect(committed(file)).toEqual({ fills: 0, orders: 0, intents: ['held-1', 'held-2'], signals: 0 });
      journal.release();
      expect(committed(file)).toEqual({ fills: 1, orders: 1, intents: ['held-1', 'held-2'], signals: 1 });
      // Not holding any more: a write is committed when it returns.
      journal.recordFill('run-1', fill('f-3'));
      expect(committed(file).fills).toBe(2);
      journal.close();
    });

    it('a held order is recorded as it was when recorded, even if the object changes afterwards', () => {
      const journal = new SqliteJournal(':memory:');
      journal.startRun(RUN);
      journal.hold();
      const o = { ...order() } as { -readonly [K in keyof Order]: Order[K] };
      journal.recordOrder('run-1', o);
      o.status = 'FILLED';
      o.filledQuantity = 120;
      journal.release();
      expect(journal.orderEvents(o.clientOrderId).map((e) => e.status)).toEqual(['ACCEPTED']);
      journal.close();
    });

    it('reads see what is held (they commit it first)', () => {
      const journal = new SqliteJournal(':memory:');
      journal.startRun(RUN);
      journal.hold();
      journal.recordFill('run-1', fill('f-4'));
      expect(journal.fills('run-1').map((f) => f.fillId)).toEqual(['f-4']);
      journal.release();
      journal.close();
    });

    it('a failed batch commits nothing of its own and leaves what is held held', () => {
      const file = join(directory, 'journal.db');
      const journal = new SqliteJournal(file);
      journal.startRun(RUN);
      journal.hold();
      journal.recordFill('run-1', fill('f-5'));
      expect(() =>
        journal.batch(() => {
          journal.recordIntent(intent('dup'));
          journal.recordIntent(intent('dup'));
        }),
      ).toThrow(/already journaled/);
      expect(committed(file)).toMatchObject({ fills: 0, intents: [] });
      journal.release();
      expect(committed(file)).toMatchObject({ fills: 1, intents: [] });
      journal.close();
    });

    it('checkpoints the write-ahead log into the database file every 32 releases, outside any commit', async () => {
      const { statSync } = await import('node:fs');
      const file = join(directory, 'journal.db');
      const journal = new SqliteJournal(file);
      journal.startRun(RUN);
      const mainFileSize = (): number => statSync(file).size;
      const before = mainFileSize();
      for (let cycle = 1; cycle <= 31; cycle++) {
        journal.hold();
        journal.recordSignals('run-1', cycle, Array.from({ length: 50 }, () => ({ ...signal, reason: 'x'.repeat(200) })));
        journal.release();
      }
      // 31 cycles of signals sit in the WAL: SQLite's own checkpoint threshold is far away.
      expect(mainFileSize()).toBe(before);
      journal.hold();
      journal.release();
      expect(mainFileSize()).toBeGreaterThan(before + 31 * 50 * 200);
      journal.close();
    });

    it('restarts the write-ahead log in the commit of what is held, not in the next intent commit an order waits on', async () => {
      const { readFileSync } = await import('node:fs');
      const file = join(directory, 'journal.db');
      const journal = new SqliteJournal(file);
      journal.startRun(RUN);
      // The WAL header's checkpoint sequence number (bytes 12-15, big-endian) goes up by one each time SQLite
      // restarts the log from its start, in the commit that writes (and syncs) the new header.
      const restarts = (): number => readFileSync(`${file}-wal`).readUInt32BE(12);
      for (let cycle = 1; cycle <= 31; cycle++) {
        journal.hold();
        journal.recordSignals('run-1', cycle, [signal]);
        journal.release();
      }
      const before = restarts();
      journal.hold();
      journal.recordSignals('run-1', 32, [signal]);
      journal.release();
      expect(restarts()).toBe(before + 1);
      // The next cycle's intent commit appends to the restarted log: no second header sync on the order's path.
      journal.hold();
      journal.recordIntent(intent('after-checkpoint'));
      expect(restarts()).toBe(before + 1);
      journal.release();
      journal.close();
    });

    it('close commits what is held', () => {
      const file = join(directory, 'journal.db');
      const journal = new SqliteJournal(file);
      journal.startRun(RUN);
      journal.hold();
      journal.recordOrder('run-1', order());
      journal.close();
      expect(committed(file).orders).toBe(1);
    });
  });

  it('reopens an existing journal without re-applying migrations', () => {
    const file = join(directory, 'journal.db');
    new SqliteJournal(file).close();
    const raw = new Database(file);
    const versions = MIGRATIONS.map((m) => ({ version: m.version }));
    expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(versions);
    expect(migrate(raw)).toBe(JOURNAL_SCHEMA_VERSION);
    expect(raw.prepare('SELECT COUNT(*) AS n FROM schema_version').get()).toEqual({ n: MIGRATIONS.length });
    raw.close();
    const again = new SqliteJournal(file);
    expect(again.settings().schemaVersion).toBe(JOURNAL_SCHEMA_VERSION);
    again.close();
  });

  it('migrates a version 3 journal to the per-cycle indexes of version 4, keeping its signals and states readable', () => {
    const file = join(directory, 'journal.db');
    const raw = new Database(file);
    migrate(raw, 0, MIGRATIONS.slice(0, 3));
    raw.prepare("INSERT INTO runs (run_id, profile, mode, started_at) VALUES ('run-1', 'test', 'paper', 0)").run();
    raw.prepare("INSERT INTO signals (run_id, cycle, strategy_id, time, symbol, weight, confidence, reason) VALUES ('run-1', 1, 'tsmom', 5, 'GLD', 0.5, 1, 'r')").run();
    raw.prepare("INSERT INTO plugin_states (run_id, strategy_id, cycle, time, state) VALUES ('run-1', 'tsmom', 1, 5, '{\"n\":1}'), ('run-1', 'tsmom', 2, 6, '{\"n\":2}')").run();
    raw.close();
    const journal = new SqliteJournal(file);
    expect(journal.settings().schemaVersion).toBe(JOURNAL_SCHEMA_VERSION);
    expect(journal.signalCount('run-1', 'tsmom')).toBe(1);
    expect(journal.latestPluginStates('run-1').get('tsmom')?.state).toEqual({ n: 2 });
    journal.close();
    const check = new Database(file, { readonly: true });
    const indexes = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('signals', 'plugin_states') ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(['plugin_states_by_run_cycle', 'signals_by_run_cycle']);
    check.close();
  });

  it('keeps no index on risk decisions and intents but the client order id key: the commit an order waits on writes no more pages than it must', () => {
    const file = join(directory, 'journal.db');
    new SqliteJournal(file).close();
    const check = new Database(file, { readonly: true });
    const indexes = check.prepare("SELECT name, tbl_name AS tbl FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('risk_decisions', 'intents') ORDER BY name").all();
    check.close();
    expect(indexes).toEqual([{ name: 'sqlite_autoindex_intents_1', tbl: 'intents' }]);
  });

  it('refuses a journal whose schema is newer than this host', () => {
    const file = join(directory, 'journal.db');
    new SqliteJournal(file).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (99, ?, 0)').run('from the future');
    raw.close();
    expect(code(() => new SqliteJournal(file))).toBe('SH_ERR_JOURNAL_WRITE');
  });

  it('reports an unusable data directory with SH_ERR_DATA_DIR_UNWRITABLE and the path', () => {
    const blocker = join(directory, 'a-file');
    writeFileSync(blocker, 'not a directory');
    let caught: unknown;
    try {
      new SqliteJournal(join(blocker, 'sub', 'journal.db'));
    } catch (error) {
      caught = error;
    }
    expect(isShError(caught, 'SH_ERR_DATA_DIR_UNWRITABLE')).toBe(true);
    expect(isShError(caught) && caught.details.where).toContain('a-file');
    expect(isShError(caught) && caught.details.fix).toMatch(/data-dir/);
  });

  it('maps a full disk (SQLITE_FULL) to SH_ERR_JOURNAL_WRITE and rolls back the whole batch', () => {
    const journal = new SqliteJournal(join(directory, 'journal.db'));
    journal.startRun(RUN);
    // Cap the file at its current size: the next page the journal needs makes SQLite answer SQLITE_FULL.
    const db = (journal as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const many: RecordedSignal[] = Array.from({ length: 5000 }, (_, i) => ({ strategyId: 'tsmom', time: i, symbol: 'GLD', weight: 0.1, confidence: 0.5, reason: 'x'.repeat(100) }));
    let caught: unknown;
    try {
      journal.recordSignals('run-1', 1, many);
    } catch (error) {
      caught = error;
    }
    expect(isShError(caught, 'SH_ERR_JOURNAL_WRITE')).toBe(true);
    expect(isShError(caught) && caught.details.sqliteCode).toBe('SQLITE_FULL');
    expect(journal.signalCount('run-1')).toBe(0);
    journal.close();
  });

  it('maps a write failure to SH_ERR_JOURNAL_WRITE with the SQLite cause', () => {
    const file = join(directory, 'journal.db');
    const journal = new SqliteJournal(file);
    journal.startRun(RUN);
    // A second connection holding the write lock makes the first fail with SQLITE_BUSY after its timeout.
    const blocker = new Database(file);
    blocker.exec('BEGIN IMMEDIATE');
    const impatient = new SqliteJournal(file, { busyTimeoutMs: 0 });
    let caught: unknown;
    try {
      impatient.recordCycle({ runId: 'run-1', cycle: 1, time: 0, latencyMs: 0, intents: 0, equity: 0 });
    } catch (error) {
      caught = error;
    }
    expect(isShError(caught, 'SH_ERR_JOURNAL_WRITE')).toBe(true);
    expect(isShError(caught) && caught.details.sqliteCode).toBe('SQLITE_BUSY');
    expect((caught as Error).cause).toBeInstanceOf(Database.SqliteError);
    blocker.exec('ROLLBACK');
    blocker.close();
    impatient.close();
    journal.close();
  });
});
