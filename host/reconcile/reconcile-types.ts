import type { Difference, KillTier, Order, Position, Reconciliation, Side } from '../../core/index.js';

/**
 * What the host does about differences (the broker is the truth in every case):
 * - `adopt` (default): take the broker's positions and order states as the host's own;
 * - `flatten`: adopt, then close what the host did not know (positions unknown to it, or the part of a position beyond
 *   what it believes) with closing orders that pass the risk chain, and cancel orders it never sent;
 * - `halt`: adopt, and escalate the kill switch to NO_NEW, so nothing new trades until an operator has looked.
 * Whatever the policy, a total mismatch beyond the notional tolerance escalates the kill switch to NO_NEW.
 */
export type ReconcilePolicy = 'adopt' | 'flatten' | 'halt';

export const RECONCILE_POLICIES: readonly ReconcilePolicy[] = ['adopt', 'flatten', 'halt'];

/** The host's side of a reconciliation, as the engine (or the journal) sees it. */
export interface HostView {
  readonly positions: readonly Position[];
  /** Orders the host believes working. */
  readonly openOrders: readonly Order[];
  /** Orders the host knows to be final (optional: lets a broker order the host believes done show as a status mismatch). */
  readonly orders?: readonly Order[];
}

/** A closing order the reconciler asks the engine to send (through its risk chain and journal). */
export interface ClosingOrderRequest {
  /** Deterministic key of this action: the same unresolved difference always gives the same id. */
  readonly actionId: string;
  readonly symbol: string;
  readonly side: Side;
  /** Positive quantity to trade. */
  readonly quantity: number;
  /** The position the host should hold once the order has filled. */
  readonly targetPosition: number;
  readonly reason: string;
  readonly difference: Difference;
}

/** What became of a closing order. */
export interface ClosingOrderResult {
  readonly submitted: boolean;
  /** The client order id the engine gave it. */
  readonly clientOrderId?: string;
  /** Why it was not submitted (the guard that rejected it, the broker's reason). */
  readonly reason?: string;
}

/** One action a pass decided on, with what became of it. */
export interface ReconcileAction {
  readonly actionId: string;
  readonly kind: 'adopt' | 'flatten' | 'cancel' | 'halt';
  readonly differenceId: string;
  readonly symbol: string;
  /** The order concerned: the one cancelled, or the closing order sent. */
  readonly clientOrderId?: string;
  readonly state: 'taken' | 'taken-before' | 'refused';
  readonly detail?: string;
}

/** The result of one pass. */
export interface ReconcileOutcome {
  readonly passId: number;
  readonly time: number;
  readonly broker: string;
  readonly policy: ReconcilePolicy;
  readonly reconciliation: Reconciliation;
  readonly actions: readonly ReconcileAction[];
  /**
   * Positions the host adopts: the broker's quantity and average price for each symbol that differs (0 where the
   * broker holds nothing). Apply with `book.restore(adoptIntoSnapshot(book.snapshot(), outcome.adopt))`.
   */
  readonly adopt: readonly Position[];
  /**
   * The broker's version of every order that differs, for the host to take over: working orders it did not know
   * (it tracks them as working; under `flatten` they are being cancelled), and orders whose status or fills moved
   * without the host seeing it (a missed fill: FILLED). An order the broker has never seen comes back REJECTED, as the
   * order state machine resolves a lookup that finds nothing.
   */
  readonly orders: readonly Order[];
  /** The tier the kill switch was escalated to by this pass (undefined when it was not, or was already there). */
  readonly escalatedTo?: KillTier;
}
