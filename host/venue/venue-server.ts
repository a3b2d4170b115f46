import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ShError } from '../../core/index.js';
import { accountJson, errorJson, fillJson, isoTime, orderJson, positionJson } from './alpaca-json.js';
import { parseBars, parseFillsQuery, parseOrderQuery, parseOrderRequest, selectOrders } from './alpaca-request.js';
import { VenueUnavailableError, type Outcome, type PaperVenue } from './paper-venue.js';
import { ALPACA_CODES, type VenueOrder, type VenueRefusal } from './venue-types.js';

/** The key pair a venue accepts when none is configured: for local use only (docs/venue.md). */
export const DEFAULT_VENUE_KEY_ID = 'venue-key-id';
export const DEFAULT_VENUE_SECRET_KEY = 'venue-secret-key';

export interface VenueServerOptions {
  readonly venue: PaperVenue;
  /** 0 (default) picks a free port. The venue listens on 127.0.0.1 only. */
  readonly port?: number;
  /** APCA-API-KEY-ID / APCA-API-SECRET-KEY a request must carry. Defaults: the local pair above. */
  readonly keyId?: string;
  readonly secretKey?: string;
  /** One line per refused or failed request. Default: nothing. */
  readonly log?: (line: string) => void;
}

export interface VenueServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Stop accepting connections, let requests in flight finish (at most 2 s), then close every connection. */
  close(): Promise<void>;
}

/** What a route answers: an HTTP status and a JSON body (none for 204). */
interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

interface RouteContext {
  readonly venue: PaperVenue;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly headers: http.IncomingHttpHeaders;
}

interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: RegExp;
  readonly handle: (context: RouteContext) => Promise<Reply>;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const refused = (refusal: VenueRefusal): Reply => ({ status: refusal.status, body: errorJson(refusal) });
const answer = <T>(outcome: Outcome<T>, render: (value: T) => Reply): Reply => (outcome.ok ? render(outcome.value) : refused(outcome.refusal));
const notFound = (message: string): Reply => refused({ status: 404, code: ALPACA_CODES.notFound, message });

/** A multi-status answer like Alpaca's bulk endpoints: one entry per order, each with its own status. */
const multiStatus = (entries: readonly { key: Record<string, string>; order: VenueOrder }[]): Reply => ({
  status: 207,
  body: entries.map(({ key, order }) => ({ ...key, status: 200, body: orderJson(order) })),
});

/**
 * The routes: a subset of Alpaca's trading API v2 (account, positions, orders) and the /sim/v1 extension that drives
 * the simulated market. Order of the table matters only where two patterns could match; they do not.
 */
const ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/v2\/account$/, handle: async ({ venue }) => ok(accountJson(venue.settings, await venue.account())) },
  { method: 'GET', path: /^\/v2\/positions$/, handle: async ({ venue }) => ok((await venue.positions()).map(positionJson)) },
  {
    method: 'GET',
    path: /^\/v2\/positions\/([^/]+)$/,
    handle: async ({ venue, params }) => {
      const position = (await venue.positions()).find((p) => p.symbol === params[0]);
      return position === undefined ? notFound('position does not exist') : ok(positionJson(position));
    },
  },
  {
    method: 'DELETE',
    path: /^\/v2\/positions$/,
    handle: async ({ venue, query }) =>
      answer(await venue.liquidate({ cancelOrders: query.get('cancel_orders') === 'true' }), (closed) => multiStatus(closed.map(({ symbol, order }) => ({ key: { symbol }, order })))),
  },
  {
    method: 'DELETE',
    path: /^\/v2\/positions\/([^/]+)$/,
    handle: async ({ venue, params }) => answer(await venue.liquidate({ symbol: params[0] as string }), (closed) => ok(orderJson((closed[0] as { order: VenueOrder }).order))),
  },
  {
    method: 'POST',
    path: /^\/v2\/orders$/,
    handle: async ({ venue, body, headers }) => {
      const request = parseOrderRequest(body, headerValue(headers['x-sim-time']));
      if (!request.ok) return refused(request.refusal);
      return answer(await venue.submit(request.value), (order) => ok(orderJson(order)));
    },
  },
  {
    method: 'GET',
    path: /^\/v2\/orders$/,
    handle: async ({ venue, query }) => {
      const parsed = parseOrderQuery(query);
      if (!parsed.ok) return refused(parsed.refusal);
      return ok(selectOrders(await venue.orders(), parsed.value).map(orderJson));
    },
  },
  {
    method: 'DELETE',
    path: /^\/v2\/orders$/,
    handle: async ({ venue }) => multiStatus((await venue.cancelAll()).map((order) => ({ key: { id: order.id }, order }))),
  },
  {
    method: 'GET',
    path: /^\/v2\/orders:by_client_order_id$/,
    handle: async ({ venue, query }) => {
      const clientOrderId = query.get('client_order_id');
      if (clientOrderId === null || clientOrderId === '') return refused({ status: 422, code: ALPACA_CODES.validation, message: 'client_order_id was missing, expected the client order id to look up' });
      const order = await venue.orderByClientId(clientOrderId);
      return order === undefined ? notFound('order not found') : ok(orderJson(order));
    },
  },
  {
    method: 'GET',
    path: /^\/v2\/orders\/([^/]+)$/,
    handle: async ({ venue, params }) => {
      const order = await venue.order(params[0] as string);
      return order === undefined ? notFound('order not found') : ok(orderJson(order));
    },
  },
  {
    method: 'DELETE',
    path: /^\/v2\/orders\/([^/]+)$/,
    handle: async ({ venue, params }) => answer(await venue.cancel(params[0] as string), () => ({ status: 204 })),
  },
  {
    method: 'POST',
    path: /^\/sim\/v1\/bars$/,
    handle: async ({ venue, body }) => {
      const bars = parseBars(body);
      if (!bars.ok) return refused(bars.refusal);
      const fills = await venue.advance(bars.value);
      const orders = await venue.orders();
      const byId = new Map(orders.map((o) => [o.id, o]));
      return ok({ fills: fills.map((f) => fillJson(f, byId.get(f.orderId) as VenueOrder)), clock: isoTime(venue.clock), last_prices: await lastPrices(venue) });
    },
  },
  {
    method: 'GET',
    path: /^\/sim\/v1\/fills$/,
    handle: async ({ venue, query }) => {
      const parsed = parseFillsQuery(query);
      if (!parsed.ok) return refused(parsed.refusal);
      const fills = await venue.fills(parsed.value.after, parsed.value.limit);
      const byId = new Map((await venue.orders()).map((o) => [o.id, o]));
      return ok(fills.map((f) => fillJson(f, byId.get(f.orderId) as VenueOrder)));
    },
  },
  {
    method: 'GET',
    path: /^\/sim\/v1\/market$/,
    handle: async ({ venue }) => ok({ clock: isoTime(venue.clock), last_prices: await lastPrices(venue), last_fill_seq: await venue.lastFillSeq() }),
  },
];

async function lastPrices(venue: PaperVenue): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await venue.lastPrices()).map(([symbol, price]) => [symbol, String(price)]));
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Serve a PaperVenue over HTTP on 127.0.0.1 with Alpaca's trading API semantics (docs/venue.md). Every request must
 * carry the key pair: none -> 401, a wrong one -> 403. Mutations are answered only after they are on disk.
 *
 * @example
 * const server = await startVenueServer({ venue, port: 0 });
 * await fetch(`${server.url}/v2/account`, { headers: { 'APCA-API-KEY-ID': DEFAULT_VENUE_KEY_ID, 'APCA-API-SECRET-KEY': DEFAULT_VENUE_SECRET_KEY } });
 */
export async function startVenueServer(options: VenueServerOptions): Promise<VenueServer> {
  const { venue } = options;
  const keyId = options.keyId ?? DEFAULT_VENUE_KEY_ID;
  const secretKey = options.secretKey ?? DEFAULT_VENUE_SECRET_KEY;
  const log = options.log ?? (() => undefined);

  const server = http.createServer((req, res) => {
    handle(req)
      .catch((error: unknown): Reply => {
        if (error instanceof VenueUnavailableError) return refused({ status: 503, code: ALPACA_CODES.unavailable, message: error.message });
        log(`venue: ${req.method} ${req.url} failed: ${(error as Error).message}`);
        return refused({ status: 500, code: ALPACA_CODES.internal, message: `internal error: ${(error as Error).message}` });
      })
      .then((reply) => {
        if (reply.status >= 400) log(`venue: ${req.method} ${req.url} -> ${reply.status} ${JSON.stringify(reply.body)}`);
        if (reply.body === undefined) res.writeHead(reply.status).end();
        else res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(reply.body));
      });
  });

  async function handle(req: http.IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authRefusal = authenticate(req.headers, keyId, secretKey);
    if (authRefusal !== undefined) {
      req.resume();
      return refused(authRefusal);
    }
    const candidates = ROUTES.filter((r) => r.path.test(url.pathname));
    const route = candidates.find((r) => r.method === req.method);
    if (route === undefined) {
      req.resume();
      return candidates.length > 0
        ? refused({ status: 405, code: 40510000, message: `method ${req.method} was not expected on ${url.pathname}, expected ${candidates.map((r) => r.method).join(' or ')}` })
        : notFound(`endpoint not found: ${req.method} ${url.pathname}`);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const parsed = await readJson(req);
      if (!parsed.ok) return refused(parsed.refusal);
      body = parsed.value;
    } else req.resume();
    let params: string[];
    try {
      params = (route.path.exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
    } catch {
      return refused({ status: 400, code: ALPACA_CODES.invalidRequest, message: `the path ${url.pathname} is not valid percent-encoding` });
    }
    return route.handle({ venue, params, query: url.searchParams, body, headers: req.headers });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new ShError('SH_ERR_VENUE_LISTEN_FAILED', `the venue cannot listen on 127.0.0.1:${options.port ?? 0}: ${error.code ?? error.message}`, { where: '--port', received: options.port ?? 0, expected: 'a free port, or 0 for any' }));
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** Alpaca's scheme: both headers required (401 when either is missing), and both must match (403 otherwise). */
function authenticate(headers: http.IncomingHttpHeaders, keyId: string, secretKey: string): VenueRefusal | undefined {
  const givenKey = headerValue(headers['apca-api-key-id']);
  const givenSecret = headerValue(headers['apca-api-secret-key']);
  if (givenKey === undefined || givenSecret === undefined) return { status: 401, code: ALPACA_CODES.unauthorized, message: 'request is not authorized: send APCA-API-KEY-ID and APCA-API-SECRET-KEY' };
  // Both compared, always, so the time taken does not tell which one was wrong.
  const keyMatches = sameText(givenKey, keyId);
  const secretMatches = sameText(givenSecret, secretKey);
  if (!(keyMatches && secretMatches)) return { status: 403, code: ALPACA_CODES.forbidden, message: 'forbidden: the key id or secret key is not the one this venue was started with' };
  return undefined;
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readJson(req: http.IncomingMessage): Promise<Outcome<unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, refusal: { status: 413, code: ALPACA_CODES.invalidRequest, message: `request body is larger than ${MAX_BODY_BYTES} bytes` } };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { ok: true, value: text.trim() === '' ? undefined : JSON.parse(text) };
  } catch (error) {
    return { ok: false, refusal: { status: 400, code: ALPACA_CODES.invalidRequest, message: `request body format is invalid: ${(error as Error).message}` } };
  }
}
