import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import type { Order, SubmitRequest } from '../../core/index.js';
import { engineRig, realPlugins } from './fixtures.js';

/** A broker that takes the Nth order but never answers: the order reached it, the answer was lost. */
class LostAnswerBroker extends PaperBroker {
  readonly submits: string[] = [];
  constructor(private readonly loseAt: number, options: ConstructorParameters<typeof PaperBroker>[0]) {
    super(options);
  }
  override async submit(request: SubmitRequest): Promise<Order> {
    this.submits.push(request.clientOrderId);
    const order = super.submit(request);
    if (this.submits.length === this.loseAt) return new Promise<Order>(() => {});
    return order;
  }
}

/** A broker that is down: nothing reaches it. */
class DownBroker extends PaperBroker {
  override async submit(): Promise<Order> {
    throw new Error('connection refused');
  }
  override async account(): Promise<never> {
    throw new Error('connection refused');
  }
}

describe('execution faults', () => {
  it('a submit that times out becomes UNKNOWN, is resolved by lookup, and is never resubmitted', async () => {
    let broker: LostAnswerBroker | undefined;
    const logs: string[] = [];
    const rig = await engineRig({
      plugins: await realPlugins(),
      broker: (instruments) => (broker = new LostAnswerBroker(3, { id: 'paper', initialCash: 1_000_000, instruments })),
      submitTimeoutMs: 50,
      log: (l) => logs.push(l),
    });
    await rig.engine.run();
    const lost = broker!.submits[2]!;
    expect(broker!.submits.filter((id) => id === lost)).toHaveLength(1);
    expect(new Set(broker!.submits).size).toBe(broker!.submits.length);
    const order = rig.journal.orders(rig.runId).find((o) => o.clientOrderId === lost)!;
    expect(order.status).not.toBe('UNKNOWN');
    expect(['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED']).toContain(order.status);
    expect(logs.some((l) => l.includes(`order ${lost} was UNKNOWN: the broker has it`))).toBe(true);
  });

  it('when the primary broker is down, orders go to the fallback, with provenance recorded', async () => {
    const rig = await engineRig({
      plugins: await realPlugins(),
      broker: (instruments) => new DownBroker({ id: 'primary', initialCash: 1_000_000, instruments }),
      brokers: (instruments, primary) => new Map([['primary', primary], ['backup', new PaperBroker({ id: 'backup', initialCash: 1_000_000, instruments })]]),
      routing: { defaultBroker: 'primary', defaultFallback: 'backup', rules: [], allowFallback: true },
      brokersDown: ['primary'],
    });
    const summary = await rig.engine.run();
    const orders = rig.journal.orders(rig.runId);
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((o) => o.routedTo === 'primary' && o.executedBy === 'backup')).toBe(true);
    expect(summary.fills).toBeGreaterThan(0);
  });

  it('with fallback forbidden, a down primary means rejected orders, each journaled with the reason', async () => {
    const rig = await engineRig({
      plugins: await realPlugins(),
      broker: (instruments) => new DownBroker({ id: 'primary', initialCash: 1_000_000, instruments }),
      brokers: (instruments, primary) => new Map([['primary', primary], ['backup', new PaperBroker({ id: 'backup', initialCash: 1_000_000, instruments })]]),
      routing: { defaultBroker: 'primary', defaultFallback: 'backup', rules: [], allowFallback: false },
      brokersDown: ['primary'],
    });
    const summary = await rig.engine.run();
    const orders = rig.journal.orders(rig.runId);
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((o) => o.status === 'REJECTED' && /fallback is not allowed/.test(o.rejectReason ?? ''))).toBe(true);
    expect(summary.fills).toBe(0);
  });
});
