import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostMetrics } from '../metrics.js';
import { startHttpServer, type HealthState, type HostServer } from './server.js';

describe('startHttpServer', () => {
  const metrics = new HostMetrics({ processMetrics: false });
  const health: HealthState = { status: 'running', runId: 'run-test-1', profile: 'demo', cycle: 12, tier: 'ACTIVE', executor: 'inline' };
  let server: HostServer;
  let base: string;

  beforeAll(async () => {
    metrics.cycleLatency.observe(0.003);
    metrics.riskDecisions.inc({ guard: 'max-order-size', result: 'rejected' }, 2);
    server = await startHttpServer(metrics, () => health, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('binds a free port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.port).toBeLessThanOrEqual(65_535);
  });

  it('GET /metrics serves the registry in the Prometheus text format', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await response.text();
    expect(text).toContain('# TYPE strategy_host_cycle_latency_seconds histogram');
    expect(text).toMatch(/^strategy_host_cycle_latency_seconds_count 1$/m);
    expect(text).toMatch(/^strategy_host_cycle_latency_seconds_bucket\{le="0.005"\} 1$/m);
    expect(text).toContain('# TYPE strategy_host_risk_decisions_total counter');
    expect(text).toMatch(/^strategy_host_risk_decisions_total\{guard="max-order-size",result="rejected"\} 2$/m);
  });

  it('GET /metrics reflects updates made after the server started', async () => {
    metrics.cycles.inc(3);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^strategy_host_cycles_total 3$/m);
  });

  it('GET /healthz returns the health state as JSON, read at request time', async () => {
    const first = await fetch(`${base}/healthz`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(await first.json()).toEqual(health);
    health.cycle = 13;
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'running', cycle: 13 });
  });

  it('GET /healthz answers 503 once the run has failed', async () => {
    health.status = 'failed';
    try {
      const response = await fetch(`${base}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'failed', runId: 'run-test-1' });
    } finally {
      health.status = 'running';
    }
  });

  it.each([
    ['GET', '/'],
    ['GET', '/metricsx'],
    ['GET', '/readyz/extra'],
    ['POST', '/metrics'],
    ['DELETE', '/healthz'],
  ])('%s %s -> 404 naming the paths served', async (method, pathname) => {
    const response = await fetch(`${base}${pathname}`, { method });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not found', paths: ['/metrics', '/healthz'] });
  });

  it('ignores the query string when routing', async () => {
    const response = await fetch(`${base}/healthz?verbose=1`);
    expect(response.status).toBe(200);
  });
});

describe('HostServer.close', () => {
  it('stops listening: later connections are refused', async () => {
    const server = await startHttpServer(new HostMetrics({ processMetrics: false }), () => ({ status: 'completed' }), { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${server.port}/healthz`;
    // A keep-alive connection is open when close() is called: close() must still resolve.
    expect((await fetch(url)).status).toBe(200);
    await server.close();
    const refused = await fetch(url).then(
      () => undefined,
      (error: Error & { cause?: { code?: string } }) => error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(refused?.cause?.code).toBe('ECONNREFUSED');
  });

  it('refuses to start on a port already in use', async () => {
    const first = await startHttpServer(new HostMetrics({ processMetrics: false }), () => ({ status: 'running' }), { port: 0, host: '127.0.0.1' });
    try {
      await expect(startHttpServer(new HostMetrics({ processMetrics: false }), () => ({ status: 'running' }), { port: first.port, host: '127.0.0.1' })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });
});
