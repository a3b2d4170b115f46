import type Database from 'better-sqlite3';
import { type Difference, type DifferenceKind, type EpochMs, type KillTier } from '../../core/index.js';
import { openJournalConnection } from '../journal/open-connection.js';
import type { ReconcilePolicy } from './reconcile-types.js';

/** What a policy did about one difference. */
export type ReconcileActionKind = 'adopt' | 'flatten' | 'cancel' | 'halt';

/** taken: this pass acted; taken-before: an earlier pass of the same episode did; refused: the action failed or was refused. */
export type ReconcileActionState = 'taken' | 'taken-before' | 'refused';

/** One pass, as journaled in `reconciliation_passes`. */
export interface ReconciliationPass {
  readonly passId: number;
  readonly runId: string | null;
  readonly time: EpochMs;
  readonly broker: string;
  readonly policy: ReconcilePolicy;
  readonly differences: number;
  readonly totalNotional: number;
  readonly withinTolerance: boolean;
  readonly escalatedTo: KillTier | null;
}

/** One difference and its action, as journaled in `reconciliations`. */
export interface ReconciliationRow {
  readonly passId: number;
  readonly runId: string | null;
  readonly time: EpochMs;
  readonly kind: DifferenceKind;
  readonly symbol: string;
  readonly clientOrderId: string | null;
  readonly hostValue: unknown;
  readonly brokerValue: unknown;
  /** null when the difference could not be valued. */
  readonly notional: number | null;
  readonly action: ReconcileActionKind;
  readonly actionId: string;
  readonly actionState: ReconcileActionState;
  readonly detail: string | null;
}

/** A difference with the action decided for it, before it is journaled. */
export interface DecidedDifference {
  readonly difference: Difference;
  readonly action: ReconcileActionKind;
  readonly actionId: string;
  readonly actionState: ReconcileActionState;
  readonly detail?: string;
}

interface PassRow {
  pass_id: number;
  run_id: string | null;
  time: number;
  broker: string;
  policy: ReconcilePolicy;
  differences: number;
  total_notional: number;
  within_tolerance: 0 | 1;
  escalated_to: KillTier | null;
}

interface DifferenceRow {
  pass_id: number;
  run_id: string | null;
  time: number;
  kind: DifferenceKind;
  symbol: string;
  client_order_id: string | null;
  host_value: string | null;
  broker_value: string | null;
  notional: number | null;
  action: ReconcileActionKind;
  action_id: string;
  action_state: ReconcileActionState;
  detail: string | null;
}

/**
 * The reconciliation tables of a journal database (`reconciliation_passes`, `reconciliations`), through a connection
 * of its own, like the kill-switch store: the host, the CLI and tests can each open one on the same file (WAL and a
 * busy timeout make concurrent writers safe).
 */
export class ReconciliationLog {
  private readonly db: Database.Database;
  private readonly statements: { readonly insertPass: Database.Statement; readonly insertDifference: Database.Statement };

  constructor(journalFile: string) {
    this.db = openJournalConnection(journalFile);
    this.statements = {
      insertPass: this.db.prepare(
        'INSERT INTO reconciliation_passes (run_id, time, broker, policy, differences, total_notional, within_tolerance, escalated_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertDifference: this.db.prepare(
        `INSERT INTO reconciliations (pass_id, run_id, time, kind, symbol, client_order_id, host_value, broker_value, notional, action, action_id, action_state, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /**
   * Journal a pass and its differences in one transaction (durable when this returns); returns the pass id.
   * Called before any action is taken, so a crash in between can never cause a second action (at most once).
   */
  recordPass(pass: Omit<ReconciliationPass, 'passId'>, decided: readonly DecidedDifference[]): number {
    const { insertPass, insertDifference } = this.statements;
    const write = this.db.transaction((): number => {
      const passId = Number(
        insertPass.run(pass.runId, pass.time, pass.broker, pass.policy, pass.differences, pass.totalNotional, pass.withinTolerance ? 1 : 0, pass.escalatedTo).lastInsertRowid,
      );
      for (const { difference: d, action, actionId, actionState, detail } of decided) {
        insertDifference.run(
          passId, pass.runId, pass.time, d.kind, d.symbol, d.clientOrderId ?? null, json(d.hostValue), json(d.brokerValue),
          Number.isFinite(d.notional) ? d.notional : null, action, actionId, actionState, detail ?? null,
        );
      }
      return passId;
    });
    return write.immediate();
  }

  /** After the fact: the action of a pass failed or was refused (by the risk chain, or the broker). */
  markRefused(passId: number, actionId: string, detail: string): void {
    this.db.prepare("UPDATE reconciliations SET action_state = 'refused', detail = ? WHERE pass_id = ? AND action_id = ?").run(detail, passId, actionId);
  }

  /** Record the tier a pass escalated to, once the kill switch answered. */
  markEscalated(passId: number, tier: KillTier): void {
    this.db.prepare('UPDATE reconciliation_passes SET escalated_to = ? WHERE pass_id = ?').run(tier, passId);
  }

  /**
   * Action ids the latest pass against `broker` had taken (in it or before): a restarted host resumes with them, so it
   * does not act again on a difference that is still there. Empty after a clean pass (the episode ended).
   */
  actedInLatestPass(broker: string): Set<string> {
    const rows = this.db
      .prepare(
        `SELECT action_id FROM reconciliations WHERE action_state IN ('taken', 'taken-before')
         AND pass_id = (SELECT MAX(pass_id) FROM reconciliation_passes WHERE broker = ?)`,
      )
      .all(broker) as { action_id: string }[];
    return new Set(rows.map((r) => r.action_id));
  }

  /** Passes, oldest first: of one broker, or all. */
  passes(broker?: string): ReconciliationPass[] {
    const rows = (broker === undefined
      ? this.db.prepare('SELECT * FROM reconciliation_passes ORDER BY pass_id').all()
      : this.db.prepare('SELECT * FROM reconciliation_passes WHERE broker = ? ORDER BY pass_id').all(broker)) as PassRow[];
    return rows.map((r) => ({
      passId: r.pass_id,
      runId: r.run_id,
      time: r.time,
      broker: r.broker,
      policy: r.policy,
      differences: r.differences,
      totalNotional: r.total_notional,
      withinTolerance: r.within_tolerance === 1,
      escalatedTo: r.escalated_to,
    }));
  }

  /** Differences as journaled, in journal order: of one pass, or all. */
  rows(passId?: number): ReconciliationRow[] {
    const rows = (passId === undefined
      ? this.db.prepare('SELECT * FROM reconciliations ORDER BY id').all()
      : this.db.prepare('SELECT * FROM reconciliations WHERE pass_id = ? ORDER BY id').all(passId)) as DifferenceRow[];
    return rows.map((r) => ({
      passId: r.pass_id,
      runId: r.run_id,
      time: r.time,
      kind: r.kind,
      symbol: r.symbol,
      clientOrderId: r.client_order_id,
      hostValue: r.host_value === null ? null : JSON.parse(r.host_value),
      brokerValue: r.broker_value === null ? null : JSON.parse(r.broker_value),
      notional: r.notional,
      action: r.action,
      actionId: r.action_id,
      actionState: r.action_state,
      detail: r.detail,
    }));
  }

  /** Close the connection; closing twice is harmless. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
