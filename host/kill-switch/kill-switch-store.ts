import type Database from 'better-sqlite3';
import { INITIAL_KILL_STATE, requestTier, type KillSwitchState, type KillTier } from '../../core/index.js';
import { openJournalConnection } from '../journal/open-connection.js';

/**
 * Where a request came from. Only operators (cli, http) can de-escalate; automatic sources only escalate. `watchdog`:
 * the separate watchdog process, after the host's heartbeat stopped (host/watchdog).
 */
export type KillSource = 'cli' | 'http' | 'flag-file' | 'env' | 'breaker' | 'watchdog';

export interface KillRequest {
  readonly id: number;
  readonly time: number;
  readonly tier: KillTier;
  readonly operator: string;
  readonly reason: string;
  readonly source: KillSource;
}

/**
 * Kill-switch requests in the journal database of a --data-dir, shared by the running host and the CLI (each with
 * its own connection; WAL and a busy timeout make concurrent writers safe). The state is the fold of all requests.
 */
export class KillSwitchStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly since: Database.Statement;
  private lastId = 0;
  private current: KillSwitchState = INITIAL_KILL_STATE;
  private readonly log: KillRequest[] = [];

  constructor(journalFile: string) {
    this.db = openJournalConnection(journalFile);
    this.insert = this.db.prepare('INSERT INTO kill_switch_requests (time, tier, operator, reason, source) VALUES (?, ?, ?, ?, ?)');
    this.since = this.db.prepare('SELECT id, time, tier, operator, reason, source FROM kill_switch_requests WHERE id > ? ORDER BY id');
    this.refresh();
  }

  /** Read requests written since the last refresh (by this or another process) and fold them in. */
  refresh(): KillSwitchState {
    for (const row of this.since.all(this.lastId) as KillRequest[]) {
      this.lastId = row.id;
      this.log.push(row);
      this.current = requestTier(this.current, row.tier, row.operator, row.reason, row.time).state;
    }
    return this.current;
  }

  /** Append a request (durable when this returns) and return the state after it. */
  append(request: Omit<KillRequest, 'id'>): { state: KillSwitchState; changed: boolean; pending: boolean } {
    const tx = this.db.transaction(() => {
      this.refresh();
      const outcome = requestTier(this.current, request.tier, request.operator, request.reason, request.time);
      this.insert.run(request.time, request.tier, request.operator, request.reason, request.source);
      return outcome;
    });
    const outcome = tx.immediate();
    this.refresh();
    return outcome;
  }

  state(): KillSwitchState {
    return this.current;
  }

  requests(): readonly KillRequest[] {
    return this.log;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
