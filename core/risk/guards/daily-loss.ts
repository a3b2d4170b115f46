import type { Guard } from '../guard.js';
import { allowOnlyReducing } from './risk-reducing.js';

export interface DailyLossConfig {
  /** Loss since the start of the UTC day, as a fraction of day-start equity, at which new risk stops (default 0.03). */
  readonly maxLossFraction: number;
}

/**
 * Daily loss limit: when (dayStartEquity - equity) / dayStartEquity >= maxLossFraction, risk-increasing orders are
 * rejected (an order that would reverse a position is clipped to close it); risk-reducing orders pass. At the limit
 * the guard is already tripped. Fails closed: an unknown or non-positive day-start equity or equity blocks new risk.
 *
 * @example
 * dailyLossGuard({ maxLossFraction: 0.02 })
 */
export function dailyLossGuard(config: DailyLossConfig): Guard {
  return {
    name: 'daily-loss',
    check(intent, view) {
      const lossFraction = (view.dayStartEquity - view.equity) / view.dayStartEquity;
      const compared = { dayStartEquity: view.dayStartEquity, equity: view.equity, lossFraction, maxLossFraction: config.maxLossFraction };
      const known = view.dayStartEquity > 0 && Number.isFinite(view.dayStartEquity) && Number.isFinite(view.equity);
      if (known && lossFraction < config.maxLossFraction - 1e-12) return { result: 'pass', compared };
      const reason = known
        ? `daily loss ${(lossFraction * 100).toFixed(2)}% reached the ${config.maxLossFraction * 100}% limit: only risk-reducing orders are allowed`
        : `day-start equity ${view.dayStartEquity} or equity ${view.equity} is unusable: only risk-reducing orders are allowed`;
      return allowOnlyReducing(intent, view, reason, compared);
    },
  };
}
