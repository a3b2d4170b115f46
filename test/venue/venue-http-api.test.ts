import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, bar, day, startHarness, type VenueHarness } from './venue-fixtures.js';

/** The venue's REST surface as any Alpaca client sees it: raw HTTP, Alpaca's JSON shapes and status codes. */

let harness: VenueHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const start = async (...args: Parameters<typeof startHarness>): Promise<VenueHarness> => {
  harness = await startHarness(...args);
  return harness;
};

const order = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({ symbol: 'GLD', qty: '100', side: 'buy', type: 'market', time_in_force: 'day', ...fields });
const barJson = (n: number, fields: Record<string, unknown> = {}): Record<string, unknown> => ({ ...bar(n), time: new Date(day(n)).toISOString(), ...fields });

describe('authentication (Alpaca headers)', () => {
  it.each<{ name: string; headers: Record<string, string>; status: number; code: number }>([
    { name: 'no headers', headers: {}, status: 401, code: 40110000 },
    { name: 'only the key id', headers: { 'APCA-API-KEY-ID': AUTH['APCA-API-KEY-ID'] }, status: 401, code: 40110000 },
    { name: 'a wrong secret', headers: { ...AUTH, 'APCA-API-SECRET-KEY': 'wrong' }, status: 403, code: 40310000 },
    { name: 'a wrong key id', headers: { ...AUTH, 'APCA-API-KEY-ID': 'wrong' }, status: 403, code: 40310000 },
  ])('$name -> $status on every endpoint, /sim included', async ({ headers, status, code }) => {
    const { http } = await start();
    for (const [method, path] of [['GET', '/v2/account'], ['GET', '/v2/orders?status=all'], ['POST', '/v2/orders'], ['DELETE', '/v2/positions'], ['POST', '/sim/v1/bars'], ['GET', '/sim/v1/fills']]) {
      const answer = await http(method as string, path as string, method === 'POST' ? {} : undefined, headers);
      expect([path, answer.status, answer.body.code]).toEqual([path, status, code]);
    }
    expect((await http('GET', '/v2/orders?status=all')).body).toEqual([]); // the refused POST created nothing
  });
});

describe('GET /v2/account and positions', () => {
  it('an account in Alpaca shape: numbers as strings, status ACTIVE', async () => {
    const { http } = await start({ initialCash: 250_000 });
    const { status, body } = await http('GET', '/v2/account');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ACTIVE', currency: 'USD', cash: '250000', equity: '250000', buying_power: '250000', portfolio_value: '250000', multiplier: '1' });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.account_number).toMatch(/^PA\d{10}$/);
  });

  it('positions long and short, marked at the last close; one position by symbol; 404 for none', async () => {
    const { http } = await start();
    await http('POST', '/v2/orders', order({ client_order_id: 'long' }));
    await http('POST', '/v2/orders', order({ client_order_id: 'short', symbol: 'SLV', side: 'sell', qty: 200 }));
    await http('POST', '/sim/v1/bars', [barJson(1, { close: 100.5 }), barJson(1, { symbol: 'SLV', open: 22, high: 23, low: 21, close: 21.5 })]);
    const { body } = await http('GET', '/v2/positions');
    expect(body.map((p: Record<string, string>) => [p.symbol, p.qty, p.side, p.current_price, p.market_value])).toEqual([
      ['GLD', '100', 'long', '100.5', '10050'],
      ['SLV', '-200', 'short', '21.5', '-4300'],
    ]);
    const gld = await http('GET', '/v2/positions/GLD');
    expect(Number(gld.body.avg_entry_price)).toBeCloseTo(100 * (1 + 3.1e-4), 10);
    expect(await http('GET', '/v2/positions/IAU')).toMatchObject({ status: 404, body: { code: 40410000 } });
    const account = (await http('GET', '/v2/account')).body;
    expect(Number(account.long_market_value)).toBe(10050);
    expect(Number(account.short_market_value)).toBe(-4300);
    expect(Number(account.equity)).toBeCloseTo(Number(account.cash) + 10050 - 4300, 6);
  });
});

describe('POST /v2/orders', () => {
  it('answers the order: status new, qty as a string, the client order id, UUID id', async () => {
    const { http } = await start();
    const { status, body } = await http('POST', '/v2/orders', order({ client_order_id: 'c-1', type: 'limit', limit_price: '99.5', time_in_force: 'gtc' }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ client_order_id: 'c-1', status: 'new', qty: '100', filled_qty: '0', type: 'limit', limit_price: '99.5', time_in_force: 'gtc', symbol: 'GLD', side: 'buy', asset_class: 'us_equity' });
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('makes a client order id when none is given, like Alpaca', async () => {
    const { http } = await start();
    const { body } = await http('POST', '/v2/orders', order());
    expect(body.client_order_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a client order id used before (ever) -> 422 {code 40010001, "client_order_id must be unique"}', async () => {
    const { http } = await start();
    expect((await http('POST', '/v2/orders', order({ client_order_id: 'once' }))).status).toBe(200);
    expect(await http('DELETE', `/v2/orders/${(await http('GET', '/v2/orders:by_client_order_id?client_order_id=once')).body.id}`)).toMatchObject({ status: 204 });
    expect(await http('POST', '/v2/orders', order({ client_order_id: 'once', qty: 1 }))).toEqual({ status: 422, body: { code: 40010001, message: 'client_order_id must be unique' } });
  });

  it.each([
    { name: 'no symbol', fields: { symbol: undefined }, message: /symbol was missing/ },
    { name: 'zero qty', fields: { qty: '0' }, message: /qty was "0", expected a positive number/ },
    { name: 'fractional qty', fields: { qty: '0.5' }, message: /fractional orders are not supported/ },
    { name: 'notional', fields: { qty: undefined, notional: '100' }, message: /notional orders are not supported/ },
    { name: 'bad side', fields: { side: 'short' }, message: /side was "short", expected buy or sell/ },
    { name: 'stop order', fields: { type: 'stop', stop_price: '90' }, message: /type was "stop".*stop_price is not supported/ },
    { name: 'ioc', fields: { time_in_force: 'ioc' }, message: /time_in_force was "ioc", expected day, gtc, opg or cls/ },
    { name: 'limit without a price', fields: { type: 'limit' }, message: /limit_price was missing, expected a positive price/ },
    { name: 'market with a price', fields: { limit_price: '10' }, message: /expected none for a market order/ },
    { name: 'bracket', fields: { order_class: 'bracket' }, message: /order_class was "bracket"/ },
    { name: 'long client order id', fields: { client_order_id: 'x'.repeat(129) }, message: /no more than 128 characters/ },
  ])('422 for $name, and nothing is created', async ({ fields, message }) => {
    const { http } = await start();
    const answer = await http('POST', '/v2/orders', order(fields));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe(40010001);
    expect(answer.body.message).toMatch(message);
    expect((await http('GET', '/v2/orders?status=all')).body).toEqual([]);
  });

  it('400 for a body that is not JSON; 422 for a bad X-Sim-Time', async () => {
    const { http } = await start();
    expect(await http('POST', '/v2/orders', '{not json')).toMatchObject({ status: 400, body: { code: 40010000 } });
    expect(await http('POST', '/v2/orders', order(), { ...AUTH, 'X-Sim-Time': 'tomorrow' })).toMatchObject({ status: 422, body: { message: /X-Sim-Time header was "tomorrow"/ } });
  });
});

describe('GET /v2/orders, by id, by client order id', () => {
  it('status=all lists every order ever accepted with its client order id (no default limit of 50)', async () => {
    const { http } = await start();
    for (let i = 0; i < 60; i += 1) await http('POST', '/v2/orders', order({ client_order_id: `c-${i}`, qty: 1 }));
    await http('DELETE', `/v2/orders/${(await http('GET', '/v2/orders:by_client_order_id?client_order_id=c-3')).body.id}`);
    await http('POST', '/sim/v1/bars', [barJson(1)]);
    const all = await http('GET', '/v2/orders?status=all');
    expect(all.body.map((o: { client_order_id: string }) => o.client_order_id)).toEqual(Array.from({ length: 60 }, (_, i) => `c-${59 - i}`));
    expect(new Set(all.body.map((o: { status: string }) => o.status))).toEqual(new Set(['filled', 'canceled']));
  });

  it('status open / closed, direction, limit, symbols, after / until', async () => {
    const { http } = await start();
    await http('POST', '/v2/orders', order({ client_order_id: 'a' }), { ...AUTH, 'X-Sim-Time': String(day(0)) });
    await http('POST', '/v2/orders', order({ client_order_id: 'b', type: 'limit', limit_price: 50, time_in_force: 'gtc' }), { ...AUTH, 'X-Sim-Time': String(day(0)) });
    await http('POST', '/sim/v1/bars', [barJson(1)]);
    await http('POST', '/v2/orders', order({ client_order_id: 'c', symbol: 'SLV' }), { ...AUTH, 'X-Sim-Time': String(day(1)) });
    const ids = async (query: string): Promise<string[]> => (await http('GET', `/v2/orders${query}`)).body.map((o: { client_order_id: string }) => o.client_order_id);
    expect(await ids('')).toEqual(['c', 'b']); // default: open, newest first
    expect(await ids('?status=closed')).toEqual(['a']);
    expect(await ids('?status=all&direction=asc')).toEqual(['a', 'b', 'c']);
    expect(await ids('?status=all&limit=2')).toEqual(['c', 'b']);
    expect(await ids('?status=all&symbols=SLV,IAU')).toEqual(['c']);
    expect(await ids(`?status=all&after=${new Date(day(0)).toISOString()}`)).toEqual(['c']);
    expect(await ids(`?status=all&until=${new Date(day(1)).toISOString()}`)).toEqual(['b', 'a']);
    expect(await http('GET', '/v2/orders?status=done')).toMatchObject({ status: 422, body: { message: /status was "done", expected open, closed or all/ } });
  });

  it('by id and by client order id; 404 when unknown', async () => {
    const { http } = await start();
    const placed = (await http('POST', '/v2/orders', order({ client_order_id: 'sh-x/1' }))).body;
    expect((await http('GET', `/v2/orders/${placed.id}`)).body).toEqual(placed);
    expect((await http('GET', `/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent('sh-x/1')}`)).body).toEqual(placed);
    expect(await http('GET', '/v2/orders:by_client_order_id?client_order_id=nope')).toMatchObject({ status: 404, body: { code: 40410000 } });
    expect(await http('GET', '/v2/orders/00000000-0000-0000-0000-000000000000')).toMatchObject({ status: 404 });
  });
});

describe('cancel', () => {
  it('DELETE /v2/orders/{id}: 204, then 422 (not cancelable), 404 for an unknown id', async () => {
    const { http } = await start();
    const placed = (await http('POST', '/v2/orders', order())).body;
    expect(await http('DELETE', `/v2/orders/${placed.id}`)).toEqual({ status: 204, body: undefined });
    expect((await http('GET', `/v2/orders/${placed.id}`)).body).toMatchObject({ status: 'canceled', canceled_at: '1970-01-01T00:00:00.000Z' });
    expect(await http('DELETE', `/v2/orders/${placed.id}`)).toMatchObject({ status: 422, body: { code: 42210000 } });
    expect(await http('DELETE', '/v2/orders/unknown')).toMatchObject({ status: 404 });
  });

  it('DELETE /v2/orders cancels every open order: 207 with one entry per order', async () => {
    const { http } = await start();
    const a = (await http('POST', '/v2/orders', order({ client_order_id: 'a' }))).body;
    const b = (await http('POST', '/v2/orders', order({ client_order_id: 'b', symbol: 'SLV' }))).body;
    const { status, body } = await http('DELETE', '/v2/orders');
    expect(status).toBe(207);
    expect(body.map((e: { id: string; status: number; body: { status: string } }) => [e.id, e.status, e.body.status])).toEqual([[a.id, 200, 'canceled'], [b.id, 200, 'canceled']]);
    expect((await http('GET', '/v2/orders')).body).toEqual([]);
  });
});

describe('DELETE /v2/positions: liquidate now at the last price, with costs', () => {
  it('flattens every position with market orders of its own, filled at last close -/+ (half spread + slippage)', async () => {
    const { http } = await start();
    await http('POST', '/v2/orders', order({ client_order_id: 'long', qty: 300 }));
    await http('POST', '/v2/orders', order({ client_order_id: 'short', symbol: 'SLV', side: 'sell', qty: 1000 }));
    await http('POST', '/sim/v1/bars', [barJson(1, { close: 100.8, high: 101 }), barJson(1, { symbol: 'SLV', open: 22, high: 23, low: 21, close: 22.4 })]);
    await http('POST', '/v2/orders', order({ client_order_id: 'resting', type: 'limit', limit_price: 10, time_in_force: 'gtc' }));
    await http('POST', '/v2/orders', order({ client_order_id: 'other', symbol: 'IAU', type: 'limit', limit_price: 10, time_in_force: 'gtc' }));
    const cashBefore = Number((await http('GET', '/v2/account')).body.cash);

    const { status, body } = await http('DELETE', '/v2/positions');
    expect(status).toBe(207);
    const bySymbol = Object.fromEntries(body.map((e: { symbol: string; body: Record<string, string> }) => [e.symbol, e.body]));
    expect(bySymbol.GLD).toMatchObject({ side: 'sell', qty: '300', status: 'filled', filled_qty: '300', time_in_force: 'day', filled_at: new Date(day(1)).toISOString() });
    expect(bySymbol.SLV).toMatchObject({ side: 'buy', qty: '1000', status: 'filled' });
    expect(bySymbol.GLD.client_order_id).toMatch(/^liquidation-/);
    const gldPrice = 100.8 * (1 - 3e-4);
    const slvPrice = 22.4 * (1 + 3e-4);
    expect(Number(bySymbol.GLD.filled_avg_price)).toBeCloseTo(gldPrice, 10);
    expect(Number(bySymbol.SLV.filled_avg_price)).toBeCloseTo(slvPrice, 10);
    expect((await http('GET', '/v2/positions')).body).toEqual([]);
    const cashAfter = Number((await http('GET', '/v2/account')).body.cash);
    expect(cashAfter).toBeCloseTo(cashBefore + 300 * gldPrice - 1000 * slvPrice - 1.5 - 5, 6); // commissions max(1, 0.005 q)
    // The working order of a liquidated symbol is cancelled; another symbol's is left alone (no cancel_orders).
    const statusOf = async (id: string): Promise<string> => (await http('GET', `/v2/orders:by_client_order_id?client_order_id=${id}`)).body.status;
    expect([await statusOf('resting'), await statusOf('other')]).toEqual(['canceled', 'new']);
    expect((await http('GET', '/sim/v1/fills?after=2')).body.map((f: { client_order_id: string }) => f.client_order_id)).toEqual([bySymbol.GLD.client_order_id, bySymbol.SLV.client_order_id]);
  });

  it('cancel_orders=true cancels every open order first; one symbol closes with DELETE /v2/positions/{symbol}', async () => {
    const { http } = await start();
    await http('POST', '/v2/orders', order({ qty: 10 }));
    await http('POST', '/v2/orders', order({ symbol: 'SLV', qty: 10 }));
    await http('POST', '/sim/v1/bars', [barJson(1), barJson(1, { symbol: 'SLV', open: 22, high: 23, low: 21, close: 22 })]);
    await http('POST', '/v2/orders', order({ client_order_id: 'other', symbol: 'IAU', type: 'limit', limit_price: 10, time_in_force: 'gtc' }));
    const one = await http('DELETE', '/v2/positions/SLV');
    expect(one).toMatchObject({ status: 200, body: { symbol: 'SLV', side: 'sell', status: 'filled' } });
    expect((await http('GET', '/v2/positions')).body.map((p: { symbol: string }) => p.symbol)).toEqual(['GLD']);
    expect(await http('DELETE', '/v2/positions/SLV')).toMatchObject({ status: 404 });
    await http('DELETE', '/v2/positions?cancel_orders=true');
    expect((await http('GET', '/v2/orders')).body).toEqual([]);
    expect((await http('GET', '/v2/positions')).body).toEqual([]);
  });

  it('with no position: 207 and an empty list', async () => {
    const { http } = await start();
    expect(await http('DELETE', '/v2/positions')).toEqual({ status: 207, body: [] });
  });
});

describe('the /sim/v1 extension', () => {
  it('POST /sim/v1/bars answers the fills (each with the order after it), the clock and last prices; GET /sim/v1/fills pages by seq', async () => {
    const { http } = await start();
    await http('POST', '/v2/orders', order({ client_order_id: 'big', qty: 150_000, time_in_force: 'gtc' }));
    const first = await http('POST', '/sim/v1/bars', [barJson(1)]);
    expect(first.body.clock).toBe(new Date(day(1)).toISOString());
    expect(first.body.last_prices).toEqual({ GLD: '100' });
    expect(first.body.fills.map((f: Record<string, unknown>) => [f.seq, f.event, f.qty, f.cum_qty, f.leaves_qty, f.order_status])).toEqual([[1, 'partial_fill', '100000', '100000', '50000', 'partially_filled']]);
    expect(first.body.fills[0].order).toMatchObject({ status: 'partially_filled', filled_qty: '100000', client_order_id: 'big' });
    await http('POST', '/sim/v1/bars', [barJson(2, { time: day(2) })]); // epoch ms work too
    const all = await http('GET', '/sim/v1/fills');
    expect(all.body.map((f: { seq: number; order: { status: string } }) => [f.seq, f.order.status])).toEqual([[1, 'partially_filled'], [2, 'filled']]);
    expect((await http('GET', '/sim/v1/fills?after=1')).body.map((f: { seq: number }) => f.seq)).toEqual([2]);
    expect((await http('GET', '/sim/v1/market')).body).toEqual({ clock: new Date(day(2)).toISOString(), last_prices: { GLD: '100' }, last_fill_seq: 2 });
  });

  it.each([
    { name: 'not an array', body: { symbol: 'GLD' }, message: /expected an array of bars/ },
    { name: 'a negative price', body: [{ ...bar(1), low: -1 }], message: /bars\[0\]\.low was -1/ },
    { name: 'a bad time', body: [{ ...bar(1), time: 'soon' }], message: /bars\[0\]\.time was "soon"/ },
    { name: 'no volume', body: [{ ...bar(1), volume: undefined }], message: /bars\[0\]\.volume was missing/ },
  ])('422 for bars with $name, and nothing moves', async ({ body, message }) => {
    const { http } = await start();
    const answer = await http('POST', '/sim/v1/bars', body);
    expect(answer.status).toBe(422);
    expect(answer.body.message).toMatch(message);
    expect((await http('GET', '/sim/v1/market')).body.last_prices).toEqual({});
  });

  it('unknown endpoints 404, a wrong method 405', async () => {
    const { http } = await start();
    expect(await http('GET', '/v2/watchlists')).toMatchObject({ status: 404, body: { code: 40410000 } });
    expect(await http('PATCH', '/v2/orders')).toMatchObject({ status: 405 });
  });
});
