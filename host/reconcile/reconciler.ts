import {
  adoptedPositions,
  DEFAULT_NOTIONAL_TOLERANCE,
  isSimulatedBroker,
  missedFillQuantities,
  reconcile,
  ShError,
  type BrokerAdapter,
  type KillTier,
  type Order,
  type Reconciliation,
} from '../../core/index.js';
import type { KillSwitchController } from '../kill-switch/controller.js';
import type { ReconciliationLog } from './reconciliation-log.js';
import { brokerOrders, brokerQuantity, decide, type Decided } from './reconcile-policy.js';
import { RECONCILE_POLICIES, type ClosingOrderRequest, type ClosingOrderResult, type HostView, type ReconcileAction, type ReconcileOutcome, type ReconcilePolicy } from './reconcile-types.js';

export const DEFAULT_RECONCILE_INTERVAL_MS = 30_000;

export interface ReconcilerOptions {
  readonly broker: BrokerAdapter;
  /** The host's positions and open orders now: the engine's PositionBook and working orders, or hostViewFromJournal. */
  readonly hostView: () => HostView | Promise<HostView>;
  /** Where passes and differences are journaled. */
  readonly log: ReconciliationLog;
  /** Run the differences are journaled under; null (default) when no run is going (the CLI). */
  readonly runId?: string | null;
  /** Default 'adopt'. */
  readonly policy?: ReconcilePolicy;
  /** Position quantities within this are equal. Default 0. */
  readonly quantityTolerance?: number;
  /** Total mismatch notional above which the kill switch goes to NO_NEW, whatever the policy. Default 1000. */
  readonly notionalTolerance?: number;
  /** Prices to value differences; default the simulator's last price (SimulatedBroker), then average prices. */
  readonly prices?: (symbol: string) => number | undefined;
  /** The kill switch to escalate (beyond tolerance, or policy halt). Without one, nothing is escalated. */
  readonly killSwitch?: KillSwitchController;
  /** Policy flatten: sends a closing order through the engine (risk chain, journal). Required for flatten. */
  readonly submitClosingOrder?: (request: ClosingOrderRequest) => Promise<ClosingOrderResult>;
  /** Policy flatten: cancels an order the host never sent. Default: the broker's cancel (cancels always pass). */
  readonly cancelOrder?: (clientOrderId: string) => Promise<unknown>;
  /**
   * Runs a pass where it cannot interleave with the engine's order flow (an order submitted between reading the host's
   * view and the broker's would look unknown to one of them). Default: runs it as it comes.
   */
  readonly serialize?: <T>(pass: () => Promise<T>) => Promise<T>;
  /** Called with every outcome of the timer's passes (and of the first, from start): where the engine adopts. */
  readonly onPass?: (outcome: ReconcileOutcome) => void | Promise<void>;
  /** A timer pass that failed (the broker unreachable): it is retried at the next interval. Default: a line on stderr. */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

/**
 * Compares the host's positions and open orders with a broker's, journals every difference, applies the policy and
 * escalates the kill switch to NO_NEW beyond the tolerance (DESIGN.md §6). The broker is the truth.
 *
 * Idempotent: a pass on unchanged state journals the same differences and acts only where an earlier pass of the same
 * episode (the difference unresolved since) has not. Actions are keyed by deterministic ids and journaled before they
 * are taken, so not even a crash between the two sends a second closing order.
 *
 * @example
 * const reconciler = new Reconciler({ broker, hostView: () => engine.reconcileView(), log, killSwitch, runId });
 * const first = await reconciler.start(30_000); // a pass now, then every 30 s (the timer does not keep the process up)
 * await reconciler.stop();
 */
export class Reconciler {
  readonly policy: ReconcilePolicy;
  private readonly options: ReconcilerOptions;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;
  /** A timer pass is under way (or waiting in serialize): a tick then is skipped rather than queued. */
  private ticking = false;

  constructor(options: ReconcilerOptions) {
    this.options = options;
    this.policy = options.policy ?? 'adopt';
    this.now = options.now ?? Date.now;
    if (!RECONCILE_POLICIES.includes(this.policy)) {
      throw new ShError('SH_ERR_CONFIG_INVALID', `reconciliation policy ${JSON.stringify(this.policy)} is unknown`, { where: 'reconciler policy', received: this.policy, expected: RECONCILE_POLICIES.join(', ') });
    }
    if (this.policy === 'flatten' && options.submitClosingOrder === undefined) {
      throw new ShError('SH_ERR_CONFIG_INVALID', 'reconciliation policy flatten needs a way to send closing orders', {
        where: 'reconciler submitClosingOrder',
        received: undefined,
        expected: 'a submitClosingOrder callback that sends the order through the risk chain',
        fix: 'Pass submitClosingOrder (the engine provides it), or use the policy adopt or halt.',
      });
    }
    // Tolerances are checked now rather than at the first pass: reconciling two empty views validates them.
    reconcile({ positions: [], openOrders: [] }, { positions: [], openOrders: [] }, this.tolerances());
  }

  /**
   * One pass: read both views, find the differences, journal them, act per policy, escalate beyond tolerance.
   * Throws what the broker throws (SH_ERR_BROKER_UNREACHABLE): a pass on partial information never acts.
   */
  reconcileOnce(): Promise<ReconcileOutcome> {
    const serialize = this.options.serialize ?? ((pass) => pass());
    const pass = serialize(() => this.pass());
    this.inFlight = pass.catch(() => undefined);
    return pass;
  }

  /**
   * A pass now, then one every `intervalMs` (default 30 s) on a timer that does not keep the process alive. A tick that
   * finds the previous pass still running is skipped. Resolves with the first pass's outcome; when the first pass
   * throws (the broker unreachable at start), so does this, and no timer is started.
   */
  async start(intervalMs: number = DEFAULT_RECONCILE_INTERVAL_MS): Promise<ReconcileOutcome> {
    if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
      throw new ShError('SH_ERR_CONFIG_INVALID', 'the reconciliation interval is invalid', { where: 'reconciler start(intervalMs)', received: intervalMs, expected: 'milliseconds > 0' });
    }
    this.stopTimer();
    const first = await this.reconcileOnce();
    await this.options.onPass?.(first);
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
    return first;
  }

  /** Stop the timer and wait for a pass in flight. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.inFlight;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const outcome = await this.reconcileOnce();
      await this.options.onPass?.(outcome);
    } catch (error) {
      (this.options.onError ?? defaultOnError)(error);
    } finally {
      this.ticking = false;
    }
  }

  private async pass(): Promise<ReconcileOutcome> {
    const { broker, log } = this.options;
    const time = this.now();
    const host = await this.options.hostView();
    const [positions, openOrders] = [await broker.positions(), await broker.openOrders()];
    // A host order the broker no longer lists as open is looked up: FILLED there is a missed fill, not a lost order.
    const open = new Set(openOrders.map((o) => o.clientOrderId));
    const lookedUp: Order[] = [];
    for (const order of host.openOrders) {
      if (open.has(order.clientOrderId)) continue;
      const found = await broker.orderByClientId(order.clientOrderId);
      if (found !== undefined) lookedUp.push(found);
    }
    const reconciliation = reconcile(host, { positions, openOrders, orders: lookedUp }, { ...this.tolerances(), prices: this.prices() });

    const acted = log.actedInLatestPass(broker.id);
    const missed = missedFillQuantities(reconciliation);
    const decided = reconciliation.differences.map((d) => decide(d, this.policy, acted, missed.get(d.symbol) ?? 0));
    const runId = this.options.runId ?? null;
    const passId = log.recordPass(
      { runId, time, broker: broker.id, policy: this.policy, differences: reconciliation.differences.length, totalNotional: reconciliation.totalNotional, withinTolerance: reconciliation.withinTolerance, escalatedTo: null },
      decided,
    );
    const actions: ReconcileAction[] = [];
    for (const item of decided) actions.push(await this.act(passId, item));

    const escalatedTo = this.escalate(reconciliation);
    if (escalatedTo !== undefined) log.markEscalated(passId, escalatedTo);
    return {
      passId,
      time,
      broker: broker.id,
      policy: this.policy,
      reconciliation,
      actions,
      adopt: adoptedPositions(reconciliation),
      orders: brokerOrders(reconciliation, [...openOrders, ...lookedUp], host.openOrders, time),
      ...(escalatedTo === undefined ? {} : { escalatedTo }),
    };
  }

  private async act(passId: number, item: Decided): Promise<ReconcileAction> {
    const { difference: d, action, actionId } = item;
    const base = { actionId, kind: action, differenceId: d.id, symbol: d.symbol } as const;
    if (item.actionState === 'taken-before') return { ...base, state: 'taken-before', ...(d.clientOrderId === undefined ? {} : { clientOrderId: d.clientOrderId }) };
    const refuse = (detail: string): ReconcileAction => {
      this.options.log.markRefused(passId, actionId, detail);
      return { ...base, state: 'refused', detail };
    };
    if (action === 'flatten') {
      const quantity = item.quantity as number;
      const request: ClosingOrderRequest = {
        actionId,
        symbol: d.symbol,
        side: quantity > 0 ? 'buy' : 'sell',
        quantity: Math.abs(quantity),
        targetPosition: brokerQuantity(d) + quantity,
        reason: `reconciliation (${d.kind}): close what the host did not know`,
        difference: d,
      };
      try {
        const result = await (this.options.submitClosingOrder as NonNullable<ReconcilerOptions['submitClosingOrder']>)(request);
        if (!result.submitted) return refuse(result.reason ?? 'not submitted');
        return { ...base, state: 'taken', ...(result.clientOrderId === undefined ? {} : { clientOrderId: result.clientOrderId }), ...(item.detail === undefined ? {} : { detail: item.detail }) };
      } catch (error) {
        return refuse(messageOf(error));
      }
    }
    if (action === 'cancel') {
      const clientOrderId = d.clientOrderId as string;
      try {
        await (this.options.cancelOrder ?? ((id) => this.options.broker.cancel(id)))(clientOrderId);
        return { ...base, state: 'taken', clientOrderId };
      } catch (error) {
        return refuse(messageOf(error));
      }
    }
    return { ...base, state: 'taken', ...(d.clientOrderId === undefined ? {} : { clientOrderId: d.clientOrderId }) };
  }

  /** NO_NEW beyond tolerance (any policy) or for any difference under halt; the tier when this call raised it. */
  private escalate(reconciliation: Reconciliation): KillTier | undefined {
    const killSwitch = this.options.killSwitch;
    if (killSwitch === undefined) return undefined;
    const count = reconciliation.differences.length;
    let reason: string | undefined;
    if (!reconciliation.withinTolerance) {
      const unpriced = reconciliation.unpriced.length > 0 ? `, unpriced: ${reconciliation.unpriced.join(', ')}` : '';
      reason = `reconciliation with ${this.options.broker.id}: ${count} differences, mismatch notional ${reconciliation.totalNotional.toFixed(2)} beyond the tolerance ${this.options.notionalTolerance ?? DEFAULT_NOTIONAL_TOLERANCE}${unpriced}`;
    } else if (this.policy === 'halt' && count > 0) {
      reason = `reconciliation with ${this.options.broker.id}: ${count} differences, policy halt`;
    }
    if (reason === undefined) return undefined;
    return killSwitch.escalate('NO_NEW', reason, 'breaker').changed ? 'NO_NEW' : undefined;
  }

  private tolerances(): { quantityTolerance?: number; notionalTolerance?: number } {
    return {
      ...(this.options.quantityTolerance === undefined ? {} : { quantityTolerance: this.options.quantityTolerance }),
      ...(this.options.notionalTolerance === undefined ? {} : { notionalTolerance: this.options.notionalTolerance }),
    };
  }

  private prices(): (symbol: string) => number | undefined {
    const given = this.options.prices;
    const broker = this.options.broker;
    const simulated = isSimulatedBroker(broker) ? (symbol: string): number | undefined => broker.lastPrice(symbol) : () => undefined;
    return given === undefined ? simulated : (symbol) => given(symbol) ?? simulated(symbol);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof ShError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
}

function defaultOnError(error: unknown): void {
  process.stderr.write(`reconciliation pass failed, retried at the next interval: ${messageOf(error)}\n`);
}
