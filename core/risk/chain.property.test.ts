import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instrument, type Instrument } from '../model/instrument.js';
import type { OrderIntent, Side } from '../model/order.js';
import { MS_PER_DAY } from '../model/time.js';
import { RiskChain, type BasketBaseView } from './chain.js';
import { isRiskReducing, type AcceptedOrder } from './guard.js';
import { buildGuards, DEFAULT_GUARD_CONFIGS } from './guards/index.js';
import { KILL_TIERS, type KillTier } from './kill-switch.js';

/**
 * Property tests of the default chain over a simulated book: random baskets, price moves and tier changes.
 * Accepted orders fill at their reference price (no costs), so equity only moves with prices.
 */

const SYMBOLS = ['GLD', 'IAU', 'SLV', 'SPY', 'TLT', 'EEM', 'QQQ', 'XLE'] as const;
const INSTRUMENTS: ReadonlyMap<string, Instrument> = new Map([
  ['GLD', instrument('GLD', { tags: { metal: 'gold' } })],
  ['IAU', instrument('IAU', { tags: { metal: 'gold' } })],
  ['SLV', instrument('SLV', { tags: { metal: 'silver' }, lotSize: 10 })],
  ...['SPY', 'TLT', 'EEM', 'QQQ', 'XLE'].map((s): [string, Instrument] => [s, instrument(s)]),
]);
const START = Date.UTC(2024, 0, 8, 14);
const START_EQUITY = 500_000;
const CONFIG = Object.fromEntries(DEFAULT_GUARD_CONFIGS.map((c) => [c.name, c]));
const MAX_POSITION = CONFIG['position-limit']?.maxPositionNotional as number;
const MAX_GROSS = CONFIG['gross-exposure']?.maxGrossLeverage as number;
const SLACK = 1e-6;

interface OrderDraft {
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  /** Limit price as a relative distance from the price, or null for a market order. */
  readonly limitOffset: number | null;
}

interface CycleDraft {
  readonly advanceMs: number;
  readonly tier: KillTier | null;
  readonly moves: readonly number[];
  readonly staleSymbol: string | null;
  readonly orders: readonly OrderDraft[];
}

const orderArb: fc.Arbitrary<OrderDraft> = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom<Side>('buy', 'sell'),
  quantity: fc.integer({ min: 1, max: 8_000 }),
  limitOffset: fc.option(fc.double({ min: -0.1, max: 0.1, noNaN: true }), { nil: null, freq: 4 }),
});

const cycleArb: fc.Arbitrary<CycleDraft> = fc.record({
  advanceMs: fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 3_600_000, max: 2 * MS_PER_DAY })),
  tier: fc.option(fc.constantFrom(...KILL_TIERS), { nil: null, freq: 2 }),
  moves: fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: SYMBOLS.length, maxLength: SYMBOLS.length }),
  staleSymbol: fc.option(fc.constantFrom(...SYMBOLS), { nil: null, freq: 5 }),
  orders: fc.array(orderArb, { maxLength: 8 }),
});

/** The fake engine state: a book, prices, equity marks and the order memory guards look back on. */
class SimulatedBook {
  time = START;
  tier: KillTier = 'ACTIVE';
  cash = START_EQUITY;
  readonly positions = new Map<string, number>();
  readonly prices = new Map<string, number>(SYMBOLS.map((s) => [s, 100]));
  readonly accepted: AcceptedOrder[] = [];
  tradedToday = 0;
  dayStartEquity = START_EQUITY;
  peakEquity = START_EQUITY;
  staleSymbol: string | null = null;
  private day = Math.floor(START / MS_PER_DAY);
  private sequence = 0;

  position(symbol: string): number {
    return this.positions.get(symbol) ?? 0;
  }

  price(symbol: string): number {
    return this.prices.get(symbol) ?? Number.NaN;
  }

  equity(): number {
    return [...this.positions].reduce((sum, [s, q]) => sum + q * this.price(s), this.cash);
  }

  gross(): number {
    return [...this.positions].reduce((sum, [s, q]) => sum + Math.abs(q) * this.price(s), 0);
  }

  /** Move time and prices, set the tier, and mark equity as the engine does at the start of a cycle. */
  advance(cycle: CycleDraft): void {
    this.time += cycle.advanceMs;
    if (cycle.tier) this.tier = cycle.tier;
    SYMBOLS.forEach((s, i) => this.prices.set(s, Math.max(1, this.price(s) * (1 + (cycle.moves[i] ?? 0)))));
    this.staleSymbol = cycle.staleSymbol;
    const equity = this.equity();
    const day = Math.floor(this.time / MS_PER_DAY);
    if (day !== this.day) {
      this.day = day;
      this.dayStartEquity = equity;
      this.tradedToday = 0;
    }
    this.peakEquity = Math.max(this.peakEquity, equity);
  }

  intents(orders: readonly OrderDraft[]): OrderIntent[] {
    return orders.map((draft) => {
      // Whole lots, as the engine's netting produces.
      const lot = INSTRUMENTS.get(draft.symbol)?.lotSize ?? 1;
      const o = { ...draft, quantity: Math.max(lot, Math.round(draft.quantity / lot) * lot) };
      const price = this.price(o.symbol);
      this.sequence += 1;
      return {
        clientOrderId: `sim-${this.sequence}`,
        runId: 'sim',
        cycle: this.sequence,
        time: this.time,
        symbol: o.symbol,
        side: o.side,
        quantity: o.quantity,
        type: o.limitOffset === null ? 'market' : 'limit',
        ...(o.limitOffset === null ? {} : { limitPrice: price * (1 + o.limitOffset) }),
        timeInForce: 'day',
        // As the engine does: from the book, before the basket.
        positionBefore: this.position(o.symbol),
        targetPosition: this.position(o.symbol) + (o.side === 'buy' ? o.quantity : -o.quantity),
        referencePrice: price,
        attribution: [],
        reason: 'property test',
      };
    });
  }

  view(): BasketBaseView {
    const time = this.time;
    return {
      time,
      tier: this.tier,
      equity: this.equity(),
      dayStartEquity: this.dayStartEquity,
      peakEquity: this.peakEquity,
      position: (s) => this.position(s),
      heldSymbols: () => [...this.positions].filter(([, q]) => q !== 0).map(([s]) => s),
      price: (s) => this.price(s),
      instrument: (s) => INSTRUMENTS.get(s),
      acceptedOrders: () => this.accepted,
      tradedNotionalToday: () => this.tradedToday,
      dataDependencies: (s) => [{ seriesId: `bar:${s}`, lastAvailable: s === this.staleSymbol ? Number.NaN : time, frequency: 'daily' }],
      pluginMode: () => undefined,
      pluginTargetNotional: () => 0,
    };
  }

  /** Fill an accepted order at its reference price. */
  fill(intent: OrderIntent): void {
    const signed = intent.side === 'buy' ? intent.quantity : -intent.quantity;
    this.positions.set(intent.symbol, this.position(intent.symbol) + signed);
    this.cash -= signed * intent.referencePrice;
    this.accepted.push({ clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, quantity: intent.quantity, time: intent.time });
    this.tradedToday += intent.quantity * intent.referencePrice;
  }
}

describe('the default chain over random baskets, prices and tiers', () => {
  const chain = new RiskChain(buildGuards(DEFAULT_GUARD_CONFIGS));

  it('accepts no new risk in NO_NEW or FLATTEN_ALL, and never takes a position or gross exposure past its cap', () => {
    let acceptedTotal = 0;
    let clippedTotal = 0;
    fc.assert(
      fc.property(fc.array(cycleArb, { minLength: 1, maxLength: 25 }), (cycles) => {
        const book = new SimulatedBook();
        for (const cycle of cycles) {
          book.advance(cycle);
          const intents = book.intents(cycle.orders);
          const grossBefore = book.gross();
          const equity = book.equity();
          const before = new Map(SYMBOLS.map((s) => [s, book.position(s)]));
          const outcomes = chain.checkBasket(intents, book.view());
          expect(outcomes).toHaveLength(intents.length);
          outcomes.forEach((outcome, i) => {
            const offered = intents[i];
            const sent = outcome.intent;
            if (!offered || !sent) return;
            expect(sent.quantity).toBeGreaterThan(0);
            expect(sent.quantity).toBeLessThanOrEqual(offered.quantity);
            expect(sent.quantity % (INSTRUMENTS.get(sent.symbol)?.lotSize ?? 1)).toBe(0);
            // (a) measured against the real position: the book plus what this basket already filled.
            if (book.tier === 'NO_NEW' || book.tier === 'FLATTEN_ALL') expect(isRiskReducing({ ...sent, positionBefore: book.position(sent.symbol) })).toBe(true);
            acceptedTotal += 1;
            if (sent.quantity < offered.quantity) clippedTotal += 1;
            book.fill(sent);
          });
          // (b) at the prices of acceptance. A cap already exceeded before the basket (prices moved) may only shrink.
          for (const symbol of SYMBOLS) {
            const price = book.price(symbol);
            const allowed = Math.max(MAX_POSITION, Math.abs(before.get(symbol) ?? 0) * price);
            expect(Math.abs(book.position(symbol)) * price).toBeLessThanOrEqual(allowed * (1 + SLACK));
          }
          expect(book.gross()).toBeLessThanOrEqual(Math.max(MAX_GROSS * Math.max(equity, 0), grossBefore) * (1 + SLACK) + SLACK);
        }
      }),
      { numRuns: 300 },
    );
    // The scenarios must exercise the chain, not only reject everything.
    expect(acceptedTotal).toBeGreaterThan(100);
    expect(clippedTotal).toBeGreaterThan(10);
  });
});

describe('the order-rate throttle alone', () => {
  const MAX_ORDERS = 5;
  const WINDOW_MS = 1_000;
  const FACTOR = 0.5;
  const chain = new RiskChain(buildGuards([{ name: 'order-rate', maxOrders: MAX_ORDERS, windowMs: WINDOW_MS, throttleFactor: FACTOR }]));
  const burstArb = fc.record({
    advanceMs: fc.integer({ min: 0, max: 700 }),
    tier: fc.constantFrom<KillTier>('ACTIVE', 'THROTTLE', 'NO_NEW'),
    offered: fc.integer({ min: 0, max: 6 }),
  });

  it('denies, never queues: sent + denied = offered, and no window sends more than the limit', () => {
    fc.assert(
      fc.property(fc.array(burstArb, { minLength: 1, maxLength: 40 }), (bursts) => {
        const sent: AcceptedOrder[] = [];
        let time = START;
        let offeredTotal = 0;
        let deniedTotal = 0;
        for (const burst of bursts) {
          time += burst.advanceMs;
          const intents: OrderIntent[] = Array.from({ length: burst.offered }, (_, i) => ({
            clientOrderId: `o-${offeredTotal + i}`, runId: 'sim', cycle: 0, time, symbol: 'GLD', side: 'buy', quantity: 1 + i, type: 'market', timeInForce: 'day',
            positionBefore: 0, targetPosition: 1 + i, referencePrice: 100, attribution: [], reason: 'burst',
          }));
          const view: BasketBaseView = {
            time, tier: burst.tier, equity: 1, dayStartEquity: 1, peakEquity: 1, position: () => 0, heldSymbols: () => [], price: () => 100, instrument: () => undefined,
            acceptedOrders: () => sent, tradedNotionalToday: () => 0, dataDependencies: () => [], pluginMode: () => undefined, pluginTargetNotional: () => 0,
          };
          const limit = burst.tier === 'THROTTLE' ? Math.floor(MAX_ORDERS * FACTOR) : MAX_ORDERS;
          const outcomes = chain.checkBasket(intents, view);
          expect(outcomes).toHaveLength(intents.length);
          outcomes.forEach((outcome, i) => {
            const offered = intents[i];
            if (!offered) return;
            const inWindow = sent.filter((o) => o.time > time - WINDOW_MS).length;
            if (outcome.intent) {
              // Sent unchanged, and only while the window had room.
              expect(outcome.intent).toEqual(offered);
              expect(inWindow).toBeLessThan(limit);
              sent.push({ clientOrderId: offered.clientOrderId, symbol: offered.symbol, side: offered.side, quantity: offered.quantity, time });
            } else {
              // Denied only when the window was full: the throttle never denies more than it must.
              expect(inWindow).toBeGreaterThanOrEqual(limit);
              deniedTotal += 1;
            }
          });
          offeredTotal += intents.length;
        }
        expect(sent.length + deniedTotal).toBe(offeredTotal);
        for (const order of sent) expect(sent.filter((o) => o.time > order.time - WINDOW_MS && o.time <= order.time).length).toBeLessThanOrEqual(MAX_ORDERS);
      }),
      { numRuns: 300 },
    );
  });
});
