import { describe, expect, it } from 'vitest';
import { realPlugins, engineRig } from './fixtures.js';

describe('engine decision cycle', () => {
  it('shadow plugins are evaluated and scored on their virtual book but never routed', async () => {
    const plugins = await realPlugins({ tsmom: { mode: 'live' }, 'gold-silver-ratio': { mode: 'shadow' }, 'mean-reversion': { mode: 'shadow' } });
    const rig = await engineRig({ plugins, from: '2017-01-01', to: '2018-12-31' });
    const summary = await rig.engine.run();
    const shadow = summary.plugins.find((p) => p.id === 'gold-silver-ratio')!;
    expect(shadow.mode).toBe('shadow');
    expect(shadow.signals).toBeGreaterThan(0);
    expect(shadow.trades).toBeGreaterThan(0);
    // Nothing routed carries a shadow plugin in its attribution, and SLV is only traded by gold-silver-ratio here.
    const intents = rig.journal.intents(rig.runId);
    expect(intents.length).toBeGreaterThan(0);
    for (const i of intents) expect(i.attribution.filter((a) => a !== 'tsmom')).toEqual([]);
    expect(intents.filter((i) => i.symbol === 'SLV' && i.attribution.includes('gold-silver-ratio'))).toEqual([]);
  });

  it('with every plugin in shadow, nothing reaches the broker', async () => {
    const plugins = await realPlugins({ tsmom: { mode: 'shadow' }, 'gold-silver-ratio': { mode: 'shadow' }, 'mean-reversion': { mode: 'shadow' } });
    const rig = await engineRig({ plugins });
    const summary = await rig.engine.run();
    expect(summary.plugins.every((p) => p.signals > 0 || p.id === 'mean-reversion')).toBe(true);
    expect(summary.orders).toBe(0);
    expect(rig.journal.intents(rig.runId)).toEqual([]);
  });

  it('journals the positions of every cycle in which fills changed them, equal to the fills so far', async () => {
    const rig = await engineRig({ plugins: await realPlugins() });
    await rig.engine.run();
    const fills = rig.journal.fills(rig.runId);
    expect(fills.length).toBeGreaterThan(10);
    // A fill at a bar's open is seen by the first cycle at or after it (the cycle of that bar).
    const cycles = rig.journal.cycles(rig.runId);
    const cycleOf = (time: number): number | undefined => cycles.find((c) => c.time >= time)?.cycle;
    const held = new Map<string, number>();
    let checked = 0;
    for (const time of [...new Set(fills.map((f) => f.time))].sort((a, b) => a - b)) {
      for (const f of fills.filter((x) => x.time === time)) held.set(f.symbol, (held.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.quantity : -f.quantity));
      const cycle = cycleOf(time);
      if (cycle === undefined) continue;
      const recorded = new Map(rig.journal.positions(rig.runId, cycle).map((p) => [p.symbol, p.quantity]));
      for (const [symbol, quantity] of held) expect(recorded.get(symbol) ?? 0, `${symbol} at cycle ${cycle}`).toBeCloseTo(quantity, 6);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('reports where each cycle spent its latency: phases that add up to the journaled latency, also as a metric', async () => {
    const phases: { cycle: number; sum: number; commit: number }[] = [];
    const rig = await engineRig({
      plugins: await realPlugins(),
      settings: { mode: 'paper' },
      afterCycle: (c) => {
        const values = Object.values(c.phasesMs);
        expect(values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
        phases.push({ cycle: c.cycle, sum: values.reduce((a, b) => a + b, 0), commit: c.phasesMs.commit });
      },
    });
    await rig.engine.run();
    const latency = new Map(rig.journal.cycles(rig.runId).map((c) => [c.cycle, c.latencyMs]));
    expect(phases.length).toBe(latency.size);
    // The phases partition the latency (same clock readings): equal up to floating-point rounding.
    for (const p of phases) expect(p.sum, `cycle ${p.cycle}`).toBeCloseTo(latency.get(p.cycle)!, 6);
    // Cycles that traded made a durable commit before submitting.
    expect(phases.some((p) => p.commit > 0)).toBe(true);
    const metric = await rig.metrics.cyclePhase.get();
    const counts = metric.values.filter((v) => v.metricName?.endsWith('_count'));
    expect(counts.map((v) => v.labels.phase).sort()).toEqual(['commit', 'decide', 'evaluate', 'market', 'signals', 'submit']);
    expect(counts.every((v) => v.value === phases.length)).toBe(true);
  });

  it('monitor mode (allowSubmit false) journals intents and sends nothing', async () => {
    const rig = await engineRig({ plugins: await realPlugins(), settings: { allowSubmit: false } });
    const summary = await rig.engine.run();
    expect(rig.journal.intents(rig.runId).length).toBeGreaterThan(0);
    expect(summary.orders).toBe(0);
    expect(await rig.broker.openOrders()).toEqual([]);
    expect(summary.account.pnl).toBe(0);
  });

  it('every intent has a decision from every guard it reached, and rejected intents are never submitted', async () => {
    const rig = await engineRig({
      plugins: await realPlugins(),
      guards: [{ name: 'kill-switch' }, { name: 'max-order-size', maxNotional: 20_000 }, { name: 'position-limit', maxPositionNotional: 60_000 }],
    });
    const summary = await rig.engine.run();
    const decisions = rig.journal.riskDecisions(rig.runId);
    expect(decisions.some((d) => d.guard === 'max-order-size' && d.result === 'clip')).toBe(true);
    const submitted = new Set(rig.journal.orders(rig.runId).map((o) => o.clientOrderId));
    for (const d of decisions.filter((x) => x.result === 'reject')) expect(submitted.has(d.clientOrderId)).toBe(false);
    for (const o of rig.journal.orders(rig.runId)) {
      const intent = rig.journal.intents(rig.runId).find((i) => i.clientOrderId === o.clientOrderId)!;
      expect(o.quantity * intent.referencePrice).toBeLessThanOrEqual(20_000 + 1e-6);
    }
    expect(summary.rejectedByRisk).toBe(new Set(decisions.filter((d) => d.result === 'reject').map((d) => d.clientOrderId)).size);
  });

  it('FLATTEN_ALL at start sends no risk-increasing order', async () => {
    const rig = await engineRig({ plugins: await realPlugins(), settings: { initialTier: 'FLATTEN_ALL' } });
    const summary = await rig.engine.run();
    expect(summary.orders).toBe(0);
    expect(await rig.broker.positions()).toEqual([]);
  });

  it('a plugin that throws is quarantined with plugin id and hook, and the others go on', async () => {
    const plugins = await realPlugins();
    const tsmom = plugins.find((p) => p.id === 'tsmom')!;
    let calls = 0;
    const faulty = {
      ...tsmom,
      definition: {
        ...tsmom.definition,
        evaluate: (ctx: never, p: never, s: never) => {
          calls += 1;
          if (calls > 40) throw new Error('boom');
          return tsmom.definition.evaluate(ctx, p, s);
        },
      },
    };
    const rig = await engineRig({ plugins: plugins.map((p) => (p.id === 'tsmom' ? faulty : p)) });
    const summary = await rig.engine.run();
    const faults = rig.journal.faults(rig.runId);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ strategyId: 'tsmom', hook: 'evaluate', code: 'SH_ERR_PLUGIN_FAULTED' });
    expect(String(faults[0]!.message)).toContain('boom');
    expect(summary.plugins.find((p) => p.id === 'tsmom')!.fault).toContain('boom');
    expect(summary.plugins.find((p) => p.id === 'gold-silver-ratio')!.fault).toBeUndefined();
    expect(calls).toBe(41);
  });
});

describe('close leg (Signal.closeWeight)', () => {
  it('overnight-gold buys market-on-close and sells at the next open: both legs reach the broker', async () => {
    const { loadPlugins } = await import('../../host/plugins/loader.js');
    const plugins = await loadPlugins({ dirs: [], paths: ['plugins/overnight-gold/index.ts'], settings: {}, defaultMode: 'live' });
    const rig = await engineRig({ plugins, from: '2018-01-01', to: '2018-12-31' });
    const summary = await rig.engine.run();
    const intents = rig.journal.intents(rig.runId);
    const moc = intents.filter((i) => i.type === 'market-on-close');
    const open = intents.filter((i) => i.type === 'market');
    expect(moc.length).toBeGreaterThan(10);
    expect(moc.every((i) => i.side === 'buy')).toBe(true);
    expect(open.filter((i) => i.side === 'sell').length).toBeGreaterThan(10);
    expect(summary.fills).toBeGreaterThan(20);
    expect(summary.plugins[0]!.trades).toBeGreaterThan(20);
  });
});
