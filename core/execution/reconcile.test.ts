import { describe, expect, it } from 'vitest';
import type { Order, Position } from '../model/index.js';
import { PositionBook } from '../portfolio/position-book.js';
import { DIFFERENCE_KINDS, reconcile, type BrokerReconcileView, type Difference, type HostReconcileView } from './reconcile.js';
import { adoptedPositions, adoptIntoSnapshot, flattenQuantity, missedFillQuantities } from './reconcile-actions.js';

const position = (symbol: string, quantity: number, averagePrice = 100): Position => ({ symbol, quantity, averagePrice });

const order = (clientOrderId: string, fields: Partial<Order> = {}): Order => ({
  clientOrderId,
  symbol: 'GLD',
  side: 'buy',
  quantity: 100,
  type: 'market',
  timeInForce: 'day',
  status: 'ACCEPTED',
  filledQuantity: 0,
  averagePrice: 0,
  submittedAt: 1000,
  updatedAt: 1000,
  ...fields,
});

const empty: HostReconcileView & BrokerReconcileView = { positions: [], openOrders: [] };
const prices = new Map([['GLD', 200], ['SLV', 20]]);

/** Deep-frozen, so a mutation of an input fails the test. */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

interface Case {
  readonly name: string;
  readonly host: HostReconcileView;
  readonly broker: BrokerReconcileView;
  readonly expected: Pick<Difference, 'kind' | 'symbol' | 'notional' | 'hostValue' | 'brokerValue'> & { clientOrderId?: string };
}

const CASES: readonly Case[] = [
  {
    name: 'a position of another size',
    host: { positions: [position('GLD', 100)], openOrders: [] },
    broker: { positions: [position('GLD', 150, 101)], openOrders: [] },
    expected: { kind: 'position-mismatch', symbol: 'GLD', hostValue: { quantity: 100, averagePrice: 100 }, brokerValue: { quantity: 150, averagePrice: 101 }, notional: 50 * 200 },
  },
  {
    name: 'a short the host believes long',
    host: { positions: [position('GLD', 10)], openOrders: [] },
    broker: { positions: [position('GLD', -10)], openOrders: [] },
    expected: { kind: 'position-mismatch', symbol: 'GLD', hostValue: { quantity: 10, averagePrice: 100 }, brokerValue: { quantity: -10, averagePrice: 100 }, notional: 20 * 200 },
  },
  {
    name: 'a position the host does not know',
    host: empty,
    broker: { positions: [position('SLV', 300, 22)], openOrders: [] },
    expected: { kind: 'position-unknown-to-host', symbol: 'SLV', hostValue: null, brokerValue: { quantity: 300, averagePrice: 22 }, notional: 300 * 20 },
  },
  {
    name: 'a position missing at the broker',
    host: { positions: [position('GLD', -40)], openOrders: [] },
    broker: empty,
    expected: { kind: 'position-missing-at-broker', symbol: 'GLD', hostValue: { quantity: -40, averagePrice: 100 }, brokerValue: null, notional: 40 * 200 },
  },
  {
    name: 'an order the host never sent (external)',
    host: empty,
    broker: { positions: [], openOrders: [order('manual-1', { quantity: 30, filledQuantity: 10, status: 'PARTIALLY_FILLED' })] },
    expected: { kind: 'order-unknown-to-host', symbol: 'GLD', clientOrderId: 'manual-1', hostValue: null, brokerValue: { status: 'PARTIALLY_FILLED', side: 'buy', quantity: 30, filledQuantity: 10 }, notional: 20 * 200 },
  },
  {
    name: 'an order the broker has never seen',
    host: { positions: [], openOrders: [order('sh-1', { status: 'SUBMITTED', side: 'sell' })] },
    broker: empty,
    expected: { kind: 'order-missing-at-broker', symbol: 'GLD', clientOrderId: 'sh-1', hostValue: { status: 'SUBMITTED', side: 'sell', quantity: 100, filledQuantity: 0 }, brokerValue: null, notional: 100 * 200 },
  },
  {
    name: 'a missed fill (the lookup finds it FILLED)',
    host: { positions: [], openOrders: [order('sh-2')] },
    broker: { positions: [], openOrders: [], orders: [order('sh-2', { status: 'FILLED', filledQuantity: 100, averagePrice: 201, updatedAt: 2000 })] },
    expected: { kind: 'order-status-mismatch', symbol: 'GLD', clientOrderId: 'sh-2', hostValue: { status: 'ACCEPTED', side: 'buy', quantity: 100, filledQuantity: 0 }, brokerValue: { status: 'FILLED', side: 'buy', quantity: 100, filledQuantity: 100 }, notional: 100 * 200 },
  },
  {
    name: 'a missed partial fill of an order still working',
    host: { positions: [], openOrders: [order('sh-3')] },
    broker: { positions: [], openOrders: [order('sh-3', { status: 'PARTIALLY_FILLED', filledQuantity: 60 })] },
    expected: { kind: 'order-status-mismatch', symbol: 'GLD', clientOrderId: 'sh-3', hostValue: { status: 'ACCEPTED', side: 'buy', quantity: 100, filledQuantity: 0 }, brokerValue: { status: 'PARTIALLY_FILLED', side: 'buy', quantity: 100, filledQuantity: 60 }, notional: 60 * 200 },
  },
  {
    name: 'an order the host believes cancelled and the broker still works',
    host: { positions: [], openOrders: [], orders: [order('sh-4', { status: 'CANCELLED' })] },
    broker: { positions: [], openOrders: [order('sh-4')] },
    expected: { kind: 'order-status-mismatch', symbol: 'GLD', clientOrderId: 'sh-4', hostValue: { status: 'CANCELLED', side: 'buy', quantity: 100, filledQuantity: 0 }, brokerValue: { status: 'ACCEPTED', side: 'buy', quantity: 100, filledQuantity: 0 }, notional: 100 * 200 },
  },
];

describe('reconcile: one difference of each kind', () => {
  it('covers every kind', () => {
    expect(new Set(CASES.map((c) => c.expected.kind))).toEqual(new Set(DIFFERENCE_KINDS));
  });

  it.each(CASES)('$name: $expected.kind', ({ host, broker, expected }) => {
    const result = reconcile(frozen(host), frozen(broker), { prices });
    expect(result.differences).toHaveLength(1);
    const difference = result.differences[0]!;
    expect(difference).toMatchObject(expected);
    expect(difference.id).toBe(`${expected.kind}:${expected.clientOrderId ?? expected.symbol}`);
    expect(result.totalNotional).toBe(expected.notional);
  });

  it.each([
    ['identical books and orders', { positions: [position('GLD', 100)], openOrders: [order('sh-1')] }, { positions: [position('GLD', 100, 99)], openOrders: [order('sh-1')] }],
    ['zero positions on either side', { positions: [position('GLD', 0)], openOrders: [] }, { positions: [position('SLV', 0)], openOrders: [] }],
    ['float dust', { positions: [position('GLD', 0.1 + 0.2)], openOrders: [] }, { positions: [position('GLD', 0.3)], openOrders: [] }],
    ['a position split in two lines', { positions: [position('GLD', 60), position('GLD', 40)], openOrders: [] }, { positions: [position('GLD', 100)], openOrders: [] }],
    ['an order filled on both sides (only lookups)', { positions: [], openOrders: [] }, { positions: [], openOrders: [], orders: [order('sh-1', { status: 'FILLED', filledQuantity: 100 })] }],
  ])('finds nothing for %s', (_name, host, broker) => {
    expect(reconcile(host, broker, { prices })).toEqual({ differences: [], totalNotional: 0, unpriced: [], withinTolerance: true });
  });
});

describe('reconcile: tolerance', () => {
  const host = { positions: [position('GLD', 100)], openOrders: [] };
  const broker = (quantity: number): BrokerReconcileView => ({ positions: [position('GLD', quantity)], openOrders: [] });

  it.each([
    // 5 GLD at 200 = 1000: the default notional tolerance is inclusive.
    [105, 1000, true],
    [106, 1200, false],
    [95, 1000, true],
  ])('broker %d GLD: notional %d, within the default tolerance: %s', (quantity, notional, within) => {
    const result = reconcile(host, broker(quantity), { prices });
    expect(result.totalNotional).toBe(notional);
    expect(result.withinTolerance).toBe(within);
  });

  it.each([
    [999.99, false],
    [1000, true],
  ])('notionalTolerance %d at a difference of exactly 1000: within %s', (notionalTolerance, within) => {
    expect(reconcile(host, broker(105), { prices, notionalTolerance }).withinTolerance).toBe(within);
  });

  it.each([
    [2, 102, 0],
    [2, 103, 1],
    [0.5, 100.5, 0],
  ])('quantityTolerance %d: broker %d GLD gives %d differences', (quantityTolerance, quantity, count) => {
    expect(reconcile(host, broker(quantity), { prices, quantityTolerance }).differences).toHaveLength(count);
  });

  it('sums every difference against the tolerance', () => {
    const result = reconcile(host, { positions: [position('GLD', 103), position('SLV', 30)], openOrders: [] }, { prices });
    expect(result.totalNotional).toBe(3 * 200 + 30 * 20);
    expect(result.withinTolerance).toBe(false);
  });

  it('a difference that cannot be valued is never within tolerance', () => {
    const result = reconcile(empty, { positions: [], openOrders: [order('manual-1', { symbol: 'XAU' })] }, { notionalTolerance: 1e12 });
    expect(result.differences[0]?.notional).toBeNaN();
    expect(result.unpriced).toEqual(['XAU']);
    expect(result.withinTolerance).toBe(false);
  });

  it('values a position without a price at the broker\'s average price, then the host\'s', () => {
    expect(reconcile(empty, { positions: [position('XAU', 2, 2000)], openOrders: [] }).totalNotional).toBe(4000);
    expect(reconcile({ positions: [position('XAU', 3, 1900)], openOrders: [] }, empty).totalNotional).toBe(5700);
    expect(reconcile(empty, { positions: [], openOrders: [order('manual-1', { symbol: 'XAU', type: 'limit', limitPrice: 1800, quantity: 2 })] }).totalNotional).toBe(3600);
  });

  it.each([['quantityTolerance', -1], ['notionalTolerance', Number.NaN], ['notionalTolerance', Infinity]])('refuses %s %d with SH_ERR_CONFIG_INVALID', (name, value) => {
    expect(() => reconcile(empty, empty, { [name]: value })).toThrow(expect.objectContaining({ code: 'SH_ERR_CONFIG_INVALID' }));
  });
});

describe('reconcile: determinism and idempotence', () => {
  const host: HostReconcileView = {
    positions: [position('SLV', 10), position('GLD', 100), position('PPLT', 5)],
    openOrders: [order('sh-b', { symbol: 'SLV' }), order('sh-a'), order('sh-c', { symbol: 'PPLT' })],
  };
  const broker: BrokerReconcileView = {
    positions: [position('PALL', 7), position('GLD', 120), position('SLV', 10)],
    openOrders: [order('manual-z', { symbol: 'SLV' }), order('sh-a', { status: 'PARTIALLY_FILLED', filledQuantity: 20 }), order('manual-y')],
    orders: [order('sh-b', { symbol: 'SLV', status: 'FILLED', filledQuantity: 100 })],
  };

  it('lists differences by kind, symbol and client order id', () => {
    const ids = reconcile(host, broker, { prices }).differences.map((d) => d.id);
    expect(ids).toEqual([
      'position-mismatch:GLD',
      'position-unknown-to-host:PALL',
      'position-missing-at-broker:PPLT',
      'order-unknown-to-host:manual-y',
      'order-unknown-to-host:manual-z',
      'order-missing-at-broker:sh-c',
      'order-status-mismatch:sh-a',
      'order-status-mismatch:sh-b',
    ]);
  });

  it('gives the same answer whatever the order of the inputs, and the same answer twice', () => {
    const first = reconcile(frozen(host), frozen(broker), { prices });
    const reversed = (view: BrokerReconcileView): BrokerReconcileView => ({
      positions: [...view.positions].reverse(),
      openOrders: [...view.openOrders].reverse(),
      ...(view.orders ? { orders: [...view.orders].reverse() } : {}),
    });
    expect(reconcile(reversed(host), reversed(broker), { prices })).toEqual(first);
    expect(reconcile(host, broker, { prices })).toEqual(first);
  });

  it('finds nothing once the host adopts the broker\'s positions and orders', () => {
    const first = reconcile(host, broker, { prices });
    const adopted = new Map(adoptedPositions(first).map((p) => [p.symbol, p]));
    const positions = [...new Set([...host.positions.map((p) => p.symbol), ...adopted.keys()])].map((s) => adopted.get(s) ?? host.positions.find((p) => p.symbol === s)!);
    const after = reconcile({ positions, openOrders: broker.openOrders }, broker, { prices });
    expect(after.differences).toEqual([]);
  });
});

describe('flattenQuantity', () => {
  const diff = (host: number | null, broker: number | null): Difference =>
    reconcile(
      { positions: host === null ? [] : [position('GLD', host)], openOrders: [] },
      { positions: broker === null ? [] : [position('GLD', broker)], openOrders: [] },
      { prices },
    ).differences[0]!;

  it.each([
    ['unknown long', null, 100, -100],
    ['unknown short', null, -40, 40],
    ['broker holds more', 100, 150, -50],
    ['broker holds less: nothing unknown to close', 100, 60, 0],
    ['opposite sides: close the broker\'s', 100, -30, 30],
    ['missing at the broker', 100, null, 0],
  ])('%s (host %s, broker %s): %d', (_name, host, broker, quantity) => {
    expect(flattenQuantity(diff(host, broker))).toBe(quantity);
  });

  it('leaves what missed fills of the host\'s own orders explain', () => {
    expect(flattenQuantity(diff(null, 100), 100)).toBe(0);
    expect(flattenQuantity(diff(null, 100), 60)).toBe(-40);
    expect(flattenQuantity(diff(100, 250), 100)).toBe(-50);
  });

  it('is 0 for an order difference', () => {
    expect(flattenQuantity(reconcile(empty, { positions: [], openOrders: [order('manual-1')] }, { prices }).differences[0]!)).toBe(0);
  });
});

describe('adoptIntoSnapshot', () => {
  it('sets the broker\'s quantities and keeps realised P&L; adopting twice changes nothing', () => {
    const book = new PositionBook();
    book.applyFill({ symbol: 'GLD', side: 'buy', quantity: 100, price: 10, commission: 1 });
    book.applyFill({ symbol: 'GLD', side: 'sell', quantity: 40, price: 12, commission: 1 });
    const result = reconcile({ positions: book.positions(), openOrders: [] }, { positions: [position('GLD', 80, 11), position('SLV', -5, 20)], openOrders: [] }, { prices });
    const once = adoptIntoSnapshot(book.snapshot(), adoptedPositions(result), (s) => (s === 'SLV' ? 5000 : 1));
    book.restore(once);
    expect(book.positions()).toEqual([position('GLD', 80, 11), position('SLV', -5, 20)]);
    expect(book.realisedPnl('GLD')).toBe(80);
    expect(book.detail('SLV')?.multiplier).toBe(5000);
    expect(adoptIntoSnapshot(once, adoptedPositions(result))).toEqual(once);
  });
});

describe('missedFillQuantities', () => {
  it('sums the unseen fills of status mismatches by symbol, buys positive, sells negative', () => {
    const result = reconcile(
      { positions: [], openOrders: [order('sh-1'), order('sh-2', { side: 'sell', quantity: 50 }), order('sh-3', { symbol: 'SLV' })] },
      {
        positions: [position('GLD', 70), position('SLV', 100)],
        openOrders: [order('sh-2', { side: 'sell', quantity: 50, status: 'PARTIALLY_FILLED', filledQuantity: 30 })],
        orders: [order('sh-1', { status: 'FILLED', filledQuantity: 100 }), order('sh-3', { symbol: 'SLV', status: 'CANCELLED' })],
      },
      { prices },
    );
    expect([...missedFillQuantities(result)]).toEqual([['GLD', 100 - 30]]);
  });
});
