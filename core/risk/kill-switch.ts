import { ShError } from '../errors.js';
import type { EpochMs } from '../model/time.js';

/** Kill-switch tiers, in increasing severity. */
export const KILL_TIERS = ['ACTIVE', 'WARN', 'THROTTLE', 'NO_NEW', 'FLATTEN_ALL'] as const;
export type KillTier = (typeof KILL_TIERS)[number];

/** Severity rank of a tier: ACTIVE 0 .. FLATTEN_ALL 4. */
export function tierRank(tier: KillTier): number {
  return KILL_TIERS.indexOf(tier);
}

/** Parse a tier name (case-insensitive); throws SH_ERR_KILL_TIER_UNKNOWN. */
export function parseTier(text: string, where = 'tier'): KillTier {
  const t = text.trim().toUpperCase().replace(/-/g, '_');
  if ((KILL_TIERS as readonly string[]).includes(t)) return t as KillTier;
  throw new ShError('SH_ERR_KILL_TIER_UNKNOWN', `unknown kill-switch tier ${JSON.stringify(text)}`, { where, received: text, expected: `one of ${KILL_TIERS.join(', ')}` });
}

/** One journaled transition. */
export interface KillTransition {
  readonly time: EpochMs;
  readonly from: KillTier;
  readonly to: KillTier;
  readonly operator: string;
  readonly reason: string;
}

export interface KillSwitchState {
  readonly tier: KillTier;
  readonly history: readonly KillTransition[];
  /** Operators who approved a de-escalation to `pendingResetTo`; two distinct ones are needed from NO_NEW and up. */
  readonly pendingResetTo?: KillTier;
  readonly resetApprovals: readonly string[];
}

export const INITIAL_KILL_STATE: KillSwitchState = { tier: 'ACTIVE', history: [], resetApprovals: [] };

/**
 * Request a tier. Escalation is immediate. De-escalation from below NO_NEW is immediate too; from NO_NEW or
 * FLATTEN_ALL it needs two distinct operators asking for the same target: the first request is recorded as a
 * pending approval and changes nothing. A pure function: the caller journals the result.
 */
export function requestTier(state: KillSwitchState, to: KillTier, operator: string, reason: string, time: EpochMs): { state: KillSwitchState; changed: boolean; pending: boolean } {
  const from = state.tier;
  if (to === from) return { state: { ...state, pendingResetTo: undefined, resetApprovals: [] }, changed: false, pending: false };
  const transition = (by = operator): KillSwitchState => ({ tier: to, history: [...state.history, { time, from, to, operator: by, reason }], resetApprovals: [] });
  if (tierRank(to) > tierRank(from) || tierRank(from) < tierRank('NO_NEW')) {
    return { state: transition(), changed: true, pending: false };
  }
  const approvals = state.pendingResetTo === to ? state.resetApprovals : [];
  if (approvals.includes(operator)) return { state, changed: false, pending: true };
  const next = [...approvals, operator];
  if (next.length >= 2) return { state: transition(next.join(' + ')), changed: true, pending: false };
  return { state: { ...state, pendingResetTo: to, resetApprovals: next }, changed: false, pending: true };
}
