import { barId, type Journal, type KillTier, type Order, type OrderIntent, type PositionBook, type RiskChain, type SeriesStore } from '../../core/index.js';
import type { RiskState } from './risk-state.js';

/** A closing order reconciliation asks for. */
export interface ClosingOrder {
  actionId: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number;
  targetPosition: number;
  reason: string;
}

export interface ClosingOrderResult {
  submitted: boolean;
  clientOrderId?: string;
  reason?: string;
}

/** The engine as a closing order sees it: the last cycle, its book and prices, and the order path. */
export interface ClosingOrderContext {
  readonly runId: string;
  readonly cycle: number;
  readonly time: number;
  readonly tier: KillTier;
  readonly allowSubmit: boolean;
  readonly book: PositionBook;
  /** Last close per symbol seen by the engine; the store's last close at `time` for the order's symbol otherwise. */
  readonly lastClose: ReadonlyMap<string, number>;
  readonly store: SeriesStore;
  readonly journal: Journal;
  readonly risk: RiskChain;
  readonly riskState: RiskState;
  /** Account equity, asked only when the order goes to the risk chain. */
  readonly equity: () => Promise<number>;
  /** Routes and sends one approved intent (after it is journaled). */
  readonly submit: (intent: OrderIntent) => Promise<Order | undefined>;
}

/**
 * A closing order decided by reconciliation (policy flatten: a position the host did not know). It goes through
 * the risk chain (a reducing order: it passes even in NO_NEW), is journaled, then sent, like any other order.
 * Its client order id derives from the action id, so a repeated pass cannot send it twice.
 */
export async function submitClosingOrder(request: ClosingOrder, ctx: ClosingOrderContext): Promise<ClosingOrderResult> {
  const { runId, journal, lastClose, time } = ctx;
  const price = lastClose.get(request.symbol) ?? ctx.store.window(barId(request.symbol), time, 1).last('close');
  const clientOrderId = `sh-rc-${request.actionId}`.slice(0, 36);
  const intent: OrderIntent = {
    clientOrderId,
    runId,
    cycle: ctx.cycle,
    time,
    symbol: request.symbol,
    side: request.side,
    quantity: request.quantity,
    type: 'market',
    timeInForce: 'day',
    positionBefore: request.targetPosition + (request.side === 'buy' ? -request.quantity : request.quantity),
    targetPosition: request.targetPosition,
    referencePrice: price,
    attribution: ['reconciliation'],
    reason: request.reason,
  };
  if (journal.hasIntent(clientOrderId)) return { submitted: false, clientOrderId, reason: 'already journaled: sent by an earlier pass' };
  const view = ctx.riskState.view({ time, tier: ctx.tier, equity: await ctx.equity(), book: ctx.book, price: (s) => (s === request.symbol ? price : (lastClose.get(s) ?? Number.NaN)), modes: new Map(), targetNotional: () => 0 });
  const [outcome] = ctx.risk.checkBasket([intent], view);
  const approved = outcome?.intent;
  journal.batch(() => {
    journal.recordRiskDecisions(runId, outcome?.decisions ?? []);
    if (approved) journal.recordIntent(approved);
  });
  if (!approved) return { submitted: false, clientOrderId, reason: outcome?.decisions.find((d) => d.result === 'reject')?.reason ?? 'rejected by the risk chain' };
  // Counted like any approved intent, in monitor mode too (as placeOrders does), so throttles see it.
  ctx.riskState.recordAccepted(approved);
  if (!ctx.allowSubmit) return { submitted: false, clientOrderId, reason: 'monitor mode (allowSubmit false)' };
  const order = await ctx.submit(approved);
  return { submitted: order?.status !== 'REJECTED', clientOrderId, ...(order?.status === 'REJECTED' ? { reason: order.rejectReason ?? 'rejected' } : {}) };
}
