import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isShError } from '../../../core/index.js';
import type { ExecutionEvent, SubmitRequest } from '../../../core/index.js';
import { alpacaOrderRequest, orderFromAlpaca, positionFromAlpaca, statusFromAlpaca, VenueBroker, type AlpacaOrder, type FetchFunction } from './index.js';

/**
 * The adapter alone, against scripted answers (a fake fetch) and a server that never answers: the edge conversions
 * and what each kind of answer becomes. test/venue/ runs it against the real venue.
 */

const T0 = Date.UTC(2024, 0, 2, 21);

const request = (fields: Partial<SubmitRequest> = {}): SubmitRequest => ({
  clientOrderId: 'sh-a3hv0g81-2s-GLD-0',
  symbol: 'GLD',
  side: 'buy',
  quantity: 100,
  type: 'market',
  timeInForce: 'day',
  time: T0,
  ...fields,
});

const alpacaOrder = (fields: Partial<AlpacaOrder> = {}): AlpacaOrder => ({
  id: '9b7c1f0e-0000-4000-8000-000000000001',
  client_order_id: 'sh-a3hv0g81-2s-GLD-0',
  symbol: 'GLD',
  side: 'buy',
  qty: '100',
  type: 'market',
  time_in_force: 'day',
  limit_price: null,
  status: 'new',
  filled_qty: '0',
  filled_avg_price: null,
  created_at: new Date(T0).toISOString(),
  submitted_at: new Date(T0).toISOString(),
  updated_at: new Date(T0).toISOString(),
  ...fields,
});

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** A fetch that answers from a script and records what it was sent. */
function scripted(...answers: { status: number; body?: unknown }[]): { fetch: FetchFunction; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: FetchFunction = async (url, init) => {
    sent.push({ method: init.method ?? 'GET', url, headers: init.headers as Record<string, string>, body: init.body === undefined ? undefined : JSON.parse(init.body as string) });
    const answer = answers.shift() ?? { status: 500 };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  };
  return { fetch, sent };
}

function broker(fetch: FetchFunction, options: Partial<ConstructorParameters<typeof VenueBroker>[0]> = {}): { broker: VenueBroker; events: ExecutionEvent[] } {
  const b = new VenueBroker({ baseUrl: 'http://127.0.0.1:1/', fetch, ...options });
  const events: ExecutionEvent[] = [];
  b.onExecution((e) => events.push(e));
  return { broker: b, events };
}

describe('Alpaca <-> core at the edge', () => {
  it.each([
    ['new', 0, 'ACCEPTED'],
    ['accepted', 0, 'ACCEPTED'],
    ['pending_new', 0, 'ACCEPTED'],
    ['done_for_day', 5, 'PARTIALLY_FILLED'],
    ['pending_cancel', 0, 'ACCEPTED'],
    ['partially_filled', 5, 'PARTIALLY_FILLED'],
    ['filled', 100, 'FILLED'],
    ['canceled', 0, 'CANCELLED'],
    ['canceled', 40, 'CANCELLED'],
    ['expired', 0, 'CANCELLED'],
    ['replaced', 0, 'CANCELLED'],
    ['rejected', 0, 'REJECTED'],
    ['something_new', 0, 'UNKNOWN'],
  ])('status %s with %s filled -> %s', (status, filled, expected) => {
    expect(statusFromAlpaca(status as string, filled as number)).toBe(expected);
  });

  it.each([
    [{}, { type: 'market', time_in_force: 'day' }],
    [{ timeInForce: 'gtc' as const }, { type: 'market', time_in_force: 'gtc' }],
    [{ timeInForce: 'cls' as const }, { type: 'market', time_in_force: 'day' }], // a plain market order fills at the open
    [{ type: 'market-on-open' as const, timeInForce: 'opg' as const }, { type: 'market', time_in_force: 'opg' }],
    [{ type: 'market-on-close' as const, timeInForce: 'cls' as const }, { type: 'market', time_in_force: 'cls' }],
    [{ type: 'limit' as const, limitPrice: 99.5, timeInForce: 'gtc' as const }, { type: 'limit', time_in_force: 'gtc', limit_price: '99.5' }],
  ])('order request %j -> %j', (fields, expected) => {
    expect(alpacaOrderRequest(request(fields))).toEqual({ symbol: 'GLD', qty: '100', side: 'buy', client_order_id: 'sh-a3hv0g81-2s-GLD-0', ...expected });
  });

  it('an Alpaca order becomes a core order: numbers parsed, opg/cls back to market-on-open/close, null average = 0', () => {
    expect(orderFromAlpaca(alpacaOrder({ time_in_force: 'cls', status: 'partially_filled', filled_qty: '40', filled_avg_price: '100.031', updated_at: '2024-01-03T00:00:00.000Z' }), 'venue')).toEqual({
      clientOrderId: 'sh-a3hv0g81-2s-GLD-0',
      brokerOrderId: '9b7c1f0e-0000-4000-8000-000000000001',
      symbol: 'GLD',
      side: 'buy',
      quantity: 100,
      type: 'market-on-close',
      timeInForce: 'cls',
      status: 'PARTIALLY_FILLED',
      filledQuantity: 40,
      averagePrice: 100.031,
      submittedAt: T0,
      updatedAt: Date.UTC(2024, 0, 3),
      executedBy: 'venue',
    });
    expect(orderFromAlpaca(alpacaOrder({ type: 'limit', limit_price: '98.25' }), 'venue')).toMatchObject({ type: 'limit', limitPrice: 98.25, averagePrice: 0 });
  });

  it('positions are signed: short by side or by a negative qty', () => {
    expect(positionFromAlpaca({ symbol: 'SLV', qty: '-200', side: 'short', avg_entry_price: '22.1' })).toEqual({ symbol: 'SLV', quantity: -200, averagePrice: 22.1 });
    expect(positionFromAlpaca({ symbol: 'SLV', qty: '200', side: 'short', avg_entry_price: '22.1' }).quantity).toBe(-200);
  });

  it('a malformed number is no usable answer: SH_ERR_BROKER_UNREACHABLE naming the field', () => {
    let error: unknown;
    try {
      orderFromAlpaca(alpacaOrder({ filled_qty: 'lots' }), 'venue');
    } catch (e) {
      error = e;
    }
    expect(isShError(error, 'SH_ERR_BROKER_UNREACHABLE')).toBe(true);
    expect((error as { details: { where: string } }).details.where).toBe('venue answer field filled_qty');
  });
});

describe('VenueBroker answers', () => {
  it('submit posts the Alpaca body with the key pair and X-Sim-Time; 200 -> ACCEPTED and an accepted event', async () => {
    const { fetch, sent } = scripted({ status: 200, body: alpacaOrder() });
    const { broker: b, events } = broker(fetch, { keyId: 'k', secretKey: 's' });
    const order = await b.submit(request());
    expect(order).toMatchObject({ status: 'ACCEPTED', brokerOrderId: '9b7c1f0e-0000-4000-8000-000000000001' });
    expect(events.map((e) => e.type)).toEqual(['accepted']);
    expect(sent[0]).toMatchObject({ method: 'POST', url: 'http://127.0.0.1:1/v2/orders', body: alpacaOrderRequest(request()) });
    expect(sent[0]?.headers).toMatchObject({ 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's', 'X-Sim-Time': String(T0) });
  });

  it('sendSimTime: false leaves the dating to the venue clock', async () => {
    const { fetch, sent } = scripted({ status: 200, body: alpacaOrder() });
    await broker(fetch, { sendSimTime: false }).broker.submit(request());
    expect(sent[0]?.headers['X-Sim-Time']).toBeUndefined();
  });

  it.each([
    { status: 422, body: { code: 40010001, message: 'client_order_id must be unique' }, reason: 'client_order_id must be unique' },
    { status: 400, body: { code: 40010000, message: 'request body format is invalid' }, reason: 'request body format is invalid' },
    { status: 404, body: undefined, reason: 'HTTP 404' },
  ])('submit: HTTP $status -> REJECTED with the reason, never thrown', async ({ status, body, reason }) => {
    const { fetch } = scripted({ status, body });
    const { broker: b, events } = broker(fetch);
    const order = await b.submit(request());
    expect(order).toMatchObject({ status: 'REJECTED', rejectReason: reason, clientOrderId: 'sh-a3hv0g81-2s-GLD-0', quantity: 100, submittedAt: T0 });
    expect(events).toEqual([{ type: 'rejected', order, reason }]);
  });

  it('submit: an order the venue answers as rejected -> REJECTED and a rejected event', async () => {
    const { fetch } = scripted({ status: 200, body: alpacaOrder({ status: 'rejected', reject_reason: 'short selling is not allowed' }) });
    const { broker: b, events } = broker(fetch);
    expect((await b.submit(request())).status).toBe('REJECTED');
    expect(events[0]).toMatchObject({ type: 'rejected', reason: 'short selling is not allowed' });
  });

  it.each([
    { name: 'HTTP 500', answer: { status: 500, body: { code: 50010000, message: 'internal error: disk full' } }, code: 'SH_ERR_BROKER_UNREACHABLE', message: /disk full/ },
    { name: 'HTTP 503', answer: { status: 503 }, code: 'SH_ERR_BROKER_UNREACHABLE', message: /HTTP 503/ },
    { name: 'HTTP 401', answer: { status: 401, body: { code: 40110000 } }, code: 'SH_ERR_BROKER_AUTH_FAILED', message: /HTTP 401/ },
    { name: 'HTTP 403', answer: { status: 403, body: { code: 40310000 } }, code: 'SH_ERR_BROKER_AUTH_FAILED', message: /HTTP 403/ },
  ])('submit: $name -> throws $code (the outcome is unknown or the keys are wrong)', async ({ answer, code, message }) => {
    const { fetch } = scripted(answer);
    const { broker: b, events } = broker(fetch);
    const error = await b.submit(request()).catch((e: unknown) => e);
    expect(isShError(error, code as 'SH_ERR_BROKER_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(events).toEqual([]);
  });

  it('submit: a network failure -> SH_ERR_BROKER_UNREACHABLE', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const b = new VenueBroker({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await b.submit(request()).catch((e: unknown) => e);
    expect(isShError(error, 'SH_ERR_BROKER_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  describe('against a venue that never answers', () => {
    let server: http.Server | undefined;
    afterEach(async () => {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    });

    it('submit gives up after submitTimeoutMs with SH_ERR_BROKER_UNREACHABLE, so the caller marks the order UNKNOWN', async () => {
      server = http.createServer(() => undefined); // holds every request
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const b = new VenueBroker({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, submitTimeoutMs: 150 });
      const started = Date.now();
      const error = await b.submit(request()).catch((e: unknown) => e);
      expect(isShError(error, 'SH_ERR_BROKER_UNREACHABLE')).toBe(true);
      expect((error as Error).message).toMatch(/no answer within 150 ms/);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  it('advance posts ISO-dated bars and emits a fill event per fill, in order, once per fill seq', async () => {
    const fill = (seq: number, qty: string, status: string, cum: string): unknown => ({
      seq,
      id: `fill-${seq}`,
      client_order_id: 'sh-a3hv0g81-2s-GLD-0',
      symbol: 'GLD',
      side: 'buy',
      qty,
      price: '100.031',
      commission: '1',
      transaction_time: '2024-01-03T00:00:00.000Z',
      order: alpacaOrder({ status, filled_qty: cum, filled_avg_price: '100.031' }),
    });
    const { fetch, sent } = scripted(
      { status: 200, body: { fills: [fill(1, '60', 'partially_filled', '60'), fill(2, '40', 'filled', '100')], last_prices: { GLD: '100.5' } } },
      { status: 200, body: [fill(1, '60', 'partially_filled', '60'), fill(2, '40', 'filled', '100')] },
    );
    const { broker: b, events } = broker(fetch);
    await b.advance([{ symbol: 'GLD', time: Date.UTC(2024, 0, 3), open: 100, high: 101, low: 99, close: 100.5, volume: 1e6 }]);
    expect(sent[0]?.body).toEqual([{ symbol: 'GLD', time: '2024-01-03T00:00:00.000Z', open: 100, high: 101, low: 99, close: 100.5, volume: 1e6 }]);
    expect(events.map((e) => (e.type === 'fill' ? [e.fill.fillId, e.fill.quantity, e.order.status, e.order.filledQuantity] : e.type))).toEqual([
      ['fill-1', 60, 'PARTIALLY_FILLED', 60],
      ['fill-2', 40, 'FILLED', 100],
    ]);
    expect(b.lastPrice('GLD')).toBe(100.5);
    expect(await b.syncFills()).toBe(0); // seen already
    expect(sent[1]?.url).toBe('http://127.0.0.1:1/sim/v1/fills?after=2');
  });

  it('refuses bad options with SH_ERR_CONFIG_INVALID', () => {
    expect(() => new VenueBroker({ baseUrl: 'not a url' })).toThrow(expect.objectContaining({ code: 'SH_ERR_CONFIG_INVALID' }));
    expect(() => new VenueBroker({ baseUrl: 'http://127.0.0.1:1', submitTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'SH_ERR_CONFIG_INVALID' }));
  });
});
