import type { OrderIntent } from '../model/order.js';
import type { AcceptedOrder, Guard, RiskDecision, RiskView } from './guard.js';

/** What the chain decided for one intent: the surviving intent (undefined when rejected) and every guard's decision. */
export interface ChainOutcome {
  readonly intent: OrderIntent | undefined;
  readonly decisions: readonly RiskDecision[];
}

/**
 * The ordered risk chain. Every intent passes every guard in order; a clip replaces the quantity seen by later
 * guards, a reject stops the intent. A clip to zero is a reject. Each guard's decision is returned for the journal.
 */
export class RiskChain {
  readonly guards: readonly Guard[];

  constructor(guards: readonly Guard[]) {
    this.guards = guards;
  }

  check(intent: OrderIntent, view: RiskView): ChainOutcome {
    const decisions: RiskDecision[] = [];
    let current = intent;
    for (const guard of this.guards) {
      const verdict = guard.check(current, view);
      const base = { clientOrderId: intent.clientOrderId, cycle: intent.cycle, time: intent.time, symbol: intent.symbol, guard: guard.name, quantityBefore: current.quantity };
      if (verdict.result === 'pass') {
        decisions.push({ ...base, result: 'pass', reason: '', quantityAfter: current.quantity, compared: verdict.compared ?? {} });
        continue;
      }
      if (verdict.result === 'clip' && verdict.quantity > 0 && verdict.quantity < current.quantity) {
        decisions.push({ ...base, result: 'clip', reason: verdict.reason, quantityAfter: verdict.quantity, compared: verdict.compared });
        current = { ...current, quantity: verdict.quantity };
        continue;
      }
      if (verdict.result === 'clip' && verdict.quantity >= current.quantity) {
        decisions.push({ ...base, result: 'pass', reason: verdict.reason, quantityAfter: current.quantity, compared: verdict.compared });
        continue;
      }
      decisions.push({ ...base, result: 'reject', reason: verdict.reason, quantityAfter: 0, compared: verdict.compared });
      return { intent: undefined, decisions };
    }
    return { intent: current, decisions };
  }

  /**
   * Check a cycle's basket in order. Limits see what earlier intents of the same basket were accepted: the view
   * this builds adds them to `acceptedInBasket`, `acceptedOrders` and `tradedNotionalToday`, so a basket cannot
   * exceed a limit order by order.
   */
  checkBasket(intents: readonly OrderIntent[], view: BasketBaseView): ChainOutcome[] {
    const accepted = new Map<string, number>();
    const basketOrders: AcceptedOrder[] = [];
    let basketNotional = 0;
    const basketView: RiskView = {
      ...view,
      time: view.time,
      tier: view.tier,
      equity: view.equity,
      dayStartEquity: view.dayStartEquity,
      peakEquity: view.peakEquity,
      position: (s) => view.position(s),
      heldSymbols: () => view.heldSymbols(),
      price: (s) => view.price(s),
      instrument: (s) => view.instrument(s),
      acceptedInBasket: (s) => accepted.get(s) ?? 0,
      acceptedOrders: () => [...view.acceptedOrders(), ...basketOrders],
      tradedNotionalToday: () => view.tradedNotionalToday() + basketNotional,
      dataDependencies: (s) => view.dataDependencies(s),
      pluginMode: (id) => view.pluginMode(id),
      pluginTargetNotional: (id, s) => view.pluginTargetNotional(id, s),
    };
    return intents.map((intent) => {
      const outcome = this.check(intent, basketView);
      const ok = outcome.intent;
      if (ok) {
        const signed = ok.side === 'buy' ? ok.quantity : -ok.quantity;
        accepted.set(ok.symbol, (accepted.get(ok.symbol) ?? 0) + signed);
        basketOrders.push({ clientOrderId: ok.clientOrderId, symbol: ok.symbol, side: ok.side, quantity: ok.quantity, time: ok.time });
        basketNotional += ok.quantity * ok.referencePrice * (view.instrument(ok.symbol)?.multiplier ?? 1);
      }
      return outcome;
    });
  }
}

/** The view a basket check starts from: everything but what the basket itself accumulates. */
export type BasketBaseView = Omit<RiskView, 'acceptedInBasket'>;
