import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ShError } from '../../core/index.js';
import { migrate } from './journal-schema.js';

/**
 * A second connection to a data dir's journal (the kill-switch store, the reconciliation log): the directory
 * created, WAL, synchronous FULL, a busy timeout for concurrent writers, foreign keys on, schema migrated.
 */
export function openJournalConnection(journalFile: string): Database.Database {
  let db: Database.Database;
  try {
    fs.mkdirSync(path.dirname(journalFile), { recursive: true });
    db = new Database(journalFile);
  } catch (error) {
    throw new ShError('SH_ERR_DATA_DIR_UNWRITABLE', `cannot open the journal ${journalFile}: ${(error as Error).message}`, { where: '--data-dir', received: journalFile });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}
