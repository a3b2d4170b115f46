import { describe, expect, it } from 'vitest';
import { isShError } from '../errors.js';
import type { Order, OrderStatus } from '../model/order.js';
import { canTransition, isTerminal, isWorking, ORDER_STATUSES, ORDER_TRANSITIONS, transition } from './order-state.js';

/** The expected table, written out independently of the implementation: [from, allowed targets]. */
const EXPECTED: Record<OrderStatus, readonly OrderStatus[]> = {
  INTENT: ['SUBMITTED', 'CANCELLED', 'REJECTED', 'UNKNOWN'],
  SUBMITTED: ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'UNKNOWN'],
  ACCEPTED: ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'UNKNOWN'],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'UNKNOWN'],
  UNKNOWN: ['UNKNOWN', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED'],
  FILLED: [],
  CANCELLED: [],
  REJECTED: [],
};

const ALL: readonly OrderStatus[] = ['INTENT', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'UNKNOWN'];

const PAIRS = ALL.flatMap((from) => ALL.map((to) => ({ from, to, allowed: EXPECTED[from].includes(to) })));

function order(status: OrderStatus, fields: Partial<Order> = {}): Order {
  return {
    clientOrderId: 'sh-a3hv0g81-2s-GLD-0',
    symbol: 'GLD',
    side: 'buy',
    quantity: 100,
    type: 'market',
    timeInForce: 'day',
    status,
    filledQuantity: 0,
    averagePrice: 0,
    submittedAt: 1_000,
    updatedAt: 1_000,
    ...fields,
  };
}

describe('the order state table', () => {
  it('covers every status', () => {
    expect([...ORDER_STATUSES].sort()).toEqual([...ALL].sort());
    expect(ORDER_TRANSITIONS).toEqual(EXPECTED);
  });

  it.each(PAIRS)('$from -> $to allowed: $allowed', ({ from, to, allowed }) => {
    expect(canTransition(from, to)).toBe(allowed);
    const run = (): Order => transition(order(from), to);
    if (allowed) {
      expect(run().status).toBe(to);
    } else {
      let caught: unknown;
      try {
        run();
      } catch (error) {
        caught = error;
      }
      expect(isShError(caught, 'SH_ERR_EXEC_INVALID_TRANSITION')).toBe(true);
      const error = caught as { message: string; details: Record<string, unknown> };
      expect(error.message).toContain('sh-a3hv0g81-2s-GLD-0');
      expect(error.message).toContain(`${from} to ${to}`);
      expect(error.details).toMatchObject({ clientOrderId: 'sh-a3hv0g81-2s-GLD-0', from, to });
    }
  });

  it('never lets UNKNOWN go back to INTENT or SUBMITTED (it is looked up, never resubmitted)', () => {
    expect(canTransition('UNKNOWN', 'SUBMITTED')).toBe(false);
    expect(canTransition('UNKNOWN', 'INTENT')).toBe(false);
    for (const status of ALL) expect(canTransition(status, 'INTENT')).toBe(false);
    expect(ALL.filter((status) => canTransition(status, 'SUBMITTED'))).toEqual(['INTENT']);
  });

  it('lets nothing leave a terminal status', () => {
    for (const status of ALL) expect(isTerminal(status)).toBe(EXPECTED[status].length === 0);
    expect(ALL.filter(isTerminal)).toEqual(['FILLED', 'CANCELLED', 'REJECTED']);
  });

  it('counts SUBMITTED, ACCEPTED, PARTIALLY_FILLED and UNKNOWN as working', () => {
    expect(ALL.filter(isWorking)).toEqual(['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'UNKNOWN']);
  });
});

describe('transition', () => {
  it('applies the patch, keeps the client order id and leaves the input alone', () => {
    const before = Object.freeze(order('SUBMITTED'));
    const after = transition(before, 'PARTIALLY_FILLED', { filledQuantity: 40, averagePrice: 180.5, updatedAt: 2_000, brokerOrderId: 'b-1' });
    expect(after).toEqual({ ...before, status: 'PARTIALLY_FILLED', filledQuantity: 40, averagePrice: 180.5, updatedAt: 2_000, brokerOrderId: 'b-1' });
    expect(before.status).toBe('SUBMITTED');
  });

  it('treats ACCEPTED -> ACCEPTED as a no-op on the status that still records the patch', () => {
    const accepted = order('ACCEPTED');
    expect(transition(accepted, 'ACCEPTED')).toEqual(accepted);
    expect(transition(accepted, 'ACCEPTED', { updatedAt: 5_000 })).toEqual({ ...accepted, updatedAt: 5_000 });
  });

  it('allows a fast fill straight from SUBMITTED and more partial fills', () => {
    expect(transition(order('SUBMITTED'), 'FILLED', { filledQuantity: 100 }).status).toBe('FILLED');
    const partial = transition(order('ACCEPTED'), 'PARTIALLY_FILLED', { filledQuantity: 30 });
    expect(transition(partial, 'PARTIALLY_FILLED', { filledQuantity: 60 }).filledQuantity).toBe(60);
  });

  it.each([
    ['shrinks', order('PARTIALLY_FILLED', { filledQuantity: 60 }), 'PARTIALLY_FILLED', 30],
    ['exceeds the order quantity', order('ACCEPTED'), 'FILLED', 101],
  ] as const)('refuses a filled quantity that %s', (_name, from, to, filledQuantity) => {
    expect(() => transition(from, to, { filledQuantity })).toThrow(expect.objectContaining({ code: 'SH_ERR_EXEC_INVALID_TRANSITION' }));
  });
});
