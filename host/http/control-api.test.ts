import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/integration/fixtures.js';
import { loadConfig } from '../config/load-config.js';
import { KillSwitchController } from '../kill-switch/controller.js';
import { KillSwitchStore } from '../kill-switch/kill-switch-store.js';
import { HostMetrics } from '../metrics.js';
import { controlApi, operatorForToken, type ControlAttempt } from './control-api.js';
import { startHttpServer, type HostServer } from './server.js';

const OPERATORS = [
  { name: 'alice', token: 'alice-token-0123456789' },
  { name: 'bob', token: 'bob-token-0123456789ab' },
];

describe('operatorForToken', () => {
  it.each([
    ['alice-token-0123456789', 'alice'],
    ['bob-token-0123456789ab', 'bob'],
    ['alice-token-012345678', undefined],
    ['', undefined],
    ['alice-token-0123456789 ', undefined],
  ])('%j -> %s', (token, name) => {
    expect(operatorForToken(OPERATORS, token)).toBe(name);
  });
});

describe('POST /control/kill and friends', () => {
  let server: HostServer;
  let base: string;
  const refused: ControlAttempt[] = [];
  const metrics = new HostMetrics({ processMetrics: false });

  beforeAll(async () => {
    const config = loadConfig({ profile: 'demo', overrides: { operators: OPERATORS } });
    const dir = tempDir();
    const controller = new KillSwitchController(new KillSwitchStore(path.join(dir, 'journal.sqlite')), { operators: OPERATORS.map((o) => o.name), flagFile: path.join(dir, 'KILL.flag') });
    server = await startHttpServer(metrics, () => ({ status: 'running' }), { port: 0, host: '127.0.0.1', control: controlApi(config, () => controller, metrics, (a) => refused.push(a)) });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => server.close());

  const call = async (method: string, route: string, token?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; text: string }> => {
    const res = await fetch(`${base}${route}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, text };
  };

  it('refuses a missing or wrong token with 401 and journals each attempt without the token', async () => {
    expect((await call('POST', '/control/kill', undefined, { tier: 'NO_NEW', reason: 'x' })).status).toBe(401);
    const wrong = await call('POST', '/control/kill', 'not-a-real-token-xxxx', { tier: 'NO_NEW', reason: 'x' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('SH_ERR_KILL_UNAUTHORIZED');
    expect(refused.map((r) => r.reason)).toEqual(['missing token', 'wrong token']);
    expect(JSON.stringify(refused)).not.toContain('not-a-real-token');
    expect((await call('GET', '/control/status', 'wrong-token-0000000000')).status).toBe(401);
  });

  it('escalates with a valid token, needs two operators to reset, and reports the tier at the top level', async () => {
    const kill = await call('POST', '/control/kill', OPERATORS[0]!.token, { tier: 'FLATTEN_ALL', reason: 'drill' });
    expect(kill.status).toBe(200);
    expect(kill.json).toMatchObject({ tier: 'FLATTEN_ALL', changed: true, operator: 'alice' });
    const first = await call('POST', '/control/kill/reset', OPERATORS[0]!.token, { reason: 'done' });
    expect(first.json).toMatchObject({ tier: 'FLATTEN_ALL', pending: true });
    const status = await call('GET', '/control/status', OPERATORS[1]!.token);
    expect(status.json).toMatchObject({ tier: 'FLATTEN_ALL', pendingReset: { to: 'ACTIVE', approvals: ['alice'], needed: 2 } });
    const second = await call('POST', '/control/kill/reset', OPERATORS[1]!.token, { reason: 'agreed' });
    expect(second.json).toMatchObject({ tier: 'ACTIVE', changed: true });
    for (const r of [kill, first, status, second]) for (const o of OPERATORS) expect(r.text).not.toContain(o.token);
  });

  it('a bad tier is a 400 with its code', async () => {
    const bad = await call('POST', '/control/kill', OPERATORS[0]!.token, { tier: 'STOP', reason: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('SH_ERR_KILL_TIER_UNKNOWN');
  });

  it('counts requests by action and outcome', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/strategy_host_control_requests_total\{action="kill",outcome="unauthorized"\} 2/);
    expect(text).toMatch(/strategy_host_control_requests_total\{action="kill\/reset",outcome="pending"\} 1/);
  });
});
