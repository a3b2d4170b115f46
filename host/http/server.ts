import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostMetrics } from '../metrics.js';
import type { ControlHandler } from './control-api.js';

/** What /healthz reports; the engine updates it as it runs. */
export interface HealthState {
  status: 'starting' | 'running' | 'completed' | 'failed';
  runId?: string;
  profile?: string;
  cycle?: number;
  tier?: string;
  executor?: string;
  [key: string]: unknown;
}

export interface HostServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serve /metrics (Prometheus text format) and /healthz (JSON) on host:port. Port 0 picks a free port. */
export async function startHttpServer(metrics: HostMetrics, health: () => HealthState, options: { port: number; host: string; control?: ControlHandler }): Promise<HostServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.control && url.pathname.startsWith('/control/')) {
      readJsonBody(req)
        .then((body) => {
          const reply = options.control!({ method: req.method ?? 'GET', path: url.pathname, authorization: req.headers.authorization, body, remote: req.socket.remoteAddress ?? '' });
          res.writeHead(reply?.status ?? 404, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply?.body ?? { error: 'not found' }));
        })
        .catch((error: Error) => {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'bad request', message: error.message }));
        });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        })
        .catch((error: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(error.message);
        });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/healthz') {
      const state = health();
      res.writeHead(state.status === 'failed' ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found', paths: ['/metrics', '/healthz', ...(options.control ? ['/control/status', '/control/kill', '/control/kill/reset'] : [])] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Read a small JSON body (at most 64 KiB); an empty body is {}. */
function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 65_536) reject(new Error('body over 64 KiB'));
    });
    req.on('end', () => {
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}
