import { isWorking, PositionBook } from '../../core/index.js';
import type { SqliteJournal } from '../journal/sqlite-journal.js';
import type { HostView } from './reconcile-types.js';

/** The host's view rebuilt from a journal, and the run it is of. */
export interface JournalHostView {
  /** The run read; null for a journal without runs (the view is then empty). */
  readonly runId: string | null;
  readonly view: HostView;
}

/**
 * What a host believed, rebuilt from its journal when no host runs: positions from the run's fills (applied in journal
 * order, as the engine applied them), open orders from the orders whose last status is working, and the run's other
 * orders as known final ones. Reads the latest run unless `runId` names one.
 * @example const { runId, view } = hostViewFromJournal(journal); // the latest run's view
 */
export function hostViewFromJournal(journal: SqliteJournal, runId?: string): JournalHostView {
  const run = runId ?? journal.latestRun()?.runId;
  if (run === undefined) return { runId: null, view: { positions: [], openOrders: [], orders: [] } };
  const book = new PositionBook();
  for (const fill of journal.fills(run)) book.applyFill(fill);
  const orders = journal.orders(run);
  return {
    runId: run,
    view: { positions: book.positions(), openOrders: orders.filter((o) => isWorking(o.status)), orders: orders.filter((o) => !isWorking(o.status)) },
  };
}
