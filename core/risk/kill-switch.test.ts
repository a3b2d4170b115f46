import { describe, expect, it } from 'vitest';
import { INITIAL_KILL_STATE, parseTier, requestTier, type KillSwitchState, type KillTier } from './kill-switch.js';

/** Apply requests [tier, operator] in order from ACTIVE. */
function run(requests: [KillTier, string][]): KillSwitchState {
  let state = INITIAL_KILL_STATE;
  requests.forEach(([tier, operator], i) => {
    state = requestTier(state, tier, operator, `r${i}`, i).state;
  });
  return state;
}

describe('kill-switch tiers', () => {
  it.each<[string, [KillTier, string][], KillTier]>([
    ['escalation is immediate', [['NO_NEW', 'a']], 'NO_NEW'],
    ['escalation skips tiers', [['FLATTEN_ALL', 'a']], 'FLATTEN_ALL'],
    ['de-escalation below NO_NEW is immediate', [['THROTTLE', 'a'], ['ACTIVE', 'a']], 'ACTIVE'],
    ['one operator cannot de-escalate from NO_NEW', [['NO_NEW', 'a'], ['ACTIVE', 'a']], 'NO_NEW'],
    ['the same operator twice is still one', [['NO_NEW', 'a'], ['ACTIVE', 'b'], ['ACTIVE', 'b']], 'NO_NEW'],
    ['two distinct operators de-escalate', [['FLATTEN_ALL', 'a'], ['ACTIVE', 'b'], ['ACTIVE', 'c']], 'ACTIVE'],
    ['approvals must be for the same target', [['FLATTEN_ALL', 'a'], ['ACTIVE', 'b'], ['WARN', 'c']], 'FLATTEN_ALL'],
    ['escalation during a pending reset wins and clears it', [['NO_NEW', 'a'], ['ACTIVE', 'b'], ['FLATTEN_ALL', 'x'], ['ACTIVE', 'c']], 'FLATTEN_ALL'],
    ['the requester of the escalation may approve its reset with another', [['NO_NEW', 'a'], ['ACTIVE', 'a'], ['ACTIVE', 'b']], 'ACTIVE'],
  ])('%s', (_name, requests, tier) => {
    expect(run(requests).tier).toBe(tier);
  });

  it('journals each transition with who, why, when, from and to; a two-operator reset names both', () => {
    const state = run([['NO_NEW', 'alice'], ['ACTIVE', 'alice'], ['ACTIVE', 'bob']]);
    expect(state.history).toEqual([
      { time: 0, from: 'ACTIVE', to: 'NO_NEW', operator: 'alice', reason: 'r0' },
      { time: 2, from: 'NO_NEW', to: 'ACTIVE', operator: 'alice + bob', reason: 'r2' },
    ]);
  });

  it('a pending approval is visible until the second operator comes', () => {
    const state = run([['NO_NEW', 'alice'], ['ACTIVE', 'bob']]);
    expect(state).toMatchObject({ tier: 'NO_NEW', pendingResetTo: 'ACTIVE', resetApprovals: ['bob'] });
  });

  it.each([['flatten_all', 'FLATTEN_ALL'], [' no-new ', 'NO_NEW'], ['Warn', 'WARN']])('parses %j as %s', (text, tier) => {
    expect(parseTier(text)).toBe(tier);
  });

  it('an unknown tier is an error naming the value and the tiers', () => {
    expect(() => parseTier('STOP')).toThrowError(/unknown kill-switch tier "STOP"/);
    try {
      parseTier('STOP', '--tier');
    } catch (error) {
      expect((error as { code: string }).code).toBe('SH_ERR_KILL_TIER_UNKNOWN');
      expect((error as { details: { expected: string } }).details.expected).toContain('FLATTEN_ALL');
    }
  });
});
