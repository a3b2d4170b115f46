import type { BrokerAdapter, Fill, Position } from '../core/index.js';
import type { SqliteJournal } from './journal/sqlite-journal.js';

/** What a restarted paper run picks up from its journal and its broker. */
export interface ResumePoint {
  readonly runId: string;
  /** Decision times up to and including this one were completed (state snapshot taken); the run goes on after it. */
  readonly afterTime: number;
  readonly states: ReadonlyMap<string, unknown>;
  /** The broker's positions: the broker is the truth. */
  readonly positions: readonly Position[];
  /** Intents already journaled: a replayed cycle never journals or sends them again. */
  readonly journaledIntents: Set<string>;
  /** Intents journaled but never sent (the host stopped between journal and broker): marked, never resent. */
  readonly neverSent: number;
  readonly adoptedOrders: number;
  readonly recoveredFills: number;
}

/**
 * Find the paper run of this profile that did not finish (a crash) and bring its journal up to date with the
 * broker: every journaled intent without an order is looked up by client order id at the broker (found: adopted;
 * not found: marked never sent), and fills the host did not journal are recovered. Undefined when nothing to resume.
 */
export async function prepareResume(journal: SqliteJournal, profile: string, broker: BrokerAdapter & { allFills?: () => Promise<Fill[]> }): Promise<ResumePoint | undefined> {
  const last = journal.latestRun();
  if (!last || last.status !== 'running' || last.profile !== profile || last.mode !== 'paper') return undefined;
  const runId = last.runId;
  const snapshots = journal.latestPluginStates(runId);
  const snapshotCycle = snapshots.size > 0 ? Math.min(...[...snapshots.values()].map((s) => s.cycle)) : 0;
  const cycle = journal.cycles(runId).find((c) => c.cycle === snapshotCycle);
  const afterTime = cycle ? cycle.time : Number.NEGATIVE_INFINITY;
  const states = new Map(snapshotCycle > 0 && cycle ? [...snapshots.values()].map((s) => [s.strategyId, s.state] as const) : []);
  const intents = journal.intents(runId);
  const ordered = new Set(journal.orders(runId).map((o) => o.clientOrderId));
  let neverSent = 0;
  let adoptedOrders = 0;
  for (const intent of intents) {
    if (ordered.has(intent.clientOrderId)) continue;
    const order = await broker.orderByClientId(intent.clientOrderId);
    if (order) {
      journal.recordOrder(runId, { ...order, routedTo: broker.id, executedBy: broker.id });
      adoptedOrders += 1;
    } else {
      journal.recordOrder(runId, {
        clientOrderId: intent.clientOrderId,
        symbol: intent.symbol,
        side: intent.side,
        quantity: intent.quantity,
        type: intent.type,
        timeInForce: intent.timeInForce,
        status: 'REJECTED',
        filledQuantity: 0,
        averagePrice: 0,
        submittedAt: intent.time,
        updatedAt: intent.time,
        routedTo: broker.id,
        rejectReason: 'never sent: the host stopped between journaling the intent and submitting it (found by lookup at restart)',
      });
      neverSent += 1;
    }
  }
  let recoveredFills = 0;
  if (broker.allFills) {
    const ours = new Set(intents.map((i) => i.clientOrderId));
    const known = new Set(journal.fills(runId).map((f) => f.fillId));
    for (const fill of await broker.allFills()) {
      if (!ours.has(fill.clientOrderId) || known.has(fill.fillId)) continue;
      journal.recordFill(runId, fill);
      recoveredFills += 1;
    }
  }
  return { runId, afterTime, states, positions: await broker.positions(), journaledIntents: new Set(intents.map((i) => i.clientOrderId)), neverSent, adoptedOrders, recoveredFills };
}
