import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { ShError } from '../../core/index.js';
import type {
  CycleRecord,
  EpochMs,
  Fill,
  Journal,
  OperatorAction,
  Order,
  OrderIntent,
  PluginFault,
  Position,
  RecordedSignal,
  RiskDecision,
  RunRecord,
  StateSnapshot,
} from '../../core/index.js';
import {
  cycleFromRow,
  faultFromRow,
  fillFromRow,
  intentFromRow,
  operatorActionFromRow,
  orderFromRow,
  positionFromRow,
  riskDecisionFromRow,
  signalFromRow,
  stateFromRow,
  toJson,
  type CycleRow,
  type FaultRow,
  type FillRow,
  type IntentRow,
  type OperatorActionRow,
  type OrderRow,
  type PositionRow,
  type RiskDecisionRow,
  type RunRow,
  type SignalRow,
  type StateRow,
} from './journal-rows.js';
import { migrate } from './journal-schema.js';
import { prepareStatements, QUERIES, type Statements } from './journal-statements.js';

/** A run as listed by `runs()`: what the CLI `status` and `report` commands show. */
export interface RunSummary {
  readonly runId: string;
  readonly profile: string;
  readonly mode: RunRecord['mode'];
  readonly startedAt: EpochMs;
  readonly endedAt: EpochMs | null;
  readonly status: 'running' | 'completed' | 'failed' | 'stopped';
}

/** How the connection is set up, for health checks and tests. */
export interface JournalSettings {
  readonly journalMode: string;
  readonly synchronous: number;
  readonly foreignKeys: boolean;
  readonly schemaVersion: number;
}

export interface SqliteJournalOptions {
  /** How long a writer waits for another connection's lock before failing, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Wall clock for `ended_at` and migration stamps. Default `Date.now`; tests inject a fixed one. */
  readonly now?: () => EpochMs;
  /**
   * SQLite `synchronous` level. `full` (default): every commit is on disk when the call returns, surviving a power
   * loss; paper and live trading use it. `normal` in WAL mode: a commit survives a crash of the process (SIGKILL)
   * but not of the machine; backtests, which send nothing real, use it for speed.
   */
  readonly synchronous?: 'full' | 'normal';
}

/**
 * The embedded journal: SQLite in WAL mode with `synchronous=FULL`, so every write is durable when the call returns,
 * except while `hold()` is in effect (see Journal.hold): then the records a restart recovers from the broker wait in
 * memory for the next commit. An intent is never held. That is what lets the host submit an order only after
 * `recordIntent` returned: a crash cannot lose the intent, and a restart that finds it will not send it twice.
 *
 * @example
 * const journal = new SqliteJournal('data/journal.db'); // or ':memory:' in tests
 * journal.startRun({ runId: 'r1', profile: 'demo', mode: 'backtest', startedAt: 0, config: {} });
 */
export class SqliteJournal implements Journal {
  readonly filePath: string;
  private readonly db: SqliteDatabase;
  private readonly sql: Statements;
  private readonly now: () => EpochMs;
  /** Writes held back by `hold()`, applied in order by the next commit. */
  private held: (() => void)[] | undefined;
  private readonly riskDecisionStatements = new Map<number, Statement>();
  private releases = 0;
  /** Depth of `batch` calls in progress: writes inside a batch are never held. */
  private depth = 0;
  private readonly transaction: <T>(writes: () => T) => T;
  private readonly orderTx: (runId: string, order: Order) => void;
  private readonly rowsTx: <T>(rows: readonly T[], insert: (row: T) => unknown) => void;

  constructor(filePath: string, options: SqliteJournalOptions = {}) {
    this.filePath = filePath;
    this.now = options.now ?? Date.now;
    this.db = openDatabase(filePath, options.busyTimeoutMs ?? 5000, options.synchronous ?? 'full');
    try {
      migrate(this.db, this.now());
      this.sql = prepareStatements(this.db);
    } catch (error) {
      this.db.close();
      throw error instanceof ShError ? error : writeError('migrate the journal schema', error);
    }
    // Transaction functions made once: better-sqlite3 builds a wrapper per db.transaction() call.
    const batchTx = this.db.transaction((writes: () => unknown) => {
      this.depth += 1;
      try {
        return writes();
      } finally {
        this.depth -= 1;
      }
    });
    this.transaction = <T>(writes: () => T): T => batchTx(writes) as T;
    this.orderTx = this.db.transaction((runId: string, order: Order) => {
      const previous = this.sql.orderState.get(order.clientOrderId) as { status: string; filled_quantity: number } | undefined;
      this.sql.upsertOrder.run(
        order.clientOrderId, runId, order.brokerOrderId ?? null, order.symbol, order.side, order.quantity, order.type,
        order.limitPrice ?? null, order.timeInForce, order.status, order.filledQuantity, order.averagePrice, order.submittedAt,
        order.updatedAt, order.routedTo ?? null, order.executedBy ?? null, order.rejectReason ?? null,
      );
      if (previous === undefined || previous.status !== order.status || previous.filled_quantity !== order.filledQuantity) {
        this.sql.insertOrderEvent.run(order.clientOrderId, runId, order.updatedAt, order.status, order.filledQuantity, order.averagePrice, order.rejectReason ?? null);
      }
    });
    const rowsTx = this.db.transaction((rows: readonly unknown[], insert: (row: unknown) => unknown) => {
      for (const row of rows) insert(row);
    });
    this.rowsTx = <T>(rows: readonly T[], insert: (row: T) => unknown): void => rowsTx(rows, insert as (row: unknown) => unknown);
  }

  startRun(run: RunRecord): void {
    this.write('start a run', () => this.sql.insertRun.run(run.runId, run.profile, run.mode, run.startedAt, toJson(run.config)));
  }

  endRun(runId: string, status: 'completed' | 'failed' | 'stopped', summary: unknown): void {
    this.write('end a run', () => {
      const result = this.sql.endRun.run(status, toJson(summary), this.now(), runId);
      if (result.changes === 0) throw unknownRun(runId);
    });
  }

  recordCycle(cycle: CycleRecord): void {
    this.holdable('record a cycle', () => this.sql.insertCycle.run(cycle.runId, cycle.cycle, cycle.time, cycle.latencyMs, cycle.intents, cycle.equity));
  }

  batch<T>(writes: () => T): T {
    // All or nothing: if any write fails, nothing of the batch is committed. What is held stays held.
    return this.transaction(writes);
  }

  hold(): void {
    this.held ??= [];
  }

  release(): void {
    this.releases += 1;
    // Checkpoint first, then commit what is held. After a complete checkpoint SQLite restarts the WAL at the next
    // commit, which writes and syncs a new WAL header: a second fsync. Here that is the commit of what was held, at
    // the end of a cycle; the other way round it would be the next cycle's intent commit, the one an order waits on.
    if (this.releases % CHECKPOINT_EVERY_RELEASES === 0) this.checkpoint();
    this.commitHeld();
    this.held = undefined;
  }

  /**
   * Copy the WAL back into the database file (PASSIVE: as far as readers allow, never waiting), so that SQLite's own
   * checkpoint never lands inside a commit an order waits on. `release()` calls it every 32 cycles, before it commits
   * what is held.
   */
  checkpoint(): void {
    if (isInMemory(this.filePath)) return;
    this.write('checkpoint the write-ahead log', () => this.db.pragma('wal_checkpoint(PASSIVE)'));
  }

  recordSignals(runId: string, cycle: number, signals: readonly RecordedSignal[]): void {
    this.holdable('record signals', () => this.rowsTx(signals, (s) => this.sql.insertSignal.run(runId, cycle, s.strategyId, s.time, s.symbol, s.weight, s.confidence, s.reason)));
  }

  recordIntent(intent: OrderIntent): void {
    // Never held (a plain write, not holdable): committed before this returns, alone or with the batch it is in.
    this.write('record an intent', () =>
      this.sql.insertIntent.run(
        intent.clientOrderId, intent.runId, intent.cycle, intent.time, intent.symbol, intent.side, intent.quantity, intent.type,
        intent.limitPrice ?? null, intent.timeInForce, intent.positionBefore, intent.targetPosition, intent.referencePrice,
        JSON.stringify(intent.attribution), intent.reason,
      ),
      intent.clientOrderId,
    );
  }

  recordRiskDecisions(runId: string, decisions: readonly RiskDecision[]): void {
    // Up to RISK_DECISIONS_PER_STATEMENT rows per INSERT: one statement step and one native call for a guard chain's
    // decisions on several intents, instead of one each (a cycle's basket: 15 rows cost about 40% less).
    this.holdable('record risk decisions', () => {
      for (let start = 0; start < decisions.length; start += RISK_DECISIONS_PER_STATEMENT) {
        const chunk = decisions.slice(start, start + RISK_DECISIONS_PER_STATEMENT);
        const values: unknown[] = [];
        for (const d of chunk) values.push(runId, d.clientOrderId, d.cycle, d.time, d.symbol, d.guard, d.result, d.reason, d.quantityBefore, d.quantityAfter, JSON.stringify(d.compared));
        this.riskDecisionsInsert(chunk.length).run(...values);
      }
    });
  }

  /**
   * The multi-row INSERT for `rows` risk decisions, prepared once per row count (one row: the plain INSERT): the
   * plain INSERT's VALUES tuple repeated, so its columns are written once, in journal-statements.ts.
   */
  private riskDecisionsInsert(rows: number): Statement {
    let statement = rows === 1 ? this.sql.insertRiskDecision : this.riskDecisionStatements.get(rows);
    if (statement === undefined) {
      const [insert, tuple] = QUERIES.insertRiskDecision.split('VALUES') as [string, string];
      statement = this.db.prepare(`${insert}VALUES ${Array.from({ length: rows }, () => tuple.trim()).join(', ')}`);
      this.riskDecisionStatements.set(rows, statement);
    }
    return statement;
  }

  /**
   * Upsert the current row and append to order_events when the status or filled quantity changed, so re-recording
   * an unchanged order (a reconciliation pass) adds no noise to the history. The order keeps the run that created it.
   */
  recordOrder(runId: string, order: Order): void {
    // A copy: a held write records the order as it is now, even if an adapter later changes the object in place.
    const snapshot = this.held === undefined ? order : { ...order };
    this.holdable('record an order', () => this.orderTx(runId, snapshot));
  }

  /**
   * Record a fill once: the same fill id again is ignored, so a replayed execution event is never double counted.
   * Returns true when the fill was new; while writes are held it returns undefined (the check happens when the
   * held write is applied).
   */
  recordFill(runId: string, fill: Fill): boolean | undefined {
    const f = this.held === undefined ? fill : { ...fill };
    return this.holdable('record a fill', () =>
      this.sql.insertFill.run(f.fillId, runId, f.clientOrderId, f.symbol, f.side, f.quantity, f.price, f.commission, f.time, f.broker).changes > 0,
    );
  }

  recordPositions(runId: string, cycle: number, time: EpochMs, positions: readonly Position[]): void {
    this.holdable('record positions', () => this.rowsTx(positions, (p) => this.sql.insertPosition.run(runId, cycle, time, p.symbol, p.quantity, p.averagePrice)));
  }

  savePluginStates(runId: string, snapshots: readonly StateSnapshot[]): void {
    // Serialised now: a held snapshot must be the state of this moment, not of when it is applied.
    const rows = snapshots.map((s) => [s.strategyId, s.cycle, s.time, toJson(s.state)] as const);
    this.holdable('save plugin states', () => this.rowsTx(rows, (r) => this.sql.insertState.run(runId, ...r)));
  }

  recordFault(runId: string, fault: PluginFault): void {
    this.holdable('record a fault', () => this.sql.insertFault.run(runId, fault.strategyId, fault.hook, fault.code, fault.message, fault.time, fault.cause ?? null));
  }

  recordOperatorAction(runId: string | null, action: OperatorAction): void {
    this.write('record an operator action', () => this.sql.insertOperatorAction.run(runId, action.time, action.operator, action.action, toJson(action.detail)));
  }

  /** The snapshot with the highest cycle per plugin (the last saved, when a cycle was saved twice). */
  latestPluginStates(runId: string): Map<string, StateSnapshot> {
    this.commitHeld();
    const rows = this.sql.latestStates.all(runId) as StateRow[];
    return new Map(rows.map((row) => [row.strategy_id, stateFromRow(row)]));
  }

  hasIntent(clientOrderId: string): boolean {
    this.commitHeld();
    return this.sql.hasIntent.get(clientOrderId) !== undefined;
  }

  intents(runId: string): OrderIntent[] {
    this.commitHeld();
    return (this.sql.intents.all(runId) as IntentRow[]).map(intentFromRow);
  }

  orders(runId: string): Order[] {
    this.commitHeld();
    return (this.sql.orders.all(runId) as OrderRow[]).map(orderFromRow);
  }

  fills(runId: string): Fill[] {
    this.commitHeld();
    return (this.sql.fills.all(runId) as FillRow[]).map(fillFromRow);
  }

  riskDecisions(runId: string): RiskDecision[] {
    this.commitHeld();
    return (this.sql.riskDecisions.all(runId) as RiskDecisionRow[]).map(riskDecisionFromRow);
  }

  /** Every run, oldest first. */
  runs(): RunSummary[] {
    this.commitHeld();
    return (this.sql.runs.all() as RunRow[]).map(runFromRow);
  }

  /** The most recently started run, or undefined for an empty journal. */
  latestRun(): RunSummary | undefined {
    this.commitHeld();
    const row = this.sql.latestRun.get() as RunRow | undefined;
    return row === undefined ? undefined : runFromRow(row);
  }

  signalCount(runId: string, strategyId?: string): number {
    this.commitHeld();
    const row = (strategyId === undefined ? this.sql.signalCount.get(runId) : this.sql.signalCountByStrategy.get(runId, strategyId)) as { count: number };
    return row.count;
  }

  /** Signals of a run in the order they were recorded, optionally of one cycle. */
  signals(runId: string, cycle?: number): RecordedSignal[] {
    this.commitHeld();
    const rows = (cycle === undefined ? this.sql.signals.all(runId) : this.sql.signalsOfCycle.all(runId, cycle)) as SignalRow[];
    return rows.map(signalFromRow);
  }

  cycles(runId: string): CycleRecord[] {
    this.commitHeld();
    return (this.sql.cycles.all(runId) as CycleRow[]).map(cycleFromRow);
  }

  /** The position snapshot of one cycle, or of the last recorded cycle when none is named. */
  positions(runId: string, cycle?: number): Position[] {
    this.commitHeld();
    const rows = (cycle === undefined ? this.sql.latestPositions.all(runId, runId) : this.sql.positionsOfCycle.all(runId, cycle)) as PositionRow[];
    return rows.map(positionFromRow);
  }

  /** The status history of one order, oldest first. */
  orderEvents(clientOrderId: string): { time: EpochMs; status: Order['status']; filledQuantity: number; averagePrice: number }[] {
    this.commitHeld();
    const rows = this.sql.orderEvents.all(clientOrderId) as { time: number; status: Order['status']; filled_quantity: number; average_price: number }[];
    return rows.map((r) => ({ time: r.time, status: r.status, filledQuantity: r.filled_quantity, averagePrice: r.average_price }));
  }

  /** Operator actions of one run, or of every run (and none) when no run is named. */
  operatorActions(runId?: string): (OperatorAction & { readonly runId: string | null })[] {
    this.commitHeld();
    const rows = (runId === undefined ? this.sql.allOperatorActions.all() : this.sql.operatorActions.all(runId)) as OperatorActionRow[];
    return rows.map(operatorActionFromRow);
  }

  faults(runId: string): PluginFault[] {
    this.commitHeld();
    return (this.sql.faults.all(runId) as FaultRow[]).map(faultFromRow);
  }

  settings(): JournalSettings {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      foreignKeys: Number(this.db.pragma('foreign_keys', { simple: true })) === 1,
      schemaVersion: Number((this.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number }).v),
    };
  }

  /** Close the connection; closing twice is harmless. */
  close(): void {
    if (!this.db.open) return;
    this.release();
    this.db.close();
  }

  /** A write a crash may lose (see Journal.hold): held while holding outside a batch, else written now. */
  private holdable<T>(what: string, action: () => T): T | undefined {
    if (this.held !== undefined && this.depth === 0) {
      this.held.push(() => this.write(what, action));
      return undefined;
    }
    return this.write(what, action);
  }

  /**
   * Commit what is held, in order, in one commit (release does; reads do first, so they see every write made so
   * far). If a held write fails, nothing is committed and everything stays held.
   */
  private commitHeld(): void {
    const held = this.held;
    if (held === undefined || held.length === 0 || this.depth > 0) return;
    this.transaction(() => {
      for (const write of held) write();
    });
    held.splice(0);
  }

  private write<T>(what: string, action: () => T, clientOrderId?: string): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof ShError) throw error;
      const code = sqliteCode(error);
      if (clientOrderId !== undefined && (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')) {
        throw withCause(
          new ShError('SH_ERR_EXEC_DUPLICATE_CLIENT_ORDER_ID', `client order id ${clientOrderId} is already journaled`, {
            received: clientOrderId,
            expected: 'a client order id never used before',
            fix: 'Client order ids are unique forever: derive them from run, cycle, instrument and sequence. This is a bug.',
          }),
          error,
        );
      }
      throw writeError(what, error);
    }
  }
}

/** Rows per multi-row INSERT of risk decisions (11 values each: far below SQLite's limit of 32,766 variables). */
const RISK_DECISIONS_PER_STATEMENT = 16;

/** Pages of WAL at which SQLite checkpoints by itself (about 40 MB with 4 KiB pages). */
const WAL_SAFETY_CHECKPOINT_PAGES = 10_000;
/** The journal checkpoints the WAL (PASSIVE: never waits for readers) once every this many releases. */
const CHECKPOINT_EVERY_RELEASES = 32;

/** SQLite's names for a database in memory: no file, no WAL to checkpoint. */
function isInMemory(filePath: string): boolean {
  return filePath === ':memory:' || filePath === '';
}

function openDatabase(filePath: string, busyTimeoutMs: number, synchronous: 'full' | 'normal'): SqliteDatabase {
  const inMemory = isInMemory(filePath);
  if (!inMemory) {
    const directory = dirname(resolve(filePath));
    try {
      mkdirSync(directory, { recursive: true });
    } catch (error) {
      throw dataDirError(directory, error);
    }
  }
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(filePath);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    // SQLite checkpoints the WAL inside whichever commit crosses the threshold: a spike of milliseconds in that
    // commit, possibly the one an order waits on. The journal checkpoints itself after cycles instead (release());
    // this high threshold is only a safety net for connections that never release.
    db.pragma(`wal_autocheckpoint = ${WAL_SAFETY_CHECKPOINT_PAGES}`);
    return db;
  } catch (error) {
    db?.close();
    throw dataDirError(inMemory ? filePath : dirname(resolve(filePath)), error);
  }
}

function runFromRow(row: RunRow): RunSummary {
  return { runId: row.run_id, profile: row.profile, mode: row.mode, startedAt: row.started_at, endedAt: row.ended_at, status: row.status };
}

function sqliteCode(error: unknown): string | undefined {
  return error instanceof Database.SqliteError ? error.code : undefined;
}

function withCause(error: ShError, cause: unknown): ShError {
  error.cause = cause;
  return error;
}

function unknownRun(runId: string): ShError {
  return new ShError('SH_ERR_JOURNAL_WRITE', `run ${runId} was never started in this journal`, {
    received: runId,
    expected: 'a run id passed to startRun first',
    fix: 'Call startRun before recording anything for a run.',
  });
}

function writeError(what: string, error: unknown): ShError {
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const details =
    code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
      ? { sqliteCode: code, expected: 'a run (and order) recorded before what refers to it', fix: 'Call startRun before recording anything for a run.' }
      : { sqliteCode: code, fix: 'Check disk space and that the --data-dir is writable; the journal must be durable before the host trades.' };
  return withCause(new ShError('SH_ERR_JOURNAL_WRITE', `could not ${what}: ${message}`, { ...details, cause: message }), error);
}

function dataDirError(directory: string, error: unknown): ShError {
  const message = error instanceof Error ? error.message : String(error);
  return withCause(
    new ShError('SH_ERR_DATA_DIR_UNWRITABLE', `cannot open the journal in ${directory}: ${message}`, {
      where: directory,
      received: directory,
      expected: 'a directory the host can create and write',
      fix: `Create ${directory} with write permission for this user, or pass another --data-dir.`,
      cause: message,
    }),
    error,
  );
}
