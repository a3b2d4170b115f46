import type { Guard } from '../guard.js';
import { allowOnlyReducing } from './risk-reducing.js';

export interface RestrictedListConfig {
  /** Symbols that may not be traded (default none). */
  readonly symbols: readonly string[];
  /** Let orders that only reduce a position in a restricted symbol through (default true). */
  readonly allowReducing?: boolean;
}

/**
 * The restricted list: orders in a listed symbol are rejected. With `allowReducing` (the default) an order that
 * only reduces the position passes, and one that would reverse it is clipped to close it: a symbol put on the list
 * while held can still be exited.
 *
 * @example
 * restrictedListGuard({ symbols: ['GDXJ'], allowReducing: true })
 */
export function restrictedListGuard(config: RestrictedListConfig): Guard {
  const restricted = new Set(config.symbols);
  const allowReducing = config.allowReducing ?? true;
  return {
    name: 'restricted-list',
    check(intent, view) {
      const compared = { restricted: restricted.has(intent.symbol), allowReducing };
      if (!compared.restricted) return { result: 'pass', compared };
      const reason = `${intent.symbol} is on the restricted list`;
      if (!allowReducing) return { result: 'reject', reason, compared };
      return allowOnlyReducing(intent, view, `${reason}: only risk-reducing orders are allowed`, compared);
    },
  };
}
