import { route, type BrokerAdapter, type Journal, type Order, type OrderIntent, type RoutingTable } from '../../core/index.js';
import type { HostMetrics } from '../metrics.js';

/** Rejects when `promise` has not settled within `ms`; the promise itself may still settle later. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Provenance of ended orders kept for late execution events (about 150 bytes each). */
export const SETTLED_MEMORY = 10_000;

interface Provenance {
  readonly routedTo: string;
  readonly executedBy: string;
}

interface Pending {
  readonly intent: OrderIntent;
  readonly routedTo: string;
  readonly executedBy: string;
}

/**
 * Sends approved intents to brokers: routes each by the routing table (a fallback only when the primary is known
 * down before sending), waits at most `submitTimeoutMs`, and records every order with the broker it was meant for and
 * the broker that executed it. A submission without an answer in time is UNKNOWN: it is never resubmitted, but
 * resolved by asking the broker for its client order id; until then its symbol is not traded again.
 */
export class OrderSubmitter {
  private readonly down = new Set<string>();
  private readonly unknown = new Map<string, Pending>();
  /** Where each order still open was routed and who executes it. */
  private readonly provenance = new Map<string, Provenance>();
  /**
   * The same for orders that have ended, the most recent SETTLED_MEMORY of them (oldest dropped first): a late or
   * replayed execution event still finds its provenance, and a long run does not keep one entry per order forever.
   */
  private readonly settledProvenance = new Map<string, Provenance>();
  submitted = 0;

  constructor(
    private readonly runId: string,
    private readonly brokers: ReadonlyMap<string, BrokerAdapter>,
    private readonly routing: RoutingTable,
    private readonly journal: Journal,
    private readonly metrics: HostMetrics,
    private readonly log: (line: string) => void,
    private readonly submitTimeoutMs = 5_000,
  ) {}

  /** Mark a broker down (its connect failed); it comes back when a later health check answers. */
  markDown(brokerId: string, reason: string): void {
    if (!this.down.has(brokerId)) this.log(`broker ${brokerId} is down: ${reason}`);
    this.down.add(brokerId);
  }

  isUp(brokerId: string): boolean {
    return !this.down.has(brokerId);
  }

  /** Symbols with an order whose fate is unknown: not traded until it is resolved. */
  blockedSymbols(): Set<string> {
    return new Set([...this.unknown.values()].map((p) => p.intent.symbol));
  }

  /** Provenance of an order this host sent (for execution events). */
  provenanceOf(clientOrderId: string): Provenance | undefined {
    return this.provenance.get(clientOrderId) ?? this.settledProvenance.get(clientOrderId);
  }

  /** An order has ended (filled, cancelled, rejected, expired): its provenance moves to the bounded memory of ended orders. */
  settle(clientOrderId: string): void {
    const entry = this.provenance.get(clientOrderId);
    if (entry === undefined) return;
    this.provenance.delete(clientOrderId);
    this.settledProvenance.set(clientOrderId, entry);
    if (this.settledProvenance.size > SETTLED_MEMORY) this.settledProvenance.delete(this.settledProvenance.keys().next().value as string);
  }

  /** Orders whose provenance is kept: open, and recently ended. */
  get provenanceSize(): { open: number; settled: number } {
    return { open: this.provenance.size, settled: this.settledProvenance.size };
  }

  async submit(intent: OrderIntent): Promise<Order | undefined> {
    const r = route(this.routing, intent.symbol, (id) => this.isUp(id) && this.brokers.has(id));
    if (!r.ok) {
      const order = baseOrder(intent, 'REJECTED', { routedTo: r.routedTo, rejectReason: r.reason });
      this.journal.recordOrder(this.runId, order);
      this.metrics.orders.inc({ broker: r.routedTo, status: 'REJECTED' });
      return order;
    }
    const broker = this.brokers.get(r.executedBy)!;
    this.provenance.set(intent.clientOrderId, { routedTo: r.routedTo, executedBy: r.executedBy });
    if (r.fallback) this.log(`order ${intent.clientOrderId} ${intent.symbol}: ${r.routedTo} is down, routed to fallback ${r.executedBy}`);
    try {
      const order = await withTimeout(
        broker.submit({ clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, quantity: intent.quantity, type: intent.type, timeInForce: intent.timeInForce, time: intent.time }),
        this.submitTimeoutMs,
        `submit ${intent.clientOrderId} to ${r.executedBy}`,
      );
      this.submitted += 1;
      // Object.assign, not a spread followed by new properties (about 1 µs each in V8).
      const recorded: Order = Object.assign({}, order, { routedTo: r.routedTo, executedBy: r.executedBy });
      this.journal.recordOrder(this.runId, recorded);
      return recorded;
    } catch (error) {
      // No answer: the broker may or may not have the order. Never resend it; find out by lookup.
      const order = baseOrder(intent, 'UNKNOWN', { routedTo: r.routedTo, executedBy: r.executedBy, rejectReason: (error as Error).message });
      this.journal.recordOrder(this.runId, order);
      this.metrics.orders.inc({ broker: r.executedBy, status: 'UNKNOWN' });
      this.unknown.set(intent.clientOrderId, { intent, routedTo: r.routedTo, executedBy: r.executedBy });
      this.markDown(r.executedBy, (error as Error).message);
      return order;
    }
  }

  /**
   * Resolve UNKNOWN orders by client order id at their broker, and bring brokers back up when they answer. Found:
   * the broker's order is journaled and returned (the engine tracks it as working or filled). Not found: it never
   * reached the broker, journaled REJECTED. No answer: still UNKNOWN, tried again next cycle.
   */
  async resolve(): Promise<Order[]> {
    for (const id of [...this.down]) {
      try {
        await withTimeout(this.brokers.get(id)!.account(), this.submitTimeoutMs, `health check of ${id}`);
        this.down.delete(id);
        this.log(`broker ${id} answers again`);
      } catch {
        // still down
      }
    }
    const found: Order[] = [];
    for (const [id, pending] of [...this.unknown]) {
      const broker = this.brokers.get(pending.executedBy)!;
      let order: Order | undefined;
      try {
        order = await withTimeout(broker.orderByClientId(id), this.submitTimeoutMs, `lookup of ${id}`);
      } catch {
        continue;
      }
      this.unknown.delete(id);
      if (order) {
        const recorded: Order = Object.assign({}, order, { routedTo: pending.routedTo, executedBy: pending.executedBy });
        this.journal.recordOrder(this.runId, recorded);
        this.submitted += 1;
        found.push(recorded);
        this.log(`order ${id} was UNKNOWN: the broker has it (${order.status})`);
      } else {
        this.journal.recordOrder(this.runId, baseOrder(pending.intent, 'REJECTED', { routedTo: pending.routedTo, executedBy: pending.executedBy, rejectReason: 'never reached the broker (resolved by lookup)' }));
        this.log(`order ${id} was UNKNOWN: the broker never received it; not resent`);
      }
    }
    return found;
  }
}

function baseOrder(intent: OrderIntent, status: Order['status'], extra: Partial<Order>): Order {
  return {
    clientOrderId: intent.clientOrderId,
    symbol: intent.symbol,
    side: intent.side,
    quantity: intent.quantity,
    type: intent.type,
    timeInForce: intent.timeInForce,
    status,
    filledQuantity: 0,
    averagePrice: 0,
    submittedAt: intent.time,
    updatedAt: intent.time,
    ...extra,
  };
}
