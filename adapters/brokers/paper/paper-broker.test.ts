import { describe, expect, it } from 'vitest';
import { instrument, isShError } from '../../../core/index.js';
import type { ExecutionEvent, MarketBar, SubmitRequest } from '../../../core/index.js';
import { PaperBroker, type PaperBrokerOptions } from './index.js';

const DAY = 86_400_000;
const DECIDED = Date.UTC(2024, 0, 2, 21); // decision at Tuesday's close
const day = (n: number): number => Date.UTC(2024, 0, 2) + n * DAY; // bar times: midnight of each day

const request = (fields: Partial<SubmitRequest> = {}): SubmitRequest => ({
  clientOrderId: 'run-1-1-GLD-0',
  symbol: 'GLD',
  side: 'buy',
  quantity: 100,
  type: 'market',
  timeInForce: 'day',
  time: DECIDED,
  ...fields,
});

const bar = (n: number, fields: Partial<MarketBar> = {}): MarketBar => ({
  symbol: 'GLD',
  time: day(n),
  open: 100,
  high: 101,
  low: 99,
  close: 100,
  volume: 1_000_000,
  ...fields,
});

/** A broker and the events it emitted, as a compact list of `type:status`. */
function setup(options: PaperBrokerOptions = {}): { broker: PaperBroker; events: ExecutionEvent[]; log: () => string[] } {
  const broker = new PaperBroker(options);
  const events: ExecutionEvent[] = [];
  broker.onExecution((event) => events.push(event));
  return { broker, events, log: () => events.map((e) => `${e.type}:${e.order.status}`) };
}

// Defaults: half spread 2 bps + slippage 1 bps + impact 0.1 * 1e4 * 1% * sqrt(100 / 1e6) = 0.1 bps -> 3.1 bps.
const COST_100_SHARES = 3.1e-4;

describe('PaperBroker fills at the next bar, with costs in the adverse direction', () => {
  it.each([
    { name: 'market buy at the open', fields: {}, bar: {}, price: 100 * (1 + COST_100_SHARES) },
    { name: 'market sell at the open', fields: { side: 'sell' as const }, bar: {}, price: 100 * (1 - COST_100_SHARES) },
    { name: 'market-on-open buy at the open', fields: { type: 'market-on-open' as const, timeInForce: 'opg' as const }, bar: { open: 104 }, price: 104 * (1 + COST_100_SHARES) },
    { name: 'market-on-close buy at the close', fields: { type: 'market-on-close' as const, timeInForce: 'cls' as const }, bar: { close: 102 }, price: 102 * (1 + COST_100_SHARES) },
    { name: 'market-on-close sell at the close', fields: { side: 'sell' as const, type: 'market-on-close' as const }, bar: { close: 102 }, price: 102 * (1 - COST_100_SHARES) },
    { name: 'limit buy marketable at the open: open plus costs', fields: { type: 'limit' as const, limitPrice: 101 }, bar: {}, price: 100 * (1 + COST_100_SHARES) },
    { name: 'limit buy marketable at the open: never above its limit', fields: { type: 'limit' as const, limitPrice: 100.01 }, bar: {}, price: 100.01 },
    { name: 'limit sell marketable at the open: never below its limit', fields: { side: 'sell' as const, type: 'limit' as const, limitPrice: 99.99 }, bar: {}, price: 99.99 },
    { name: 'limit buy touched intrabar: exactly the limit', fields: { type: 'limit' as const, limitPrice: 99.5 }, bar: { low: 99.2 }, price: 99.5 },
    { name: 'limit sell touched intrabar: exactly the limit', fields: { side: 'sell' as const, type: 'limit' as const, limitPrice: 100.7 }, bar: { high: 100.7 }, price: 100.7 },
  ])('$name', async ({ fields, bar: barFields, price }) => {
    const { broker, log } = setup();
    const accepted = await broker.submit(request(fields));
    expect(accepted.status).toBe('ACCEPTED');
    expect(broker.fills()).toEqual([]); // nothing fills at submit
    broker.advance([bar(1, barFields)]);
    const [fill] = broker.fills();
    expect(fill?.price).toBeCloseTo(price, 10);
    expect(fill).toMatchObject({ fillId: 'run-1-1-GLD-0-F1', quantity: 100, commission: 1, time: day(1), broker: 'paper' });
    expect(log()).toEqual(['accepted:ACCEPTED', 'fill:FILLED']);
    const order = await broker.orderByClientId('run-1-1-GLD-0');
    expect(order).toMatchObject({ status: 'FILLED', filledQuantity: 100, updatedAt: day(1) });
    expect(order?.averagePrice).toBeCloseTo(price, 10);
  });

  it('charges the per-share commission above the minimum: 1000 shares at $0.005 = $5', async () => {
    const { broker } = setup();
    await broker.submit(request({ quantity: 1000 }));
    broker.advance([bar(1)]);
    // impact: 0.1 * 1e4 * 0.01 * sqrt(1000 / 1e6) bps
    const bps = 2 + 1 + 0.1 * 1e4 * 0.01 * Math.sqrt(1000 / 1e6);
    expect(broker.fills()[0]?.price).toBeCloseTo(100 * (1 + bps / 1e4), 10);
    expect(broker.fills()[0]?.commission).toBeCloseTo(5, 12);
  });

  it('keeps a limit order that is not marketable working until a bar trades through its limit', async () => {
    const { broker, log } = setup();
    await broker.submit(request({ type: 'limit', limitPrice: 98.5, timeInForce: 'gtc' }));
    broker.advance([bar(1, { low: 98.6 })]);
    expect((await broker.openOrders()).map((o) => o.status)).toEqual(['ACCEPTED']);
    broker.advance([bar(2, { open: 99, low: 98.2 })]);
    expect(broker.fills().map((f) => [f.price, f.time])).toEqual([[98.5, day(2)]]);
    expect(await broker.openOrders()).toEqual([]);
    expect(log()).toEqual(['accepted:ACCEPTED', 'fill:FILLED']);
  });

  it('does not fill on a bar older than the order, nor before the latency has passed', async () => {
    const { broker } = setup({ latencyMs: DAY });
    await broker.submit(request());
    broker.advance([bar(0)]); // the decision bar itself: filling at its open would be look-ahead
    broker.advance([bar(1)]); // opens 3 hours after the decision: within the latency
    expect(broker.fills()).toEqual([]);
    broker.advance([bar(2, { open: 103 })]);
    expect(broker.fills().map((f) => f.time)).toEqual([day(2)]);
  });

  it('leaves orders working when their symbol has no bar in an advance call', async () => {
    const { broker } = setup();
    await broker.submit(request());
    broker.advance([bar(1, { symbol: 'SLV' })]);
    expect((await broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['run-1-1-GLD-0']);
    expect(broker.lastPrice('SLV')).toBe(100);
    expect(broker.lastPrice('GLD')).toBeUndefined();
  });
});

describe('PaperBroker partial fills by participation', () => {
  it('fills at most 10% of each bar volume, the rest on later bars; the minimum commission is per order', async () => {
    const { broker, log } = setup();
    await broker.submit(request({ quantity: 25_000, timeInForce: 'gtc' }));
    const bars = [bar(1, { volume: 100_000, close: 101 }), bar(2, { volume: 100_000, open: 101, close: 99 }), bar(3, { volume: 100_000, open: 99 })];
    for (const b of bars) broker.advance([b]);

    const volAfter2 = 0.94 * 0.01 + 0.06 * Math.abs(Math.log(99 / 101));
    const price = (open: number, qty: number, vol: number): number => open * (1 + (3 + 0.1 * 1e4 * vol * Math.sqrt(qty / 100_000)) / 1e4);
    const expected = [
      { quantity: 10_000, price: price(100, 10_000, 0.01), commission: 50 },
      { quantity: 10_000, price: price(101, 10_000, 0.01), commission: 50 }, // bar 1 was the first close: no return yet
      { quantity: 5_000, price: price(99, 5_000, volAfter2), commission: 25 },
    ];
    const fills = broker.fills();
    expect(fills.map((f) => f.fillId)).toEqual(['run-1-1-GLD-0-F1', 'run-1-1-GLD-0-F2', 'run-1-1-GLD-0-F3']);
    fills.forEach((f, i) => {
      expect(f.quantity).toBe(expected[i]?.quantity);
      expect(f.price).toBeCloseTo(expected[i]?.price as number, 10);
      expect(f.commission).toBeCloseTo(expected[i]?.commission as number, 12);
    });
    expect(log()).toEqual(['accepted:ACCEPTED', 'fill:PARTIALLY_FILLED', 'fill:PARTIALLY_FILLED', 'fill:FILLED']);
    const order = await broker.orderByClientId('run-1-1-GLD-0');
    const notional = expected.reduce((sum, e) => sum + e.quantity * e.price, 0);
    expect(order?.averagePrice).toBeCloseTo(notional / 25_000, 10);
    expect(broker.dailyVolatility('GLD')).toBeCloseTo(0.94 * volAfter2 + 0.06 * Math.log(100 / 99), 12);
  });

  it('shares a bar capacity between orders of the symbol, first submitted first', async () => {
    const { broker } = setup({ maxParticipation: 0.05 });
    await broker.submit(request({ clientOrderId: 'a', quantity: 3_000 }));
    await broker.submit(request({ clientOrderId: 'b', quantity: 3_000 }));
    broker.advance([bar(1, { volume: 100_000 })]);
    expect(broker.fills().map((f) => [f.clientOrderId, f.quantity])).toEqual([['a', 3_000], ['b', 2_000]]);
  });

  it.each([0, Infinity])('maxParticipation %s disables the cap', async (maxParticipation) => {
    const { broker } = setup({ maxParticipation });
    await broker.submit(request({ quantity: 5_000 }));
    broker.advance([bar(1, { volume: 1_000 })]);
    expect(broker.fills().map((f) => f.quantity)).toEqual([5_000]);
  });

  it('does not fill on a bar without volume while the cap is on', async () => {
    const { broker } = setup();
    await broker.submit(request());
    broker.advance([bar(1, { volume: 0 })]);
    expect(broker.fills()).toEqual([]);
  });
});

describe('PaperBroker refuses what it must', () => {
  it('rejects a duplicate client order id even after the first order filled, and keeps the first', async () => {
    const { broker, log, events } = setup();
    await broker.submit(request());
    broker.advance([bar(1)]);
    const again = await broker.submit(request({ quantity: 50, time: day(1) + 1 }));
    expect(again).toMatchObject({ status: 'REJECTED', rejectReason: 'duplicate client order id', quantity: 50 });
    expect(log()).toEqual(['accepted:ACCEPTED', 'fill:FILLED', 'rejected:REJECTED']);
    expect(events[2]).toMatchObject({ type: 'rejected', reason: 'duplicate client order id' });
    expect(await broker.orderByClientId('run-1-1-GLD-0')).toMatchObject({ status: 'FILLED', quantity: 100 });
    broker.advance([bar(2)]);
    expect(broker.fills()).toHaveLength(1);
  });

  it.each([
    { name: 'zero quantity', fields: { quantity: 0 }, reason: /quantity/ },
    { name: 'negative quantity', fields: { quantity: -5 }, reason: /quantity/ },
    { name: 'NaN quantity', fields: { quantity: Number.NaN }, reason: /quantity/ },
    { name: 'fractional quantity', fields: { quantity: 1.5 }, reason: /whole shares/ },
    { name: 'unknown order type', fields: { type: 'stop' as never }, reason: /order type/ },
    { name: 'limit without a price', fields: { type: 'limit' as const }, reason: /limit price/ },
  ])('rejects $name, emits rejected, and uses up the id', async ({ fields, reason }) => {
    const { broker, log } = setup();
    const order = await broker.submit(request(fields));
    expect(order.status).toBe('REJECTED');
    expect(order.rejectReason).toMatch(reason);
    expect(log()).toEqual(['rejected:REJECTED']);
    const retry = await broker.submit(request());
    expect(retry.rejectReason).toBe('duplicate client order id');
  });

  it('rejects a sell beyond the position when short selling is off, counting working sells', async () => {
    const { broker } = setup({ allowShort: false });
    expect(broker.capabilities.shortSelling).toBe(false);
    expect((await broker.submit(request({ clientOrderId: 's0', side: 'sell', quantity: 1 }))).rejectReason).toMatch(/short selling/);
    await broker.submit(request({ clientOrderId: 'b1', quantity: 100 }));
    broker.advance([bar(1)]);
    expect((await broker.submit(request({ clientOrderId: 's1', side: 'sell', quantity: 60, time: day(1) }))).status).toBe('ACCEPTED');
    expect((await broker.submit(request({ clientOrderId: 's2', side: 'sell', quantity: 60, time: day(1) }))).rejectReason).toMatch(/40 available/);
  });

  it('refuses invalid options with SH_ERR_CONFIG_INVALID', () => {
    for (const options of [{ halfSpreadBps: -1 }, { maxParticipation: -0.1 }, { initialCash: Number.NaN }, { volatilityDecay: 1 }]) {
      let caught: unknown;
      try {
        new PaperBroker(options);
      } catch (error) {
        caught = error;
      }
      expect(isShError(caught, 'SH_ERR_CONFIG_INVALID')).toBe(true);
    }
  });
});

describe('PaperBroker cancel', () => {
  it('cancels a working order (emitting), then returns final orders unchanged without events', async () => {
    const { broker, log } = setup();
    await broker.submit(request({ clientOrderId: 'w', type: 'limit', limitPrice: 90 }));
    await broker.submit(request({ clientOrderId: 'f' }));
    broker.advance([bar(1)]);
    const cancelled = await broker.cancel('w');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', updatedAt: day(1) });
    expect(await broker.cancel('w')).toBe(cancelled);
    expect((await broker.cancel('f')).status).toBe('FILLED');
    broker.advance([bar(2, { low: 80 })]);
    expect(broker.fills().map((f) => f.clientOrderId)).toEqual(['f']);
    expect(log()).toEqual(['accepted:ACCEPTED', 'accepted:ACCEPTED', 'fill:FILLED', 'cancelled:CANCELLED']);
    expect(await broker.openOrders()).toEqual([]);
  });

  it('cancels the rest of a partially filled order', async () => {
    const { broker } = setup();
    await broker.submit(request({ quantity: 150_000 }));
    broker.advance([bar(1, { volume: 1_000_000 })]);
    const cancelled = await broker.cancel('run-1-1-GLD-0');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', filledQuantity: 100_000 });
    broker.advance([bar(2)]);
    expect((await broker.positions()).map((p) => p.quantity)).toEqual([100_000]);
  });

  it('refuses to cancel an unknown order with SH_ERR_BROKER_REJECTED', async () => {
    const { broker } = setup();
    await expect(broker.cancel('never')).rejects.toSatisfy((error) => isShError(error, 'SH_ERR_BROKER_REJECTED'));
  });
});

describe('PaperBroker accounting', () => {
  it('a round trip at an unchanged price loses exactly the costs: spread, slippage, impact, commissions', async () => {
    const { broker } = setup({ initialCash: 50_000 });
    await broker.submit(request({ clientOrderId: 'buy' }));
    broker.advance([bar(1)]);
    expect(await broker.positions()).toEqual([{ symbol: 'GLD', quantity: 100, averagePrice: broker.fills()[0]?.price }]);
    await broker.submit(request({ clientOrderId: 'sell', side: 'sell', time: day(1) + 1 }));
    broker.advance([bar(2)]);

    const priceCost = broker.fills().reduce((sum, f) => sum + Math.abs(f.price - 100) * f.quantity, 0);
    const commission = broker.fills().reduce((sum, f) => sum + f.commission, 0);
    expect(priceCost).toBeCloseTo(2 * 100 * 100 * COST_100_SHARES, 9);
    expect(commission).toBe(2);
    const account = await broker.account();
    expect(account.cash - 50_000).toBeCloseTo(-(priceCost + commission), 9);
    expect(account.equity).toBeCloseTo(account.cash, 9);
    expect(account.currency).toBe('USD');
    expect(await broker.positions()).toEqual([]);
    expect(broker.pnl().realized).toBeCloseTo(-priceCost, 9);
    expect(broker.pnl().commission).toBe(2);
  });

  it('marks equity at the last close and applies contract multipliers', async () => {
    const { broker } = setup({ impactCoefficient: 0, instruments: new Map([['GC', instrument('GC', { assetClass: 'future', multiplier: 100 })]]) });
    await broker.submit(request({ symbol: 'GC', quantity: 1 }));
    broker.advance([bar(1, { symbol: 'GC', open: 2000, high: 2020, low: 1990, close: 2010 })]);
    const price = 2000 * (1 + 3e-4);
    const account = await broker.account();
    expect(account.cash).toBeCloseTo(1_000_000 - price * 100 - 1, 9);
    expect(account.equity).toBeCloseTo(1_000_000 - price * 100 - 1 + 2010 * 100, 9);
    expect(broker.lastPrice('GC')).toBe(2010);
  });

  it('tracks a short and its cover, realising P&L against the average entry', async () => {
    const { broker } = setup({ halfSpreadBps: 0, slippageBps: 0, impactCoefficient: 0, commissionPerShare: 0, minimumCommission: 0 });
    await broker.submit(request({ clientOrderId: 's', side: 'sell', quantity: 200 }));
    broker.advance([bar(1, { open: 50 })]);
    expect(await broker.positions()).toEqual([{ symbol: 'GLD', quantity: -200, averagePrice: 50 }]);
    await broker.submit(request({ clientOrderId: 'c', quantity: 300, time: day(1) }));
    broker.advance([bar(2, { open: 45, close: 46 })]);
    expect(await broker.positions()).toEqual([{ symbol: 'GLD', quantity: 100, averagePrice: 45 }]);
    expect(broker.pnl().realized).toBeCloseTo(200 * 5, 9);
    expect((await broker.account()).equity).toBeCloseTo(1_000_000 + 1000 + 100, 9);
  });
});

describe('PaperBroker events and determinism', () => {
  it('isolates a throwing listener and stops delivering after unsubscribe', async () => {
    const errors: unknown[] = [];
    const broker = new PaperBroker({ onListenerError: (error) => errors.push(error) });
    const seen: string[] = [];
    broker.onExecution(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = broker.onExecution((event) => seen.push(event.type));
    await broker.submit(request());
    unsubscribe();
    broker.advance([bar(1)]);
    expect(seen).toEqual(['accepted']);
    expect(errors).toHaveLength(2);
    expect(broker.fills()).toHaveLength(1);
  });

  it('gives identical fills for identical inputs', async () => {
    const runOnce = async (): Promise<unknown> => {
      const broker = new PaperBroker();
      await broker.submit(request({ quantity: 250_000 }));
      for (let n = 1; n <= 4; n += 1) broker.advance([bar(n, { open: 100 + n, close: 100 + 2 * n, volume: 900_000 })]);
      return { fills: broker.fills(), account: await broker.account() };
    };
    expect(await runOnce()).toEqual(await runOnce());
  });

  it('declares its capabilities', () => {
    expect(new PaperBroker().capabilities).toEqual({
      orderTypes: ['market', 'limit', 'market-on-open', 'market-on-close'],
      shortSelling: true,
      fractionalQuantities: false,
      simulated: true,
    });
  });
});
