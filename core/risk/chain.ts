import type { OrderIntent } from '../model/order.js';
import type { Guard, RiskDecision, RiskView } from './guard.js';

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
   * Check a cycle's basket in order. Limits see what earlier intents of the same basket were accepted
   * (through `acceptedInBasket` of the view this builds), so a basket cannot exceed a limit order by order.
   */
  checkBasket(intents: readonly OrderIntent[], view: Omit<RiskView, 'acceptedInBasket'>): ChainOutcome[] {
    const accepted = new Map<string, number>();
    const basketView: RiskView = {
      time: view.time,
      tier: view.tier,
      equity: view.equity,
      position: (s) => view.position(s),
      price: (s) => view.price(s),
      instrument: (s) => view.instrument(s),
      acceptedInBasket: (s) => accepted.get(s) ?? 0,
    };
    return intents.map((intent) => {
      const outcome = this.check(intent, basketView);
      if (outcome.intent) {
        const signed = outcome.intent.side === 'buy' ? outcome.intent.quantity : -outcome.intent.quantity;
        accepted.set(intent.symbol, (accepted.get(intent.symbol) ?? 0) + signed);
      }
      return outcome;
    });
  }
}
