import type { Guard } from '../guard.js';
import { isRiskReducing } from '../guard.js';

export interface KillSwitchGuardConfig {
  /** Size multiplier applied in THROTTLE (default 0.5). */
  readonly throttleSizeFactor?: number;
}

/**
 * The kill-switch tier guard. ACTIVE and WARN pass; THROTTLE clips sizes by `throttleSizeFactor`;
 * NO_NEW and FLATTEN_ALL let only risk-reducing orders through. Cancels never reach the chain: they always pass.
 */
export function killSwitchGuard(config: KillSwitchGuardConfig = {}): Guard {
  const factor = config.throttleSizeFactor ?? 0.5;
  return {
    name: 'kill-switch',
    check(intent, view) {
      const compared = { tier: view.tier };
      switch (view.tier) {
        case 'ACTIVE':
        case 'WARN':
          return { result: 'pass', compared };
        case 'THROTTLE': {
          if (isRiskReducing(intent)) return { result: 'pass', compared };
          const quantity = Math.floor(intent.quantity * factor);
          return { result: 'clip', quantity, reason: `tier THROTTLE: size cut to ${factor * 100}%`, compared: { ...compared, throttleSizeFactor: factor } };
        }
        case 'NO_NEW':
        case 'FLATTEN_ALL':
          return isRiskReducing(intent)
            ? { result: 'pass', compared }
            : { result: 'reject', reason: `tier ${view.tier}: only risk-reducing orders are allowed`, compared: { ...compared, positionBefore: intent.positionBefore } };
      }
    },
  };
}
