import path from 'node:path';
import { ShError, type Difference, type OrderValue, type PositionValue } from '../../core/index.js';
import type { HostConfig } from '../config/load-config.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { openKillSwitch } from '../kill-switch/open-kill-switch.js';
import { ensureDataDir } from '../run-host.js';
import { configuredBroker } from './configured-broker.js';
import { hostViewFromJournal } from './journal-view.js';
import type { ReconcileAction, ReconcileOutcome, ReconcilePolicy } from './reconcile-types.js';
import { Reconciler } from './reconciler.js';
import { ReconciliationLog } from './reconciliation-log.js';

export interface ReconcileCommandOptions {
  readonly json: boolean;
  /** --policy: adopt (default) or halt. flatten needs the running host's risk chain. */
  readonly policy?: string;
  /** --tolerance: the notional tolerance (default 1000). */
  readonly tolerance?: string;
  /** --venue-url: reconcile with the venue there, whatever broker.kind says. */
  readonly venueUrl?: string;
  /** Notes for stderr. */
  readonly log: (line: string) => void;
}

/** What the command prints and its exit code: 0 within tolerance, 1 beyond. */
export interface ReconcileCommandResult {
  readonly output: string;
  readonly exitCode: number;
}

/**
 * `strategy-host reconcile [--json] --data-dir <dir> --config <file>`: one pass, now, of the configured broker against
 * the host's view rebuilt from the data dir's journal (its latest run). Differences are journaled like a running
 * host's; beyond the tolerance the data dir's kill switch goes to NO_NEW (a running host obeys at its next cycle).
 */
export async function reconcileCommand(config: HostConfig, dataDir: string, options: ReconcileCommandOptions): Promise<ReconcileCommandResult> {
  const policy = parsePolicy(options.policy);
  const notionalTolerance = parseTolerance(options.tolerance);
  ensureDataDir(dataDir);
  const journalFile = path.join(dataDir, config.journal.file);
  const { broker, kind, where } = configuredBroker(config, options.venueUrl === undefined ? {} : { venueUrl: options.venueUrl });
  if (kind === 'paper') options.log('note: broker.kind is paper, a simulator inside the host process: this pass compares the journal with a fresh, empty one');
  const journal = new SqliteJournal(journalFile);
  const log = new ReconciliationLog(journalFile);
  const { controller, store } = openKillSwitch(config, dataDir, (from, to, operator, reason) => {
    journal.recordOperatorAction(null, { time: Date.now(), operator, action: 'kill-switch', detail: { from, to, reason } });
  });
  try {
    const { runId, view } = hostViewFromJournal(journal);
    await broker.connect();
    const reconciler = new Reconciler({ broker, hostView: () => view, log, runId, policy, ...(notionalTolerance === undefined ? {} : { notionalTolerance }), killSwitch: controller });
    const outcome = await reconciler.reconcileOnce();
    const exitCode = outcome.reconciliation.withinTolerance ? 0 : 1;
    if (options.json) {
      const { differences, withinTolerance, totalNotional, unpriced } = outcome.reconciliation;
      const body = { differences: differences.map(jsonDifference), withinTolerance, totalNotional, unpriced, actions: outcome.actions, escalatedTo: outcome.escalatedTo ?? null, runId, broker: broker.id, passId: outcome.passId };
      return { output: `${JSON.stringify(body, null, 2)}\n`, exitCode };
    }
    return { output: renderOutcome(outcome, runId, where, notionalTolerance ?? 1000), exitCode };
  } finally {
    await broker.disconnect().catch(() => undefined);
    store.close();
    log.close();
    journal.close();
  }
}

/** The table the command prints. */
export function renderOutcome(outcome: ReconcileOutcome, runId: string | null, where: string, notionalTolerance: number): string {
  const { differences, totalNotional, withinTolerance, unpriced } = outcome.reconciliation;
  const verdict = withinTolerance ? 'within tolerance' : 'BEYOND TOLERANCE';
  const lines = [
    `reconciliation with ${where} against ${runId === null ? 'an empty journal' : `run ${runId}`} (policy ${outcome.policy}, pass ${outcome.passId})`,
    `${differences.length} differences, mismatch notional ${totalNotional.toFixed(2)} (tolerance ${notionalTolerance.toFixed(2)}): ${verdict}${unpriced.length > 0 ? `; no price for ${unpriced.join(', ')}` : ''}`,
  ];
  if (differences.length > 0) {
    const actions = new Map(outcome.actions.map((a) => [a.differenceId, a]));
    const rows = [['KIND', 'SYMBOL', 'ORDER', 'HOST', 'BROKER', 'NOTIONAL', 'ACTION']];
    for (const d of differences) {
      rows.push([d.kind, d.symbol, d.clientOrderId ?? '-', describe(d.hostValue), describe(d.brokerValue), Number.isFinite(d.notional) ? d.notional.toFixed(2) : 'no price', describeAction(actions.get(d.id))]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) lines.push(row.map((cell, column) => (column === 5 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd());
  }
  if (outcome.escalatedTo !== undefined) lines.push(`kill switch escalated to ${outcome.escalatedTo}`);
  return `${lines.join('\n')}\n`;
}

function describe(value: Difference['hostValue']): string {
  if (value === null) return '-';
  if ('status' in value) {
    const order = value as OrderValue;
    return `${order.status} ${order.side} ${order.filledQuantity}/${order.quantity}`;
  }
  const position = value as PositionValue;
  return `${position.quantity} @ ${position.averagePrice.toFixed(2)}`;
}

function describeAction(action: ReconcileAction | undefined): string {
  if (action === undefined) return '-';
  const state = action.state === 'taken' ? '' : ` (${action.state}${action.detail ? `: ${action.detail}` : ''})`;
  return `${action.kind}${state}`;
}

/** NaN does not survive JSON: an unvalued notional is null there. */
function jsonDifference(difference: Difference): Difference | (Omit<Difference, 'notional'> & { notional: null }) {
  return Number.isFinite(difference.notional) ? difference : { ...difference, notional: null };
}

function parsePolicy(text: string | undefined): ReconcilePolicy {
  if (text === undefined || text === 'adopt' || text === 'halt') return text ?? 'adopt';
  throw new ShError('SH_ERR_CLI_USAGE', `reconcile --policy ${JSON.stringify(text)} is not available here`, {
    where: '--policy',
    received: text,
    expected: 'adopt or halt',
    fix: 'flatten sends orders through the running host\'s risk chain: set it on the host, or use `kill --tier FLATTEN_ALL`.',
  });
}

function parseTolerance(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !(Number.isFinite(value) && value >= 0)) {
    throw new ShError('SH_ERR_CLI_USAGE', '--tolerance needs a notional amount', { where: '--tolerance', received: text, expected: 'a number >= 0 in account currency, e.g. 1000' });
  }
  return value;
}
