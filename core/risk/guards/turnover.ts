import { roundToLot } from '../../model/instrument.js';
import type { Guard } from '../guard.js';
import { exceeds, usableEquity } from './exposure.js';
import { reducingQuantity } from './risk-reducing.js';

export interface TurnoverConfig {
  /** Largest notional traded in one UTC day, as a multiple of equity (default 1.0). */
  readonly maxDailyTurnover: number;
}

/**
 * Daily turnover: the notional accepted since the start of the UTC day (this cycle's basket included) plus this
 * order's notional (quantity x reference price x multiplier), over equity, must stay within maxDailyTurnover.
 * At the limit: pass; past it the risk-increasing part is clipped to what fits, in whole lots, or rejected.
 * Risk-reducing orders always pass (and count toward the day): a turnover budget spent on entries must never
 * stop the book from being flattened.
 *
 * @example
 * turnoverGuard({ maxDailyTurnover: 0.5 })
 */
export function turnoverGuard(config: TurnoverConfig): Guard {
  return {
    name: 'turnover',
    check(intent, view) {
      const instrument = view.instrument(intent.symbol);
      const unit = intent.referencePrice * (instrument?.multiplier ?? 1);
      const traded = view.tradedNotionalToday();
      const notional = intent.quantity * unit;
      const limit = config.maxDailyTurnover * usableEquity(view);
      const compared = { tradedToday: traded, orderNotional: notional, limit, equity: view.equity, maxDailyTurnover: config.maxDailyTurnover };
      const reducing = reducingQuantity(intent, view);
      if (reducing >= intent.quantity) return { result: 'pass', compared };
      if (!(unit > 0) || !Number.isFinite(unit) || !Number.isFinite(traded)) return { result: 'reject', reason: 'the order notional or the notional traded today is not a number', compared };
      if (!exceeds(traded + notional, limit)) return { result: 'pass', compared };
      const fit = roundToLot(Math.max(0, (limit - traded) / unit) * (1 + 1e-9), instrument?.lotSize ?? 1);
      const quantity = Math.min(intent.quantity, Math.max(reducing, fit));
      const reason = `traded notional today ${traded.toFixed(0)} + ${notional.toFixed(0)} would pass ${limit.toFixed(0)} (${config.maxDailyTurnover}x equity)`;
      if (quantity <= 0) return { result: 'reject', reason, compared };
      return { result: 'clip', quantity, reason: `${reason}: clipped to ${quantity}`, compared };
    },
  };
}
