import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { defineStrategy, parseDate, type Order, type SeriesData, type SubmitRequest } from '../../core/index.js';
import { engineRig, inlinePlugin } from '../integration/fixtures.js';

const EIGHT = ['GLD', 'SLV', 'PPLT', 'IAU', 'GDX', 'SPY', 'TLT', 'UUP'];

/** Flat until `from`, then long 10% of each symbol: one basket of as many orders as symbols. */
const flood = defineStrategy({
  id: 'flood',
  version: '1.0.0',
  api: 1,
  summary: 'drill: one basket of eight entries',
  params: {},
  needs: () => ({ bars: EIGHT, history: 1 }),
  init: () => ({}),
  evaluate: (ctx, _p, state) => ({
    signals: ctx.now >= parseDate('2018-03-01') ? EIGHT.map((symbol) => ({ symbol, weight: 0.1, confidence: 1, reason: 'drill' })) : [],
    state,
  }),
});

class CountingBroker extends PaperBroker {
  readonly submitted: SubmitRequest[] = [];
  override async submit(request: SubmitRequest): Promise<Order> {
    this.submitted.push(request);
    return super.submit(request);
  }
}

describe('drill: order-rate flood', () => {
  it('N+1 orders inside the window: exactly N reach the broker, the rest are denied (never queued)', async () => {
    const N = EIGHT.length - 1;
    let broker: CountingBroker | undefined;
    const rig = await engineRig({
      plugins: [inlinePlugin(flood)],
      from: '2018-02-01',
      to: '2018-03-31',
      guards: [{ name: 'kill-switch' }, { name: 'order-rate', maxOrders: N, windowMs: 60_000 }],
      broker: (instruments) => (broker = new CountingBroker({ initialCash: 1_000_000, instruments, maxParticipation: 0 })),
    });
    await rig.engine.run();
    const decisions = rig.journal.riskDecisions(rig.runId).filter((d) => d.guard === 'order-rate');
    const firstCycle = Math.min(...decisions.map((d) => d.cycle));
    const offered = decisions.filter((d) => d.cycle === firstCycle);
    expect(offered).toHaveLength(N + 1);
    expect(offered.filter((d) => d.result === 'pass')).toHaveLength(N);
    expect(offered.filter((d) => d.result === 'reject')).toHaveLength(1);
    expect(broker!.submitted.filter((r) => rig.journal.intents(rig.runId).find((i) => i.clientOrderId === r.clientOrderId)?.cycle === firstCycle)).toHaveLength(N);
    // Conservation: every offered order was either sent or denied, none is waiting.
    expect(new Set(broker!.submitted.map((r) => r.clientOrderId)).size + rig.journal.riskDecisions(rig.runId).filter((d) => d.result === 'reject').length).toBe(new Set(rig.journal.riskDecisions(rig.runId).map((d) => d.clientOrderId)).size);
  });
});

/** Ramps its GLD weight up every ten cycles; reads the real yield, so GLD depends on macro:DFII10. */
const goldOnRates = defineStrategy({
  id: 'gold-on-rates',
  version: '1.0.0',
  api: 1,
  summary: 'drill: ramping gold, reads DFII10',
  params: {},
  needs: () => ({ bars: ['GLD'], series: ['macro:DFII10'], history: 1 }),
  init: () => ({ n: 0 }),
  evaluate: (ctx, _p, state) => {
    const n = state.n + 1;
    const level = ctx.series('macro:DFII10').length > 0 ? Math.min(1, Math.floor(n / 10) * 0.05) : 0;
    return { signals: [{ symbol: 'GLD', weight: level, confidence: 1, reason: `ramp ${level}` }], state: { n } };
  },
});

/** The same ramp on SLV, reading nothing else: SLV depends only on its own bars. */
const silverRamp = defineStrategy({
  id: 'silver-ramp',
  version: '1.0.0',
  api: 1,
  summary: 'drill: ramping silver',
  params: {},
  needs: () => ({ bars: ['SLV'], history: 1 }),
  init: () => ({ n: 0 }),
  evaluate: (_ctx, _p, state) => {
    const n = state.n + 1;
    return { signals: [{ symbol: 'SLV', weight: Math.min(1, Math.floor(n / 10) * 0.05), confidence: 1, reason: 'ramp' }], state: { n } };
  },
});

describe('drill: a stale series blocks new entries for the instruments that depend on it', () => {
  it('during a month-long gap in DFII10, GLD cannot add risk; SLV trades on; GLD resumes after the gap', async () => {
    const gapFrom = parseDate('2018-05-01');
    const gapTo = parseDate('2018-06-01');
    const withGap = (data: readonly SeriesData[]): SeriesData[] =>
      data.map((d) => {
        if (d.spec.id !== 'macro:DFII10') return d;
        const keep = [...d.time].map((t, i) => (t < gapFrom || t >= gapTo ? i : -1)).filter((i) => i >= 0);
        const pick = (col: Float64Array): Float64Array => Float64Array.from(keep, (i) => col[i]!);
        return { spec: d.spec, time: pick(d.time), available: pick(d.available), columns: Object.fromEntries(Object.entries(d.columns).map(([k, v]) => [k, pick(v)])) };
      });
    const rig = await engineRig({
      plugins: [inlinePlugin(goldOnRates), inlinePlugin(silverRamp)],
      from: '2018-03-01',
      to: '2018-07-31',
      transformData: withGap,
      guards: [{ name: 'kill-switch' }, { name: 'stale-data' }],
    });
    await rig.engine.run();
    const intents = rig.journal.intents(rig.runId);
    const rejects = rig.journal.riskDecisions(rig.runId).filter((d) => d.guard === 'stale-data' && d.result === 'reject');
    // The gap is over a week into May before the data counts as stale (3 business days + 1 day of allowance).
    const staleFrom = parseDate('2018-05-08');
    const staleTo = gapTo;
    expect(rejects.length).toBeGreaterThan(0);
    expect(rejects.every((d) => d.symbol === 'GLD')).toBe(true);
    expect(rejects.every((d) => d.time >= staleFrom - 2 * 86_400_000 && d.time < staleTo + 86_400_000)).toBe(true);
    const inGap = (t: number): boolean => t >= staleFrom && t < staleTo;
    expect(intents.filter((i) => i.symbol === 'GLD' && inGap(i.time) && i.side === 'buy')).toEqual([]);
    expect(intents.filter((i) => i.symbol === 'SLV' && inGap(i.time)).length).toBeGreaterThan(0);
    expect(intents.filter((i) => i.symbol === 'GLD' && i.time > staleTo + 3 * 86_400_000 && i.side === 'buy').length).toBeGreaterThan(0);
  });
});
