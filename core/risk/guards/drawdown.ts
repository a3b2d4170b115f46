import type { Guard } from '../guard.js';
import { allowOnlyReducing } from './risk-reducing.js';

export interface DrawdownConfig {
  /** Drawdown from the equity peak, as a fraction of the peak, at which new risk stops (default 0.15). */
  readonly maxDrawdown: number;
}

/**
 * Drawdown breaker: when (peakEquity - equity) / peakEquity >= maxDrawdown, risk-increasing orders are rejected (an
 * order that would reverse a position is clipped to close it); risk-reducing orders pass. At the limit the guard
 * is already tripped. Fails closed: an unknown or non-positive peak or equity blocks new risk.
 *
 * @example
 * drawdownGuard({ maxDrawdown: 0.1 })
 */
export function drawdownGuard(config: DrawdownConfig): Guard {
  return {
    name: 'drawdown',
    check(intent, view) {
      const drawdown = (view.peakEquity - view.equity) / view.peakEquity;
      const compared = { peakEquity: view.peakEquity, equity: view.equity, drawdown, maxDrawdown: config.maxDrawdown };
      const known = view.peakEquity > 0 && Number.isFinite(view.peakEquity) && Number.isFinite(view.equity);
      if (known && drawdown < config.maxDrawdown - 1e-12) return { result: 'pass', compared };
      const reason = known
        ? `drawdown ${(drawdown * 100).toFixed(2)}% reached the ${config.maxDrawdown * 100}% limit: only risk-reducing orders are allowed`
        : `peak equity ${view.peakEquity} or equity ${view.equity} is unusable: only risk-reducing orders are allowed`;
      return allowOnlyReducing(intent, view, reason, compared);
    },
  };
}
