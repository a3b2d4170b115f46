import { sideSign } from '../../model/order.js';
import type { Guard } from '../guard.js';
import { exceeds, fitAbsolute, holdings, usableEquity } from './exposure.js';

export interface ConcentrationConfig {
  /** The instrument tag that groups instruments (default 'metal': gold, silver, ...). */
  readonly tag: string;
  /** Largest gross exposure of one group, as a fraction of equity (default 0.6). */
  readonly maxShare: number;
}

/**
 * Concentration by tag: the gross exposure (sum of |position x price x multiplier|) of the instruments whose
 * `tags[tag]` equals the order instrument's, after the order and this cycle's basket, must stay within maxShare of
 * equity. Equity, not gross exposure, is the denominator: the share then only moves with the group's own positions,
 * so an order elsewhere can never breach it, clipping is exact, and a small book needs no minimum-gross floor.
 * At the limit: pass. An order that does not grow its own position passes; a breach is clipped to what fits, in
 * whole lots, or rejected. Instruments without the tag are not checked.
 *
 * @example
 * concentrationGuard({ tag: 'sector', maxShare: 0.3 })
 */
export function concentrationGuard(config: ConcentrationConfig): Guard {
  return {
    name: 'concentration',
    check(intent, view) {
      const group = view.instrument(intent.symbol)?.tags[config.tag];
      if (group === undefined) return { result: 'pass', compared: { tag: config.tag, group: '' } };
      const members = holdings(intent, view).filter((h) => h.symbol === intent.symbol || view.instrument(h.symbol)?.tags[config.tag] === group);
      const own = members.find((h) => h.symbol === intent.symbol);
      const before = own?.quantity ?? 0;
      const unit = own?.unit ?? Number.NaN;
      const others = members.reduce((sum, h) => (h.symbol === intent.symbol ? sum : sum + Math.abs(h.quantity) * h.unit), 0);
      const sign = sideSign(intent.side);
      const after = before + sign * intent.quantity;
      const limit = config.maxShare * usableEquity(view);
      const groupAfter = others + Math.abs(after) * unit;
      const compared = { tag: config.tag, group, groupBefore: others + Math.abs(before) * unit, groupAfter, limit, equity: view.equity, maxShare: config.maxShare };
      if (Math.abs(after) <= Math.abs(before)) return { result: 'pass', compared };
      if (!(unit > 0) || !Number.isFinite(unit)) return { result: 'reject', reason: `reference price ${intent.referencePrice} is not a positive number: the ${group} exposure cannot be valued`, compared };
      if (!Number.isFinite(others)) return { result: 'reject', reason: `a ${group} position has no usable price: the group exposure cannot be valued`, compared };
      if (!exceeds(groupAfter, limit)) return { result: 'pass', compared };
      const quantity = fitAbsolute(before, sign, intent.quantity, (limit - others) / unit, view.instrument(intent.symbol)?.lotSize ?? 1);
      const share = `${config.maxShare * 100}% of equity in ${config.tag} ${group}`;
      if (quantity <= 0) return { result: 'reject', reason: `no room under ${share}`, compared };
      return { result: 'clip', quantity, reason: `${config.tag} ${group} exposure would reach ${groupAfter.toFixed(0)}, over ${share} (${limit.toFixed(0)}): clipped to ${quantity}`, compared };
    },
  };
}
