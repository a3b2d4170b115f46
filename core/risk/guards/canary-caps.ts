import { roundToLot } from '../../model/instrument.js';
import { sideSign } from '../../model/order.js';
import type { Guard, RiskView } from '../guard.js';
import { exceeds } from './exposure.js';
import { reducingQuantity } from './risk-reducing.js';

export interface CanaryCapsConfig {
  /** Largest combined |target notional| of the canary plugins on one instrument (default 50 000). */
  readonly maxInstrumentNotional: number;
  /** Largest gross target notional (sum over symbols of |target notional|) of one canary plugin (default 100 000). */
  readonly maxPluginNotional: number;
}

/**
 * Canary caps, for intents whose attribution names a plugin in mode `canary` (live-only intents pass):
 * - per instrument: the canary plugins' combined |pluginTargetNotional| on the symbol may not exceed
 *   maxInstrumentNotional; the excess is trimmed from this order.
 * - per plugin: a canary plugin's gross target, the sum of |pluginTargetNotional| over the symbols the view shows
 *   (held, traded in this basket so far, and this order's), may not exceed maxPluginNotional; its excess is trimmed
 *   pro rata over those symbols, this order taking the share of the symbol's |target| in the plugin's gross.
 * The order is cut by the larger of the two trims, converted to whole lots at the reference price (rounded up),
 * and by no more than the canaries' target in the order's direction; never below its risk-reducing part. At a cap
 * exactly: pass. Risk-reducing orders pass; when nothing of the increase survives, the order is rejected.
 *
 * @example
 * canaryCapsGuard({ maxInstrumentNotional: 20_000, maxPluginNotional: 50_000 })
 */
export function canaryCapsGuard(config: CanaryCapsConfig): Guard {
  return {
    name: 'canary-caps',
    check(intent, view) {
      const canaries = [...new Set(intent.attribution)].filter((id) => view.pluginMode(id) === 'canary');
      if (canaries.length === 0) return { result: 'pass', compared: { canaryPlugins: '' } };
      const symbols = visibleSymbols(intent.symbol, view);
      const sign = sideSign(intent.side);
      let instrumentNotional = 0;
      let aligned = 0;
      let pluginTrim = 0;
      let largest = { id: '', gross: 0 };
      for (const id of canaries) {
        const target = view.pluginTargetNotional(id, intent.symbol);
        instrumentNotional += Math.abs(target);
        aligned += Math.max(0, sign * target);
        const gross = symbols.reduce((sum, s) => sum + Math.abs(view.pluginTargetNotional(id, s)), 0);
        if (gross > largest.gross) largest = { id, gross };
        if (exceeds(gross, config.maxPluginNotional)) pluginTrim += ((gross - config.maxPluginNotional) * Math.abs(target)) / gross;
      }
      const instrumentTrim = exceeds(instrumentNotional, config.maxInstrumentNotional) ? instrumentNotional - config.maxInstrumentNotional : 0;
      const trimNotional = Math.min(aligned, Math.max(instrumentTrim, pluginTrim));
      const compared = {
        canaryPlugins: canaries.join(','),
        instrumentNotional,
        maxInstrumentNotional: config.maxInstrumentNotional,
        largestPlugin: largest.id,
        largestPluginNotional: largest.gross,
        maxPluginNotional: config.maxPluginNotional,
        trimNotional,
      };
      if (!(trimNotional > 0)) return { result: 'pass', compared };
      const reducing = reducingQuantity(intent, view);
      if (reducing >= intent.quantity) return { result: 'pass', compared };
      const instrument = view.instrument(intent.symbol);
      const lot = instrument?.lotSize ?? 1;
      const unit = intent.referencePrice * (instrument?.multiplier ?? 1);
      if (!(unit > 0) || !Number.isFinite(unit)) return { result: 'reject', reason: `reference price ${intent.referencePrice} is not a positive number: the canary trim cannot be sized`, compared };
      const trimQuantity = Math.ceil(trimNotional / unit / lot - 1e-9) * lot;
      const quantity = Math.max(reducing, roundToLot(intent.quantity - trimQuantity, lot));
      const reason = `canary ${canaries.join(', ')} over its caps by ${trimNotional.toFixed(0)} on ${intent.symbol} (instrument ${config.maxInstrumentNotional}, plugin ${config.maxPluginNotional})`;
      if (quantity >= intent.quantity) return { result: 'pass', compared };
      if (quantity <= 0) return { result: 'reject', reason, compared };
      return { result: 'clip', quantity, reason: `${reason}: clipped to ${quantity}`, compared };
    },
  };
}

/** Symbols whose plugin targets the view can show: held, traded in this basket (found among accepted orders), this one. */
function visibleSymbols(symbol: string, view: RiskView): string[] {
  const symbols = new Set<string>(view.heldSymbols());
  for (const order of view.acceptedOrders()) symbols.add(order.symbol);
  symbols.add(symbol);
  return [...symbols];
}
