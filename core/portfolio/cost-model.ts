import type { Side } from '../model/order.js';

/**
 * The execution cost model shared by the paper broker and the virtual books, as pure functions of numbers.
 * Every cost is adverse: a buy pays more than the reference price, a sell receives less. Basis points are 1e-4.
 */
export interface CostModel {
  readonly commissionPerShare: number;
  readonly minimumCommission: number;
  readonly halfSpreadBps: number;
  readonly slippageBps: number;
  /** Square-root market impact coefficient (0 or absent: no impact). */
  readonly impactCoefficient?: number;
}

export const DEFAULT_COSTS: CostModel = { commissionPerShare: 0.005, minimumCommission: 1, halfSpreadBps: 2, slippageBps: 1, impactCoefficient: 0.1 };

/**
 * Square-root market impact in basis points: `coefficient * 1e4 * dailyVolatility * sqrt(quantity / barVolume)`.
 * A bar with no volume carries no impact estimate (0): the participation cap is what keeps such bars from filling.
 *
 * @example impactBps(0.1, 0.01, 100, 1_000_000) // 0.1 bps: 100 shares of a million-share bar
 */
export function impactBps(coefficient: number, dailyVolatility: number, quantity: number, barVolume: number): number {
  if (!(barVolume > 0) || coefficient === 0) return 0;
  return coefficient * 1e4 * dailyVolatility * Math.sqrt(quantity / barVolume);
}

/**
 * Total adverse adjustment in bps for a fill that takes liquidity: half spread + slippage + impact.
 * Without volatility and volume (the virtual books), the impact term is 0.
 */
export function takerCostBps(model: CostModel, dailyVolatility = 0, quantity = 0, barVolume = 0): number {
  return model.halfSpreadBps + model.slippageBps + impactBps(model.impactCoefficient ?? 0, dailyVolatility, quantity, barVolume);
}

/** The reference price moved against the side by `bps`. */
export function adversePrice(reference: number, side: Side, bps: number): number {
  return side === 'buy' ? reference * (1 + bps / 1e4) : reference * (1 - bps / 1e4);
}

/**
 * Commission owed by an order after `filledQuantity` shares (absolute): per share, with a minimum per order (not per
 * fill), so splitting an order into partial fills does not multiply the minimum. A fill pays the increase.
 */
export function orderCommission(model: CostModel, filledQuantity: number): number {
  const q = Math.abs(filledQuantity);
  if (q === 0) return 0;
  return Math.max(model.minimumCommission, model.commissionPerShare * q);
}
