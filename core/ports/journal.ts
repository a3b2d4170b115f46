import type { Fill, Order, OrderIntent } from '../model/order.js';
import type { Position } from '../model/position.js';
import type { RecordedSignal } from '../model/signal.js';
import type { EpochMs } from '../model/time.js';
import type { PluginFault } from '../plugin/evaluate.js';
import type { RiskDecision } from '../risk/guard.js';

export interface RunRecord {
  readonly runId: string;
  readonly profile: string;
  readonly mode: 'backtest' | 'paper' | 'live';
  readonly startedAt: EpochMs;
  readonly config: unknown;
}

export interface CycleRecord {
  readonly runId: string;
  readonly cycle: number;
  readonly time: EpochMs;
  readonly latencyMs: number;
  readonly intents: number;
  readonly equity: number;
}

/** A per-plugin state snapshot: restarts resume each plugin exactly where it stopped. */
export interface StateSnapshot {
  readonly strategyId: string;
  readonly cycle: number;
  readonly time: EpochMs;
  readonly state: unknown;
}

/** An operator or automatic action (kill switch, mode change), journaled with who, why and when. */
export interface OperatorAction {
  readonly time: EpochMs;
  readonly operator: string;
  readonly action: string;
  readonly detail: unknown;
}

/**
 * Append-only, durable record of everything the host decides and every answer it gets. Writes are synchronous and
 * durable when they return, unless held (`hold`): `recordIntent` always returns only after the intent is committed,
 * and the host submits after.
 */
export interface Journal {
  /**
   * Run several writes as one commit: durable when this returns (one disk flush instead of one per write), all or
   * nothing. The engine journals a cycle's risk decisions and intents in one batch, before the broker sees any.
   * Writes inside a batch are never held; what is already held stays held.
   */
  batch<T>(writes: () => T): T;
  /**
   * Hold back, in memory, the records a restart recovers from the broker or recomputes by replaying the cycle from
   * the last snapshot (orders, fills, signals, risk decisions outside a batch, positions, cycles, plugin states,
   * faults), until `release` commits them all in one commit. An intent is never held: `recordIntent` commits it
   * before it returns. Reads commit what is held first. The engine holds during a cycle, so a cycle makes two
   * commits: its decisions and intents before the broker sees them, everything else when the cycle ends.
   */
  hold(): void;
  /** Commit everything held (one commit, in order) and stop holding. Harmless when nothing is held. */
  release(): void;
  startRun(run: RunRecord): void;
  endRun(runId: string, status: 'completed' | 'failed' | 'stopped', summary: unknown): void;
  recordCycle(cycle: CycleRecord): void;
  recordSignals(runId: string, cycle: number, signals: readonly RecordedSignal[]): void;
  recordIntent(intent: OrderIntent): void;
  /** Risk decisions, in order (a cycle's basket, or one closing order's). */
  recordRiskDecisions(runId: string, decisions: readonly RiskDecision[]): void;
  /** Insert or update an order by client order id; every status change is also appended to the order history. */
  recordOrder(runId: string, order: Order): void;
  recordFill(runId: string, fill: Fill): void;
  recordPositions(runId: string, cycle: number, time: EpochMs, positions: readonly Position[]): void;
  savePluginStates(runId: string, snapshots: readonly StateSnapshot[]): void;
  recordFault(runId: string, fault: PluginFault): void;
  recordOperatorAction(runId: string | null, action: OperatorAction): void;
  /** Latest state snapshot per plugin for a run. */
  latestPluginStates(runId: string): Map<string, StateSnapshot>;
  intents(runId: string): OrderIntent[];
  /** Whether an intent with this client order id is journaled (in any run): ids are unique forever. */
  hasIntent(clientOrderId: string): boolean;
  orders(runId: string): Order[];
  fills(runId: string): Fill[];
  riskDecisions(runId: string): RiskDecision[];
  close(): void;
}
