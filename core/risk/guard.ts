import type { Instrument } from '../model/instrument.js';
import type { OrderIntent } from '../model/order.js';
import type { EpochMs } from '../model/time.js';
import type { KillTier } from './kill-switch.js';

export type GuardResult = 'pass' | 'clip' | 'reject';

/** The numbers a guard compared, journaled with its decision. */
export type Compared = Readonly<Record<string, number | string | boolean>>;

export type GuardVerdict =
  | { readonly result: 'pass'; readonly compared?: Compared }
  | { readonly result: 'clip'; readonly quantity: number; readonly reason: string; readonly compared: Compared }
  | { readonly result: 'reject'; readonly reason: string; readonly compared: Compared };

/** What guards may look at: positions, prices, the tier, the basket of this cycle so far. Read-only. */
export interface RiskView {
  readonly time: EpochMs;
  readonly tier: KillTier;
  readonly equity: number;
  position(symbol: string): number;
  price(symbol: string): number;
  instrument(symbol: string): Instrument | undefined;
  /** Signed quantity already accepted for the symbol earlier in this cycle's basket. */
  acceptedInBasket(symbol: string): number;
}

/**
 * A guard: a small pure object. `check` sees one intent (with any clipping already applied by earlier guards)
 * and the view; it passes, clips to a smaller quantity, or rejects. Guards never mutate anything.
 */
export interface Guard {
  readonly name: string;
  check(intent: OrderIntent, view: RiskView): GuardVerdict;
}

/** One journaled decision. */
export interface RiskDecision {
  readonly clientOrderId: string;
  readonly cycle: number;
  readonly time: EpochMs;
  readonly symbol: string;
  readonly guard: string;
  readonly result: GuardResult;
  readonly reason: string;
  readonly quantityBefore: number;
  readonly quantityAfter: number;
  readonly compared: Compared;
}

/** True when an order moves the position toward zero without crossing it. */
export function isRiskReducing(intent: Pick<OrderIntent, 'side' | 'quantity' | 'positionBefore'>, quantity = intent.quantity): boolean {
  const signed = intent.side === 'buy' ? quantity : -quantity;
  const after = intent.positionBefore + signed;
  return Math.abs(after) <= Math.abs(intent.positionBefore) && Math.sign(after) * Math.sign(intent.positionBefore) >= 0;
}
