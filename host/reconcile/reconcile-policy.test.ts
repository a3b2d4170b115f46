import { describe, expect, it } from 'vitest';
import { reconcile, type Difference, type Order, type Position } from '../../core/index.js';
import { brokerOrders, decide } from './reconcile-policy.js';
import type { ReconcilePolicy } from './reconcile-types.js';

const position = (symbol: string, quantity: number): Position => ({ symbol, quantity, averagePrice: 100 });
const order = (clientOrderId: string, fields: Partial<Order> = {}): Order => ({
  clientOrderId, symbol: 'GLD', side: 'buy', quantity: 10, type: 'market', timeInForce: 'day', status: 'ACCEPTED', filledQuantity: 0, averagePrice: 0, submittedAt: 1, updatedAt: 1, ...fields,
});

const unknownLong = reconcile({ positions: [], openOrders: [] }, { positions: [position('GLD', 100)], openOrders: [] }).differences[0] as Difference;
const mismatch = reconcile({ positions: [position('GLD', 100)], openOrders: [] }, { positions: [position('GLD', 60)], openOrders: [] }).differences[0] as Difference;
const external = reconcile({ positions: [], openOrders: [] }, { positions: [], openOrders: [order('manual-1')] }).differences[0] as Difference;

describe('decide', () => {
  it.each<[string, Difference, ReconcilePolicy, number, string, string, number | undefined]>([
    ['unknown long', unknownLong, 'adopt', 0, 'adopt', 'adopt:position-unknown-to-host:GLD', undefined],
    ['unknown long', unknownLong, 'flatten', 0, 'flatten', 'flatten:GLD:100:-100', -100],
    ['unknown long, 30 of it a missed fill', unknownLong, 'flatten', 30, 'flatten', 'flatten:GLD:100:-70', -70],
    ['unknown long, all of it a missed fill', unknownLong, 'flatten', 100, 'adopt', 'adopt:position-unknown-to-host:GLD', undefined],
    ['unknown long', unknownLong, 'halt', 0, 'halt', 'halt:position-unknown-to-host:GLD', undefined],
    ['broker holds less', mismatch, 'flatten', 0, 'adopt', 'adopt:position-mismatch:GLD', undefined],
    ['external order', external, 'adopt', 0, 'adopt', 'adopt:order-unknown-to-host:manual-1', undefined],
    ['external order', external, 'flatten', 0, 'cancel', 'cancel:manual-1', undefined],
  ])('%s, policy %s, missed fills %d: %s as %s', (_name, difference, policy, missed, action, actionId, quantity) => {
    const decided = decide(difference, policy, new Set(), missed);
    expect(decided).toMatchObject({ action, actionId, actionState: 'taken' });
    expect(decided.quantity).toBe(quantity);
    expect(decide(difference, policy, new Set([actionId]), missed).actionState).toBe('taken-before');
  });
});

describe('brokerOrders', () => {
  it('gives the broker\'s version of each order that differs, and REJECTED for one the broker never saw', () => {
    const host = [order('sh-1'), order('sh-2', { updatedAt: 5 })];
    const filled = order('sh-1', { status: 'FILLED', filledQuantity: 10, updatedAt: 3 });
    const result = reconcile({ positions: [], openOrders: host }, { positions: [], openOrders: [order('manual-1')], orders: [filled] });
    expect(brokerOrders(result, [order('manual-1'), filled], host, 9).map((o) => `${o.clientOrderId} ${o.status} ${o.updatedAt}`)).toEqual([
      'manual-1 ACCEPTED 1',
      'sh-2 REJECTED 9',
      'sh-1 FILLED 3',
    ]);
  });
});
