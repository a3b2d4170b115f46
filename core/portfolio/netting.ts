import type { Instrument } from '../model/instrument.js';
import { roundToLot } from '../model/instrument.js';
import type { OrderIntent } from '../model/order.js';
import type { Signal } from '../model/signal.js';
import type { EpochMs } from '../model/time.js';

/** Net target quantity per instrument, with the plugins that contributed to it. */
export interface NetTarget {
  readonly symbol: string;
  readonly quantity: number;
  readonly attribution: readonly string[];
}

/**
 * Net the signals of every live plugin into one target quantity per instrument:
 * sum over plugins of budget x weight / (price x multiplier), rounded toward zero to lots.
 */
export function netTargets(
  budgets: ReadonlyMap<string, number>,
  signals: ReadonlyMap<string, readonly Signal[]>,
  price: (symbol: string) => number,
  instrument: (symbol: string) => Instrument | undefined,
): Map<string, NetTarget> {
  const notional = new Map<string, number>();
  const attribution = new Map<string, string[]>();
  for (const [strategyId, budget] of budgets) {
    if (budget <= 0) continue;
    for (const s of signals.get(strategyId) ?? []) {
      if (s.weight === 0) continue;
      notional.set(s.symbol, (notional.get(s.symbol) ?? 0) + budget * s.weight);
      const list = attribution.get(s.symbol) ?? [];
      list.push(strategyId);
      attribution.set(s.symbol, list);
    }
  }
  const targets = new Map<string, NetTarget>();
  for (const [symbol, value] of notional) {
    const p = price(symbol);
    if (!(p > 0)) continue;
    const inst = instrument(symbol);
    const quantity = roundToLot(value / (p * (inst?.multiplier ?? 1)), inst?.lotSize ?? 1);
    targets.set(symbol, { symbol, quantity, attribution: attribution.get(symbol) ?? [] });
  }
  return targets;
}

export interface IntentContext {
  readonly runId: string;
  readonly cycle: number;
  readonly time: EpochMs;
  /** Skip trades smaller than this notional unless they close a position (default 0). */
  readonly minTradeNotional: number;
  readonly clientOrderId: (symbol: string, sequence: number) => string;
  /** Order type of the intents (default market: filled at the next open). */
  readonly type?: OrderIntent['type'];
}

/**
 * Order intents that move each position to its target (the engine cancels what is still working at the start of
 * every cycle, so positions are all there is). Instruments held but without a target are taken to zero. Intents are sorted risk-reducing first, then by symbol, so a basket limit never blocks a
 * reduction because an increase came first.
 */
export function buildIntents(
  targets: ReadonlyMap<string, NetTarget>,
  position: (symbol: string) => number,
  held: Iterable<string>,
  price: (symbol: string) => number,
  instrument: (symbol: string) => Instrument | undefined,
  context: IntentContext,
): OrderIntent[] {
  const symbols = new Set<string>([...targets.keys(), ...held]);
  const draft: { symbol: string; delta: number; before: number; target: number; reducing: boolean; attribution: readonly string[]; price: number }[] = [];
  for (const symbol of [...symbols].sort()) {
    const target = targets.get(symbol)?.quantity ?? 0;
    const before = position(symbol);
    const delta = target - before;
    const p = price(symbol);
    if (delta === 0 || !(p > 0)) continue;
    const multiplier = instrument(symbol)?.multiplier ?? 1;
    if (target !== 0 && Math.abs(delta) * p * multiplier < context.minTradeNotional) continue;
    const reducing = Math.abs(target) < Math.abs(before) && Math.sign(target) * Math.sign(before) >= 0;
    draft.push({ symbol, delta, before, target, reducing, attribution: targets.get(symbol)?.attribution ?? [], price: p });
  }
  draft.sort((a, b) => Number(b.reducing) - Number(a.reducing) || (a.symbol < b.symbol ? -1 : 1));
  return draft.map((d, i) => ({
    clientOrderId: context.clientOrderId(d.symbol, i),
    runId: context.runId,
    cycle: context.cycle,
    time: context.time,
    symbol: d.symbol,
    side: d.delta > 0 ? 'buy' : 'sell',
    quantity: Math.abs(d.delta),
    type: context.type ?? 'market',
    timeInForce: context.type === 'market-on-close' ? 'cls' : 'day',
    positionBefore: d.before,
    targetPosition: d.target,
    referencePrice: d.price,
    attribution: d.attribution,
    reason: d.target === 0 ? 'close: no live plugin targets this instrument' : `net target ${d.target}`,
  }));
}
