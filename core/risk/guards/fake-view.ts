/**
 * Test support for guards (not exported by core): a RiskView over plain, frozen data, standing in for the engine's
 * state, and an intent builder. Frozen inputs make a guard that mutates what it sees fail its tests.
 */
import type { Instrument } from '../../model/instrument.js';
import type { OrderIntent } from '../../model/order.js';
import type { PluginMode } from '../../portfolio/allocator.js';
import type { AcceptedOrder, Compared, DataDependency, GuardResult, RiskView } from '../guard.js';
import type { KillTier } from '../kill-switch.js';
import { buildGuards } from './index.js';

export interface FakeState {
  readonly time: number;
  readonly tier: KillTier;
  readonly equity: number;
  readonly dayStartEquity: number;
  readonly peakEquity: number;
  readonly positions: Readonly<Record<string, number>>;
  readonly prices: Readonly<Record<string, number>>;
  readonly instruments: Readonly<Record<string, Instrument>>;
  /** Signed quantity accepted earlier in this basket, per symbol. */
  readonly basket: Readonly<Record<string, number>>;
  readonly accepted: readonly AcceptedOrder[];
  readonly tradedToday: number;
  readonly dependencies: Readonly<Record<string, readonly DataDependency[]>>;
  readonly modes: Readonly<Record<string, PluginMode>>;
  /** Per plugin, per symbol: signed target notional. */
  readonly targets: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** 2024-01-10, a Wednesday, 15:00 UTC. */
export const FAKE_NOW = Date.UTC(2024, 0, 10, 15);

export const DEFAULT_FAKE_STATE: FakeState = {
  time: FAKE_NOW,
  tier: 'ACTIVE',
  equity: 100_000,
  dayStartEquity: 100_000,
  peakEquity: 100_000,
  positions: {},
  prices: {},
  instruments: {},
  basket: {},
  accepted: [],
  tradedToday: 0,
  dependencies: {},
  modes: {},
  targets: {},
};

/** A RiskView over `state` merged on the defaults; a price not given is 100. */
export function fakeView(partial: Partial<FakeState> = {}): RiskView {
  const state = deepFreeze({ ...DEFAULT_FAKE_STATE, ...partial });
  return {
    time: state.time,
    tier: state.tier,
    equity: state.equity,
    dayStartEquity: state.dayStartEquity,
    peakEquity: state.peakEquity,
    position: (s) => state.positions[s] ?? 0,
    heldSymbols: () => Object.keys(state.positions).filter((s) => state.positions[s] !== 0),
    price: (s) => state.prices[s] ?? 100,
    instrument: (s) => state.instruments[s],
    acceptedInBasket: (s) => state.basket[s] ?? 0,
    acceptedOrders: () => state.accepted,
    tradedNotionalToday: () => state.tradedToday,
    dataDependencies: (s) => state.dependencies[s] ?? [],
    pluginMode: (id) => state.modes[id],
    pluginTargetNotional: (id, s) => state.targets[id]?.[s] ?? 0,
  };
}

/** A market buy of 100 GLD at 100 from flat, with fields overridden; `positionBefore` defaults to flat. */
export function fakeIntent(fields: Partial<OrderIntent> = {}): OrderIntent {
  return deepFreeze({
    clientOrderId: 'run-1-c1-GLD-0',
    runId: 'run-1',
    cycle: 1,
    time: FAKE_NOW,
    symbol: 'GLD',
    side: 'buy',
    quantity: 100,
    type: 'market',
    timeInForce: 'day',
    positionBefore: 0,
    targetPosition: 0,
    referencePrice: 100,
    attribution: [],
    reason: 'test',
    ...fields,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** One row of a guard's table test. */
export interface GuardCase {
  readonly name: string;
  /** Settings over the guard's defaults. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly state?: Partial<FakeState>;
  /** Intent fields; positionBefore defaults to the book position plus the basket. */
  readonly intent?: Partial<OrderIntent>;
  readonly expected: { readonly result: GuardResult; readonly quantity?: number; readonly compared?: Readonly<Record<string, unknown>> };
  /** A pattern the reason must match (clip and reject). */
  readonly reason?: RegExp;
}

/** What a case produced: the result, the quantity that survives (0 when rejected), the reason and compared. */
export interface CaseOutcome {
  readonly result: GuardResult;
  readonly quantity: number;
  readonly reason: string;
  readonly compared: Compared;
}

/** Run one case through the registered guard `name`, built by `buildGuards` from the case's settings. */
export function runCase(name: string, c: GuardCase): CaseOutcome {
  const [guard] = buildGuards([{ name, ...c.config }]);
  if (!guard) throw new Error(`no guard ${name}`);
  const view = fakeView(c.state);
  const symbol = c.intent?.symbol ?? 'GLD';
  const intent = fakeIntent({ positionBefore: view.position(symbol) + view.acceptedInBasket(symbol), ...c.intent });
  const verdict = guard.check(intent, view);
  switch (verdict.result) {
    case 'pass':
      return { result: 'pass', quantity: intent.quantity, reason: '', compared: verdict.compared ?? {} };
    case 'clip':
      return { result: 'clip', quantity: verdict.quantity, reason: verdict.reason, compared: verdict.compared };
    case 'reject':
      return { result: 'reject', quantity: 0, reason: verdict.reason, compared: verdict.compared };
  }
}
