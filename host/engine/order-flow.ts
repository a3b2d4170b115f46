import {
  buildIntents,
  clientOrderId,
  netTargets,
  type BasketBaseView,
  type Instrument,
  type Journal,
  type NetTarget,
  type OrderIntent,
  type RiskChain,
  type Signal,
} from '../../core/index.js';
import type { HostMetrics } from '../metrics.js';
import type { RiskState } from './risk-state.js';

export interface OrderFlowInput {
  readonly runId: string;
  readonly cycle: number;
  readonly time: number;
  readonly flattenAll: boolean;
  readonly budgets: ReadonlyMap<string, number>;
  /** Effective signals per plugin (after modes, faults and ended inputs). */
  readonly signals: ReadonlyMap<string, readonly Signal[]>;
  readonly position: (symbol: string) => number;
  readonly held: readonly string[];
  readonly price: (symbol: string) => number;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly minTradeNotional: number;
  readonly allowSubmit: boolean;
  readonly view: BasketBaseView;
  /** Symbols not to trade this cycle (an order of theirs is UNKNOWN). */
  readonly blocked: ReadonlySet<string>;
}

export interface OrderFlowDeps {
  readonly risk: RiskChain;
  readonly riskState: RiskState;
  readonly journal: Journal;
  /** Routes and sends one approved intent (after it is journaled). */
  readonly submit: (intent: OrderIntent) => Promise<unknown>;
  readonly metrics: HostMetrics;
  /** Client order ids already journaled (a run resumed after a crash replays its last cycle): never recorded or sent twice. */
  readonly journaled?: Set<string>;
}

export interface OrderFlowResult {
  /** performance.now() when the risk chain had decided, when the commit returned, and when the last intent was sent. */
  readonly at: { readonly decided: number; readonly committed: number; readonly submitted: number };
  readonly intents: number;
  readonly approved: readonly OrderIntent[];
  readonly rejected: number;
  readonly submitted: number;
}

/** Each plugin's signals at the open leg (weight) or the close leg (closeWeight, else weight). */
function leg(signals: ReadonlyMap<string, readonly Signal[]>, which: 'open' | 'close'): Map<string, Signal[]> {
  const out = new Map<string, Signal[]>();
  for (const [id, list] of signals) out.set(id, list.map((s) => (which === 'close' && s.closeWeight !== undefined ? { ...s, weight: s.closeWeight } : s)));
  return out;
}

/**
 * Net targets -> order intents -> risk chain (the whole basket) -> journal (intent committed) -> broker.
 * Signals with a closeWeight add a market-on-close leg from the open-leg target to the close target.
 */
export async function placeOrders(input: OrderFlowInput, deps: OrderFlowDeps): Promise<OrderFlowResult> {
  const { journal, metrics, riskState } = deps;
  const instrument = (s: string): Instrument | undefined => input.instruments.get(s);
  const net = (which: 'open' | 'close'): Map<string, NetTarget> => (input.flattenAll ? new Map() : netTargets(input.budgets, leg(input.signals, which), input.price, instrument));
  let sequence = 0;
  const context = (type: OrderIntent['type']) => ({
    runId: input.runId,
    cycle: input.cycle,
    time: input.time,
    minTradeNotional: input.minTradeNotional,
    clientOrderId: (symbol: string) => clientOrderId({ runId: input.runId, cycle: input.cycle, symbol, sequence: sequence++ }),
    type,
  });
  const openTargets = net('open');
  const intents = buildIntents(openTargets, input.position, input.held, input.price, instrument, context('market'));
  const hasCloseLeg = [...input.signals.values()].some((list) => list.some((s) => s.closeWeight !== undefined && s.closeWeight !== s.weight));
  if (hasCloseLeg) {
    const afterOpen = (s: string): number => openTargets.get(s)?.quantity ?? 0;
    const heldAfterOpen = [...openTargets.values()].filter((t) => t.quantity !== 0).map((t) => t.symbol);
    intents.push(...buildIntents(net('close'), afterOpen, heldAfterOpen, input.price, instrument, context('market-on-close')));
  }
  const tradable = intents.filter((i) => !input.blocked.has(i.symbol));
  metrics.intents.inc(tradable.length);
  const approved: OrderIntent[] = [];
  let rejected = 0;
  const outcomes = deps.risk.checkBasket(tradable, input.view);
  const decided = performance.now();
  // Every decision and every approved intent in one commit, durable before the broker sees any of them.
  const toSend = journal.batch(() => {
    const fresh: OrderIntent[] = [];
    journal.recordRiskDecisions(input.runId, outcomes.flatMap((o) => o.decisions));
    for (const outcome of outcomes) {
      if (!outcome.intent) {
        rejected += 1;
        continue;
      }
      approved.push(outcome.intent);
      if (deps.journaled?.has(outcome.intent.clientOrderId)) continue;
      journal.recordIntent(outcome.intent);
      fresh.push(outcome.intent);
    }
    return fresh;
  });
  const committed = performance.now();
  let submitted = 0;
  for (const intent of toSend) {
    deps.journaled?.add(intent.clientOrderId);
    riskState.recordAccepted(intent);
    if (!input.allowSubmit) continue;
    await deps.submit(intent);
    submitted += 1;
  }
  const done = performance.now();
  // Counted once the orders are out: metrics are book-keeping, not on the decision path.
  for (const outcome of outcomes) for (const d of outcome.decisions) metrics.riskDecisions.inc({ guard: d.guard, result: d.result });
  return { at: { decided, committed, submitted: done }, intents: tradable.length, approved, rejected, submitted };
}
