import type { Instrument } from '../model/instrument.js';
import type { OrderIntent } from '../model/order.js';
import type { EpochMs } from '../model/time.js';
import type { KillTier } from './kill-switch.js';
import type { Frequency } from '../model/series.js';
import type { PluginMode } from '../portfolio/allocator.js';

export type GuardResult = 'pass' | 'clip' | 'reject';

/** The numbers a guard compared, journaled with its decision. */
export type Compared = Readonly<Record<string, number | string | boolean>>;

export type GuardVerdict =
  | { readonly result: 'pass'; readonly compared?: Compared }
  | { readonly result: 'clip'; readonly quantity: number; readonly reason: string; readonly compared: Compared }
  | { readonly result: 'reject'; readonly reason: string; readonly compared: Compared };

/** An order accepted by the chain (sent, or about to be): what throttle and duplicate guards look back on. */
export interface AcceptedOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly time: EpochMs;
}

/** A series an instrument depends on (its bars, and every series a plugin trading it reads). */
export interface DataDependency {
  readonly seriesId: string;
  /** When its last observation became available; NaN when it has none yet. */
  readonly lastAvailable: EpochMs;
  readonly frequency: Frequency;
}

/**
 * What guards may look at: positions, prices, the tier, equity marks, what was accepted before (this cycle's
 * basket included), data freshness, plugin modes. Read-only; the engine builds it each cycle.
 */
export interface RiskView {
  readonly time: EpochMs;
  readonly tier: KillTier;
  readonly equity: number;
  /** Account equity at the first cycle of the current UTC day. */
  readonly dayStartEquity: number;
  /** Highest account equity seen since the run started. */
  readonly peakEquity: number;
  position(symbol: string): number;
  /** Symbols with a non-zero position. */
  heldSymbols(): readonly string[];
  price(symbol: string): number;
  instrument(symbol: string): Instrument | undefined;
  /** Signed quantity already accepted for the symbol earlier in this cycle's basket. */
  acceptedInBasket(symbol: string): number;
  /** Orders accepted by the chain, oldest first: earlier cycles (at least the last 24 h) and this basket so far. */
  acceptedOrders(): readonly AcceptedOrder[];
  /** Notional (|quantity| x price x multiplier) accepted since the start of the current UTC day, basket included. */
  tradedNotionalToday(): number;
  /** The series the instrument depends on, with their freshness. */
  dataDependencies(symbol: string): readonly DataDependency[];
  /** Mode of a plugin, undefined for an unknown id. */
  pluginMode(strategyId: string): PluginMode | undefined;
  /** Signed target notional a plugin contributes to an instrument this cycle (its budget x weight). */
  pluginTargetNotional(strategyId: string, symbol: string): number;
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
