import type { Database } from 'better-sqlite3';
import { ShError } from '../../core/index.js';

/**
 * The journal schema, as an ordered list of migrations. A migration is applied once, in its own transaction,
 * and recorded in `schema_version`; later issues append migrations here and never edit an applied one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: string;
}

// Every run-scoped table references runs(run_id): a write for a run that was never started fails loudly
// instead of leaving orphan rows nobody can attribute.
const V1 = `
CREATE TABLE runs (
  run_id      TEXT PRIMARY KEY,
  profile     TEXT NOT NULL,
  mode        TEXT NOT NULL CHECK (mode IN ('backtest', 'paper', 'live')),
  started_at  INTEGER NOT NULL,
  config      TEXT,
  ended_at    INTEGER,
  status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed', 'stopped')),
  summary     TEXT
);

CREATE TABLE cycles (
  run_id      TEXT NOT NULL REFERENCES runs (run_id),
  cycle       INTEGER NOT NULL,
  time        INTEGER NOT NULL,
  latency_ms  REAL NOT NULL,
  intents     INTEGER NOT NULL,
  equity      REAL NOT NULL,
  PRIMARY KEY (run_id, cycle)
);

CREATE TABLE signals (
  id           INTEGER PRIMARY KEY,
  run_id       TEXT NOT NULL REFERENCES runs (run_id),
  cycle        INTEGER NOT NULL,
  strategy_id  TEXT NOT NULL,
  time         INTEGER NOT NULL,
  symbol       TEXT NOT NULL,
  weight       REAL NOT NULL,
  confidence   REAL NOT NULL,
  reason       TEXT NOT NULL
);
CREATE INDEX signals_by_run ON signals (run_id, strategy_id, cycle);

CREATE TABLE intents (
  client_order_id  TEXT PRIMARY KEY,
  run_id           TEXT NOT NULL REFERENCES runs (run_id),
  cycle            INTEGER NOT NULL,
  time             INTEGER NOT NULL,
  symbol           TEXT NOT NULL,
  side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity         REAL NOT NULL,
  type             TEXT NOT NULL,
  limit_price      REAL,
  time_in_force    TEXT NOT NULL,
  position_before  REAL NOT NULL,
  target_position  REAL NOT NULL,
  reference_price  REAL NOT NULL,
  attribution      TEXT NOT NULL,
  reason           TEXT NOT NULL
);
CREATE INDEX intents_by_run ON intents (run_id, cycle);

CREATE TABLE risk_decisions (
  id               INTEGER PRIMARY KEY,
  run_id           TEXT NOT NULL REFERENCES runs (run_id),
  client_order_id  TEXT NOT NULL,
  cycle            INTEGER NOT NULL,
  time             INTEGER NOT NULL,
  symbol           TEXT NOT NULL,
  guard            TEXT NOT NULL,
  result           TEXT NOT NULL CHECK (result IN ('pass', 'clip', 'reject')),
  reason           TEXT NOT NULL,
  quantity_before  REAL NOT NULL,
  quantity_after   REAL NOT NULL,
  compared         TEXT NOT NULL
);
CREATE INDEX risk_decisions_by_run ON risk_decisions (run_id, cycle);

-- Current state of each order; its history is order_events, which is only ever appended to.
CREATE TABLE orders (
  client_order_id  TEXT PRIMARY KEY,
  run_id           TEXT NOT NULL REFERENCES runs (run_id),
  broker_order_id  TEXT,
  symbol           TEXT NOT NULL,
  side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity         REAL NOT NULL,
  type             TEXT NOT NULL,
  limit_price      REAL,
  time_in_force    TEXT NOT NULL,
  status           TEXT NOT NULL,
  filled_quantity  REAL NOT NULL,
  average_price    REAL NOT NULL,
  submitted_at     INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  routed_to        TEXT,
  executed_by      TEXT,
  reject_reason    TEXT
);
CREATE INDEX orders_by_run ON orders (run_id);

CREATE TABLE order_events (
  id               INTEGER PRIMARY KEY,
  client_order_id  TEXT NOT NULL REFERENCES orders (client_order_id),
  run_id           TEXT NOT NULL REFERENCES runs (run_id),
  time             INTEGER NOT NULL,
  status           TEXT NOT NULL,
  filled_quantity  REAL NOT NULL,
  average_price    REAL NOT NULL,
  reject_reason    TEXT
);
CREATE INDEX order_events_by_order ON order_events (client_order_id, id);

CREATE TABLE fills (
  fill_id          TEXT PRIMARY KEY,
  run_id           TEXT NOT NULL REFERENCES runs (run_id),
  client_order_id  TEXT NOT NULL,
  symbol           TEXT NOT NULL,
  side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity         REAL NOT NULL,
  price            REAL NOT NULL,
  commission       REAL NOT NULL,
  time             INTEGER NOT NULL,
  broker           TEXT NOT NULL
);
CREATE INDEX fills_by_run ON fills (run_id, time);

CREATE TABLE positions (
  id             INTEGER PRIMARY KEY,
  run_id         TEXT NOT NULL REFERENCES runs (run_id),
  cycle          INTEGER NOT NULL,
  time           INTEGER NOT NULL,
  symbol         TEXT NOT NULL,
  quantity       REAL NOT NULL,
  average_price  REAL NOT NULL
);
CREATE INDEX positions_by_run ON positions (run_id, cycle);

CREATE TABLE plugin_states (
  id           INTEGER PRIMARY KEY,
  run_id       TEXT NOT NULL REFERENCES runs (run_id),
  strategy_id  TEXT NOT NULL,
  cycle        INTEGER NOT NULL,
  time         INTEGER NOT NULL,
  state        TEXT
);
CREATE INDEX plugin_states_by_run ON plugin_states (run_id, strategy_id, cycle);

CREATE TABLE faults (
  id           INTEGER PRIMARY KEY,
  run_id       TEXT NOT NULL REFERENCES runs (run_id),
  strategy_id  TEXT NOT NULL,
  hook         TEXT NOT NULL,
  code         TEXT NOT NULL,
  message      TEXT NOT NULL,
  time         INTEGER NOT NULL,
  cause        TEXT
);
CREATE INDEX faults_by_run ON faults (run_id);

CREATE TABLE operator_actions (
  id        INTEGER PRIMARY KEY,
  run_id    TEXT REFERENCES runs (run_id),
  time      INTEGER NOT NULL,
  operator  TEXT NOT NULL,
  action    TEXT NOT NULL,
  detail    TEXT
);
CREATE INDEX operator_actions_by_run ON operator_actions (run_id);
`;

// Kill-switch requests, append-only: the tier at any moment is the fold of every request through the pure state
// machine of core/risk/kill-switch.ts, so a CLI in another process and a running host agree, and nothing is lost.
const V2 = `
CREATE TABLE kill_switch_requests (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  time      INTEGER NOT NULL,
  tier      TEXT NOT NULL CHECK (tier IN ('ACTIVE', 'WARN', 'THROTTLE', 'NO_NEW', 'FLATTEN_ALL')),
  operator  TEXT NOT NULL,
  reason    TEXT NOT NULL,
  source    TEXT NOT NULL
);
`;

// Reconciliation (host/reconcile): one row per pass against one broker, and one per difference found, with the action
// the policy took. `action_state` says whether this pass took the action or an earlier pass of the same episode did, so
// a restarted host does not act twice on a difference that was never resolved.
const V3 = `
CREATE TABLE reconciliation_passes (
  pass_id           INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id            TEXT REFERENCES runs (run_id),
  time              INTEGER NOT NULL,
  broker            TEXT NOT NULL,
  policy            TEXT NOT NULL CHECK (policy IN ('adopt', 'flatten', 'halt')),
  differences       INTEGER NOT NULL,
  total_notional    REAL NOT NULL,
  within_tolerance  INTEGER NOT NULL CHECK (within_tolerance IN (0, 1)),
  escalated_to      TEXT
);
CREATE INDEX reconciliation_passes_by_broker ON reconciliation_passes (broker, pass_id);

CREATE TABLE reconciliations (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  pass_id          INTEGER NOT NULL REFERENCES reconciliation_passes (pass_id),
  run_id           TEXT REFERENCES runs (run_id),
  time             INTEGER NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('position-mismatch', 'position-unknown-to-host', 'position-missing-at-broker', 'order-unknown-to-host', 'order-missing-at-broker', 'order-status-mismatch')),
  symbol           TEXT NOT NULL,
  client_order_id  TEXT,
  host_value       TEXT,
  broker_value     TEXT,
  notional         REAL,
  action           TEXT NOT NULL CHECK (action IN ('adopt', 'flatten', 'cancel', 'halt')),
  action_id        TEXT NOT NULL,
  action_state     TEXT NOT NULL CHECK (action_state IN ('taken', 'taken-before', 'refused')),
  detail           TEXT
);
CREATE INDEX reconciliations_by_pass ON reconciliations (pass_id);
`;

// Signals and plugin-state snapshots are indexed by cycle, not by plugin. A cycle writes one row per plugin; under
// (run_id, strategy_id, cycle) each row landed on a different index leaf, so every cycle rewrote dozens of 4 KiB pages
// (about half a MB of write-ahead log per cycle with 42 plugins, then as much again at each checkpoint). Under
// (run_id, cycle) a cycle's rows go to the end of the index: a page or two. Per-plugin reads (the latest state of each
// plugin at resume, a plugin's signal count) scan the run's rows instead, once.
const V4 = `
DROP INDEX IF EXISTS signals_by_run;
CREATE INDEX signals_by_run_cycle ON signals (run_id, cycle);
DROP INDEX IF EXISTS plugin_states_by_run;
CREATE INDEX plugin_states_by_run_cycle ON plugin_states (run_id, cycle);
`;

// The commit an order waits on writes the cycle's risk decisions and intents. Every index on those two tables is one
// more page in that commit: two more WAL writes before its fsync. Their (run_id, cycle) indexes served only reads by
// run (resume reads a run's intents once; risk decisions are read for audit), which now scan the table; the
// client-order-id key of intents stays (uniqueness, hasIntent).
const V5 = `
DROP INDEX IF EXISTS risk_decisions_by_run;
DROP INDEX IF EXISTS intents_by_run;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial journal schema', up: V1 },
  { version: 2, description: 'kill-switch requests', up: V2 },
  { version: 3, description: 'reconciliation passes and differences', up: V3 },
  { version: 4, description: 'signals and plugin states indexed by cycle (a cycle appends to one index page)', up: V4 },
  { version: 5, description: 'no run indexes on risk decisions and intents (fewer pages in the commit an order waits on)', up: V5 },
];

/** The schema version this build of the host writes. */
export const JOURNAL_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The schema version recorded in a journal database; 0 for a new file. Reads only. */
export function schemaVersion(db: Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Bring a journal up to the last migration, each pending migration applied once and recorded in `schema_version`.
 * `now` stamps applied_at (injected so tests stay deterministic). Returns the version after migrating.
 * Refuses a journal written by a newer host: downgrading would silently drop what the newer schema records.
 * An up-to-date journal is only read, so opening it never waits for another connection's write lock.
 */
export function migrate(db: Database, now: number = Date.now(), migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const check = (current: number): void => {
    if (current > latest) {
      throw new ShError('SH_ERR_JOURNAL_WRITE', `the journal has schema version ${current}, newer than this host supports`, {
        received: current,
        expected: `a schema version <= ${latest}`,
        fix: 'Open it with the host version that wrote it, or start a new --data-dir.',
      });
    }
  };
  const before = schemaVersion(db);
  check(before);
  if (before === latest) return latest;
  const apply = db.transaction((): number => {
    // Checked again under the write lock: another process may have migrated the file in between.
    const current = schemaVersion(db);
    check(current);
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const record = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.up);
      record.run(migration.version, migration.description, now);
    }
    return latest;
  });
  // IMMEDIATE takes the write lock first, so two processes opening one new file cannot both apply a migration.
  return apply.immediate();
}
