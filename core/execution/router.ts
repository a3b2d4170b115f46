import { ShError } from '../errors.js';

/** One routing rule: these symbols go to `broker`, or to `fallback` when the broker is down and policy allows. */
export interface RouteRule {
  readonly symbols: readonly string[];
  readonly broker: string;
  readonly fallback?: string;
}

export interface RoutingTable {
  /** Broker for symbols no rule names. */
  readonly defaultBroker: string;
  readonly defaultFallback?: string;
  readonly rules: readonly RouteRule[];
  /** Whether a fallback may be used at all (default true). */
  readonly allowFallback: boolean;
}

/** Where an order goes: the broker it was meant for and the one that will execute it. */
export type Route =
  | { readonly ok: true; readonly routedTo: string; readonly executedBy: string; readonly fallback: boolean }
  | { readonly ok: false; readonly routedTo: string; readonly reason: string };

/**
 * Route a symbol. A fallback is used only when the primary is known to be down before submission (not after an
 * ambiguous timeout: the primary may have the order, and sending it elsewhere could duplicate it) and policy allows.
 */
export function route(table: RoutingTable, symbol: string, isUp: (brokerId: string) => boolean): Route {
  const rule = table.rules.find((r) => r.symbols.includes(symbol));
  const primary = rule?.broker ?? table.defaultBroker;
  const fallback = rule ? rule.fallback : table.defaultFallback;
  if (isUp(primary)) return { ok: true, routedTo: primary, executedBy: primary, fallback: false };
  if (!table.allowFallback) return { ok: false, routedTo: primary, reason: `broker ${primary} is down and fallback is not allowed` };
  if (!fallback) return { ok: false, routedTo: primary, reason: `broker ${primary} is down and ${symbol} has no fallback` };
  if (!isUp(fallback)) return { ok: false, routedTo: primary, reason: `broker ${primary} and its fallback ${fallback} are both down` };
  return { ok: true, routedTo: primary, executedBy: fallback, fallback: true };
}

/** Check a routing table against the configured brokers; every problem at once. */
export function validateRoutingTable(table: RoutingTable, brokers: readonly string[], path = 'routing'): void {
  const problems: ShError[] = [];
  const check = (id: string | undefined, where: string): void => {
    if (id !== undefined && !brokers.includes(id)) problems.push(new ShError('SH_ERR_CONFIG_INVALID', `unknown broker ${JSON.stringify(id)}`, { where, received: id, expected: `one of ${brokers.join(', ')}` }));
  };
  check(table.defaultBroker, `${path}.defaultBroker`);
  check(table.defaultFallback, `${path}.defaultFallback`);
  const seen = new Map<string, number>();
  table.rules.forEach((r, i) => {
    check(r.broker, `${path}.rules[${i}].broker`);
    check(r.fallback, `${path}.rules[${i}].fallback`);
    if (r.fallback === r.broker) problems.push(new ShError('SH_ERR_CONFIG_INVALID', 'a rule falls back to its own broker', { where: `${path}.rules[${i}].fallback`, received: r.fallback, expected: 'another broker' }));
    for (const s of r.symbols) {
      const prior = seen.get(s);
      if (prior !== undefined) problems.push(new ShError('SH_ERR_CONFIG_INVALID', `symbol ${s} is routed by two rules`, { where: `${path}.rules[${i}].symbols`, received: s, expected: `only rule ${prior}` }));
      seen.set(s, i);
    }
  });
  if (problems.length > 0) throw new ShError('SH_ERR_CONFIG_INVALID', `${problems.length} routing problem(s)`, { where: path }, problems);
}
