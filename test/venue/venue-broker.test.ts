import { afterEach, describe, expect, it } from 'vitest';
import { isShError } from '../../core/index.js';
import type { MarketBar, SubmitRequest } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { VenueBroker } from '../../adapters/brokers/venue/index.js';
import { bar, DECIDED, day, request, startHarness, type VenueHarness } from './venue-fixtures.js';

/** The VenueBroker against an in-process venue on 127.0.0.1: the SimulatedBroker contract, over HTTP. */

let harness: VenueHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const start = async (...args: Parameters<typeof startHarness>): Promise<VenueHarness> => {
  harness = await startHarness(...args);
  return harness;
};

// Each case: the orders, then the bars advanced one call at a time. The venue must give exactly PaperBroker's answer.
const PARITY: { name: string; requests: Partial<SubmitRequest>[]; bars: Partial<MarketBar>[][] }[] = [
  { name: 'market buy at the open', requests: [{}], bars: [[{}]] },
  { name: 'market sell (short) at the open', requests: [{ side: 'sell' }], bars: [[{}]] },
  { name: 'market-on-open at the open', requests: [{ type: 'market-on-open', timeInForce: 'opg' }], bars: [[{ open: 104, high: 105 }]] },
  { name: 'market-on-close at the close', requests: [{ type: 'market-on-close', timeInForce: 'cls' }], bars: [[{ close: 102, high: 102 }]] },
  { name: 'limit buy marketable at the open', requests: [{ type: 'limit', limitPrice: 101 }], bars: [[{}]] },
  { name: 'limit buy capped at its limit', requests: [{ type: 'limit', limitPrice: 100.01 }], bars: [[{}]] },
  { name: 'limit sell touched intrabar', requests: [{ side: 'sell', type: 'limit', limitPrice: 100.7 }], bars: [[{ high: 100.7 }]] },
  { name: 'limit that works two bars, then fills', requests: [{ type: 'limit', limitPrice: 98.5, timeInForce: 'gtc' }], bars: [[{ low: 98.6 }], [{ open: 99, low: 98.2 }]] },
  {
    name: 'partial fills by participation across bars, with volatility updates',
    requests: [{ quantity: 25_000, timeInForce: 'gtc' }],
    bars: [[{ volume: 100_000, close: 101 }], [{ volume: 100_000, open: 101, high: 102, close: 99 }], [{ volume: 100_000, open: 99 }]],
  },
  {
    name: 'two orders sharing a bar, two symbols, a round trip',
    requests: [{ clientOrderId: 'a', quantity: 3_000 }, { clientOrderId: 'b', quantity: 3_000, side: 'sell' }, { clientOrderId: 'c', symbol: 'SLV', quantity: 500 }],
    bars: [[{ volume: 40_000 }, { symbol: 'SLV', open: 22, high: 23, low: 21.5, close: 22.5 }], [{ volume: 40_000, open: 100.5 }]],
  },
];

describe('VenueBroker fills exactly like an in-process PaperBroker', () => {
  it.each(PARITY)('$name', async ({ requests, bars }) => {
    const { broker, events } = await start();
    const paper = new PaperBroker();
    const paperEvents: string[] = [];
    paper.onExecution((e) => paperEvents.push(`${e.type}:${e.order.clientOrderId}:${e.order.status}`));
    for (const [i, fields] of requests.entries()) {
      const r = request({ clientOrderId: `order-${i}`, ...fields });
      const [viaVenue, viaPaper] = await Promise.all([broker.submit(r), paper.submit(r)]);
      expect(viaVenue.status).toBe('ACCEPTED');
      expect(comparable(viaVenue)).toEqual(comparable(viaPaper));
    }
    for (const [n, batch] of bars.entries()) {
      const barBatch = batch.map((fields) => bar(n + 1, fields));
      await broker.advance(barBatch);
      paper.advance(barBatch);
    }
    const venueFills = events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
    expect(venueFills.length).toBeGreaterThan(0);
    // Prices bit for bit: the venue writes shortest round-trip decimals.
    expect(venueFills.map(({ fillId: _id, broker: _b, ...f }) => f)).toEqual(paper.fills().map(({ fillId: _id, broker: _b, ...f }) => f));
    expect(events.map((e) => `${e.type}:${e.order.clientOrderId}:${e.order.status}`)).toEqual(paperEvents);
    for (const [i] of requests.entries()) {
      const [a, b] = await Promise.all([broker.orderByClientId(`order-${i}`), paper.orderByClientId(`order-${i}`)]);
      expect(comparable(a)).toEqual(comparable(b));
    }
    expect(await broker.positions()).toEqual(await paper.positions());
    expect(await broker.account()).toEqual(await paper.account());
    for (const symbol of ['GLD', 'SLV']) expect(broker.lastPrice(symbol)).toBe(paper.lastPrice(symbol));
  });
});

/** An order without the fields that legitimately differ between brokers (ids, who executed it). */
function comparable(order: object | undefined): object | undefined {
  if (order === undefined) return undefined;
  const { brokerOrderId: _id, executedBy: _by, ...rest } = order as Record<string, unknown>;
  return rest;
}

describe('VenueBroker order life over HTTP', () => {
  it('submit answers ACCEPTED and emits accepted; the order is dated in simulated time (X-Sim-Time)', async () => {
    const { broker, events, http } = await start();
    const order = await broker.submit(request());
    expect(order).toMatchObject({ clientOrderId: 'run-1-1-GLD-0', status: 'ACCEPTED', filledQuantity: 0, submittedAt: DECIDED, executedBy: 'venue' });
    expect(order.brokerOrderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(events.map((e) => e.type)).toEqual(['accepted']);
    const raw = await http('GET', `/v2/orders/${order.brokerOrderId}`);
    expect(raw.body).toMatchObject({ status: 'new', qty: '100', filled_qty: '0', filled_avg_price: null, submitted_at: new Date(DECIDED).toISOString(), type: 'market', time_in_force: 'day' });
  });

  it('a reused client order id is REJECTED (never thrown), and the venue keeps exactly one order with that id', async () => {
    const { broker, events, http } = await start();
    await broker.submit(request());
    const again = await broker.submit(request({ quantity: 5 }));
    expect(again).toMatchObject({ status: 'REJECTED', rejectReason: 'client_order_id must be unique', quantity: 5 });
    expect(events.map((e) => e.type)).toEqual(['accepted', 'rejected']);
    const all = await http('GET', '/v2/orders?status=all');
    expect(all.body.filter((o: { client_order_id: string }) => o.client_order_id === 'run-1-1-GLD-0').map((o: { qty: string }) => o.qty)).toEqual(['100']);
    // Still refused after the first order is final.
    await broker.advance([bar(1)]);
    expect((await broker.submit(request())).status).toBe('REJECTED');
  });

  it('a request the venue refuses for its content is REJECTED with the venue message', async () => {
    const { broker } = await start();
    const order = await broker.submit(request({ quantity: 1.5 }));
    expect(order.status).toBe('REJECTED');
    expect(order.rejectReason).toMatch(/qty was "1.5": fractional orders are not supported/);
    expect(await broker.orderByClientId('run-1-1-GLD-0')).toBeUndefined(); // refused with 422: nothing created, the id is still free
  });

  it('cancel: a working order goes CANCELLED (event cancelled); a final one comes back unchanged; an unknown id is refused', async () => {
    const { broker, events } = await start();
    await broker.submit(request({ clientOrderId: 'resting', type: 'limit', limitPrice: 90, timeInForce: 'gtc' }));
    await broker.submit(request({ clientOrderId: 'filled' }));
    await broker.advance([bar(1)]);
    expect((await broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['resting']);
    const cancelled = await broker.cancel('resting');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', updatedAt: day(1) });
    expect(await broker.openOrders()).toEqual([]);
    const filled = await broker.cancel('filled');
    expect(filled.status).toBe('FILLED');
    expect(events.map((e) => `${e.type}:${e.order.clientOrderId}`)).toEqual(['accepted:resting', 'accepted:filled', 'fill:filled', 'cancelled:resting']);
    await expect(broker.cancel('never-sent')).rejects.toSatisfy((e) => isShError(e, 'SH_ERR_BROKER_REJECTED'));
    // A cancelled order never fills.
    await broker.advance([bar(2, { low: 80 })]);
    expect((await broker.orderByClientId('resting'))?.status).toBe('CANCELLED');
  });

  it('orderByClientId answers undefined for an id the venue never accepted (404)', async () => {
    const { broker } = await start();
    expect(await broker.orderByClientId('sh-unknown-0-GLD-0')).toBeUndefined();
  });

  it('connect fails with SH_ERR_BROKER_AUTH_FAILED on a wrong key pair', async () => {
    const { server } = await start();
    const wrong = new VenueBroker({ baseUrl: server.url, secretKey: 'not-it' });
    await expect(wrong.connect()).rejects.toSatisfy((e) => isShError(e, 'SH_ERR_BROKER_AUTH_FAILED'));
  });

  it('learns last prices and the fill cursor on connect; syncFills emits fills made by another client', async () => {
    const { broker, server, http } = await start();
    await broker.submit(request());
    await broker.advance([bar(1, { close: 100.25 })]);
    const late = new VenueBroker({ baseUrl: server.url });
    const seen: string[] = [];
    late.onExecution((e) => seen.push(`${e.type}:${e.order.clientOrderId}:${e.order.status}`));
    await late.connect();
    expect(late.lastPrice('GLD')).toBe(100.25);
    expect(await late.syncFills()).toBe(0); // history is not replayed as new events
    const closed = await http('DELETE', '/v2/positions');
    expect(closed.status).toBe(207);
    expect(await late.syncFills()).toBe(1);
    expect(seen).toEqual([`fill:${closed.body[0].body.client_order_id}:FILLED`]);
  });
});
