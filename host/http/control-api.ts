import { createHash, timingSafeEqual } from 'node:crypto';
import { isShError, parseTier, type KillTier } from '../../core/index.js';
import type { HostConfig } from '../config/load-config.js';
import type { KillSwitchController } from '../kill-switch/controller.js';
import type { HostMetrics } from '../metrics.js';

/** A control request as the server parsed it. */
export interface ControlRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
  readonly remote: string;
}

export interface ControlResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A refused attempt, for the journal (never the token). */
export interface ControlAttempt {
  readonly path: string;
  readonly remote: string;
  readonly reason: string;
}

export type ControlHandler = (request: ControlRequest) => ControlResponse | undefined;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The operator whose token matches, compared in constant time (hashes of equal length, every operator checked,
 * no early exit); undefined when none does.
 */
export function operatorForToken(operators: readonly { name: string; token: string }[], token: string): string | undefined {
  const presented = digest(token);
  let match: string | undefined;
  for (const op of operators) if (timingSafeEqual(presented, digest(op.token)) && match === undefined) match = op.name;
  return match;
}

/**
 * The control API: POST /control/kill { tier, reason }, POST /control/kill/reset { reason }, GET /control/status.
 * Every request needs `Authorization: Bearer <operator token>`; a missing or wrong token gets 401 and is journaled.
 */
export function controlApi(config: HostConfig, controller: () => KillSwitchController | undefined, metrics: HostMetrics, onRefused: (attempt: ControlAttempt) => void): ControlHandler {
  return (request) => {
    if (!request.path.startsWith('/control/')) return undefined;
    const action = request.path.slice('/control/'.length);
    const match = /^Bearer (.+)$/.exec(request.authorization ?? '');
    const operator = match?.[1] ? operatorForToken(config.operators, match[1]) : undefined;
    if (!operator) {
      const reason = match ? 'wrong token' : 'missing token';
      metrics.controlRequests.inc({ action, outcome: 'unauthorized' });
      onRefused({ path: request.path, remote: request.remote, reason });
      return { status: 401, body: { error: 'SH_ERR_KILL_UNAUTHORIZED', message: `${reason}: send Authorization: Bearer <token> of a configured operator` } };
    }
    const kill = controller();
    if (!kill) return { status: 503, body: { error: 'not ready', message: 'the kill switch is not open yet' } };
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as { tier?: unknown; reason?: unknown };
    const reason = typeof body.reason === 'string' ? body.reason : '';
    try {
      if (request.method === 'GET' && action === 'status') {
        kill.poll();
        return { status: 200, body: statusOf(kill) };
      }
      if (request.method === 'POST' && (action === 'kill' || action === 'kill/reset')) {
        const tier: KillTier = action === 'kill/reset' ? 'ACTIVE' : parseTier(String(body.tier ?? ''), 'tier');
        const outcome = kill.operatorRequest(tier, operator, reason || (action === 'kill/reset' ? 'reset' : ''), 'http');
        metrics.controlRequests.inc({ action, outcome: outcome.pending ? 'pending' : 'accepted' });
        return { status: 200, body: { ...statusOf(kill), changed: outcome.changed, pending: outcome.pending, operator } };
      }
      return { status: 404, body: { error: 'not found', paths: ['POST /control/kill', 'POST /control/kill/reset', 'GET /control/status'] } };
    } catch (error) {
      if (!isShError(error)) throw error;
      metrics.controlRequests.inc({ action, outcome: 'invalid' });
      return { status: 400, body: error.toJSON() };
    }
  };
}

/** The state as `status --json` and the API show it: `tier` at the top level. */
export function statusOf(kill: KillSwitchController): Record<string, unknown> {
  const state = kill.state();
  return {
    tier: state.tier,
    history: state.history,
    pendingReset: state.pendingResetTo ? { to: state.pendingResetTo, approvals: state.resetApprovals, needed: 2 } : null,
  };
}
