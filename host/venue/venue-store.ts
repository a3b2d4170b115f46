import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { ShError } from '../../core/index.js';
import { migrate, type Migration } from '../journal/journal-schema.js';
import { fillFromRow, fillToRow, orderFromRow, orderToRow, type FillRow, type OrderRow } from './venue-rows.js';
import type { VenueEvent, VenueFill, VenueOrder, VenueSettings } from './venue-types.js';

/**
 * The venue's durable state: `<data-dir>/venue.sqlite`, WAL with synchronous=FULL, so a write is on disk when
 * `commit` returns, and the HTTP answer goes out only after it.
 *
 * - `events` is the input journal (the truth): every accepted order, cancel, batch of bars and liquidation print, in
 *   order. Replaying it rebuilds the venue (paper-venue.ts).
 * - `orders`, `order_updates` and `fills` are what those events produced, written in the same transaction: readable
 *   with any SQLite tool, and checked against the replay on every start.
 * Nothing is ever deleted: triggers refuse DELETE on every table but settings.
 * The file is locked (SQLite exclusive locking mode) while a venue has it open: one writer, and no reader either.
 */
export const VENUE_FILE = 'venue.sqlite';

const V1 = `
CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('submit', 'cancel', 'bars', 'print')),
  payload      TEXT NOT NULL,
  recorded_at  INTEGER NOT NULL
);

CREATE TABLE orders (
  id                TEXT PRIMARY KEY,
  seq               INTEGER NOT NULL UNIQUE,
  client_order_id   TEXT NOT NULL UNIQUE,
  symbol            TEXT NOT NULL,
  side              TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  qty               REAL NOT NULL,
  type              TEXT NOT NULL,
  time_in_force     TEXT NOT NULL,
  limit_price       REAL,
  source            TEXT NOT NULL,
  submitted_at      INTEGER NOT NULL,
  received_at       INTEGER NOT NULL,
  status            TEXT NOT NULL,
  filled_qty        REAL NOT NULL,
  filled_avg_price  REAL NOT NULL,
  updated_at        INTEGER NOT NULL,
  filled_at         INTEGER,
  canceled_at       INTEGER,
  failed_at         INTEGER,
  reject_reason     TEXT
);

CREATE TABLE order_updates (
  seq        INTEGER PRIMARY KEY,
  event_seq  INTEGER NOT NULL REFERENCES events (seq),
  order_id   TEXT NOT NULL REFERENCES orders (id),
  status     TEXT NOT NULL,
  filled_qty REAL NOT NULL,
  at         INTEGER NOT NULL
);
CREATE INDEX order_updates_by_order ON order_updates (order_id, seq);

CREATE TABLE fills (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  event_seq        INTEGER NOT NULL REFERENCES events (seq),
  order_id         TEXT NOT NULL REFERENCES orders (id),
  client_order_id  TEXT NOT NULL,
  symbol           TEXT NOT NULL,
  side             TEXT NOT NULL,
  qty              REAL NOT NULL,
  price            REAL NOT NULL,
  commission       REAL NOT NULL,
  time             INTEGER NOT NULL,
  cum_qty          REAL NOT NULL,
  cum_avg_price    REAL NOT NULL,
  order_status     TEXT NOT NULL
);

CREATE TRIGGER events_append_only BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'venue events are never deleted'); END;
CREATE TRIGGER orders_never_deleted BEFORE DELETE ON orders BEGIN SELECT RAISE(ABORT, 'venue orders are never deleted'); END;
CREATE TRIGGER order_updates_append_only BEFORE DELETE ON order_updates BEGIN SELECT RAISE(ABORT, 'venue order updates are never deleted'); END;
CREATE TRIGGER fills_append_only BEFORE DELETE ON fills BEGIN SELECT RAISE(ABORT, 'venue fills are never deleted'); END;
`;

export const VENUE_MIGRATIONS: readonly Migration[] = [{ version: 1, description: 'paper venue: settings, events, orders, order updates, fills', up: V1 }];

/** What one request changed, written in one transaction. */
export interface VenueChanges {
  readonly events: readonly VenueEvent[];
  /** The orders created or changed, in their state after the request. */
  readonly orders: readonly VenueOrder[];
  /** Status changes, in the order they happened; `event` indexes `events`. */
  readonly updates: readonly { readonly event: number; readonly order: VenueOrder }[];
  readonly fills: readonly { readonly event: number; readonly fill: VenueFill }[];
}

/** A recorded event with its sequence number. */
export interface StoredEvent {
  readonly seq: number;
  readonly event: VenueEvent;
}

/** The SQLite file of one venue; only one process at a time can open it. */
export class VenueStore {
  readonly filePath: string;
  private readonly db: SqliteDatabase;
  private readonly sql: { readonly [name: string]: Statement };
  private readonly now: () => number;

  constructor(dataDir: string, now: () => number = Date.now) {
    this.now = now;
    this.filePath = path.join(dataDir, VENUE_FILE);
    this.db = open(dataDir, this.filePath);
    try {
      migrate(this.db, now(), VENUE_MIGRATIONS);
      this.sql = {
        setting: this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)'),
        event: this.db.prepare('INSERT INTO events (kind, payload, recorded_at) VALUES (?, ?, ?)'),
        order: this.db.prepare(`INSERT INTO orders (id, seq, client_order_id, symbol, side, qty, type, time_in_force, limit_price, source, submitted_at, received_at,
          status, filled_qty, filled_avg_price, updated_at, filled_at, canceled_at, failed_at, reject_reason)
          VALUES (@id, @seq, @client_order_id, @symbol, @side, @qty, @type, @time_in_force, @limit_price, @source, @submitted_at, @received_at,
          @status, @filled_qty, @filled_avg_price, @updated_at, @filled_at, @canceled_at, @failed_at, @reject_reason)
          ON CONFLICT (id) DO UPDATE SET status = excluded.status, filled_qty = excluded.filled_qty, filled_avg_price = excluded.filled_avg_price,
          updated_at = excluded.updated_at, filled_at = excluded.filled_at, canceled_at = excluded.canceled_at, failed_at = excluded.failed_at,
          reject_reason = excluded.reject_reason`),
        update: this.db.prepare('INSERT INTO order_updates (event_seq, order_id, status, filled_qty, at) VALUES (?, ?, ?, ?, ?)'),
        fill: this.db.prepare(`INSERT INTO fills (seq, id, event_seq, order_id, client_order_id, symbol, side, qty, price, commission, time, cum_qty, cum_avg_price, order_status)
          VALUES (@seq, @id, @event_seq, @order_id, @client_order_id, @symbol, @side, @qty, @price, @commission, @time, @cum_qty, @cum_avg_price, @order_status)`),
      };
    } catch (error) {
      this.db.close();
      throw error instanceof ShError ? error : writeError('prepare the venue database', error);
    }
  }

  /** The settings the data dir was created with; undefined for a new one. */
  settings(): VenueSettings | undefined {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = 'venue'").get() as { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as VenueSettings);
  }

  saveSettings(settings: VenueSettings): void {
    this.write('save the venue settings', () => this.sql.setting!.run('venue', JSON.stringify(settings)));
  }

  /** Every recorded event, in order. */
  events(): StoredEvent[] {
    const rows = this.db.prepare('SELECT seq, kind, payload FROM events ORDER BY seq').all() as { seq: number; kind: string; payload: string }[];
    return rows.map((row) => ({ seq: row.seq, event: { kind: row.kind, ...JSON.parse(row.payload) } as VenueEvent }));
  }

  orders(): VenueOrder[] {
    return (this.db.prepare('SELECT * FROM orders ORDER BY seq').all() as OrderRow[]).map(orderFromRow);
  }

  fills(): VenueFill[] {
    return (this.db.prepare('SELECT * FROM fills ORDER BY seq').all() as FillRow[]).map(fillFromRow);
  }

  /** Write what one request changed, atomically and durably. */
  commit(changes: VenueChanges): void {
    this.write('record a venue change', () =>
      this.db.transaction(() => {
        const recordedAt = this.now();
        const eventSeqs = changes.events.map((event) => {
          const { kind, ...payload } = event;
          return Number(this.sql.event!.run(kind, JSON.stringify(payload), recordedAt).lastInsertRowid);
        });
        for (const order of changes.orders) this.sql.order!.run(orderToRow(order));
        for (const { event, order } of changes.updates) this.sql.update!.run(eventSeqs[event], order.id, order.status, order.filledQty, order.updatedAt);
        for (const { event, fill } of changes.fills) this.sql.fill!.run({ ...fillToRow(fill), event_seq: eventSeqs[event] });
      })(),
    );
  }

  /** Journal mode and synchronous level, for tests and health checks. */
  pragmas(): { readonly journalMode: string; readonly synchronous: number } {
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: Number(this.db.pragma('synchronous', { simple: true })) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private write(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      throw writeError(what, error);
    }
  }
}

function open(dataDir: string, filePath: string): SqliteDatabase {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new ShError('SH_ERR_DATA_DIR_UNWRITABLE', `cannot create the venue data dir: ${(error as Error).message}`, { where: '--data-dir', received: dataDir, expected: 'a writable directory' });
  }
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(filePath);
    db.pragma('busy_timeout = 0');
    // One venue per data dir: the first process takes an exclusive lock and keeps it until it closes (or dies: the
    // OS drops the lock with the process). A second venue on the same dir fails here instead of forking the journal.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (error) {
    db?.close();
    const busy = (error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true;
    throw new ShError('SH_ERR_DATA_DIR_UNWRITABLE', busy ? `${VENUE_FILE} is in use by another venue process` : `cannot open ${VENUE_FILE}: ${(error as Error).message}`, {
      where: '--data-dir',
      received: dataDir,
      expected: busy ? 'a data dir no other venue is serving' : 'a writable directory',
      ...(busy ? { fix: 'Stop the other venue, or give this one its own --data-dir.' } : {}),
    });
  }
}

function writeError(what: string, error: unknown): ShError {
  return new ShError('SH_ERR_JOURNAL_WRITE', `the venue could not ${what}: ${(error as Error).message}`, { where: VENUE_FILE, cause: (error as Error).message });
}
