import {
  allocate,
  barId,
  buildIntents,
  clientOrderId,
  isSimulatedBroker,
  netTargets,
  OverrunCounter,
  PositionBook,
  tierRank,
  VirtualBook,
  type AllocatorConfig,
  type BrokerAdapter,
  type CostModel,
  type EvaluationResult,
  type ExecutionEvent,
  type Instrument,
  type Journal,
  type KillTier,
  type OrderIntent,
  type PluginFault,
  type PluginMode,
  type RiskChain,
  type SeriesStore,
  type Signal,
  type StateSnapshot,
} from '../../core/index.js';

import type { Executor } from '../executor/executor.js';
import type { HostMetrics } from '../metrics.js';
import type { LoadedPlugin } from '../plugins/loader.js';
import { buildMarketClock, type MarketClock } from './market-clock.js';
import { summariseRun, type RunSummary } from './summary.js';

export interface EngineSettings {
  readonly runId: string;
  readonly mode: 'backtest' | 'paper';
  readonly from: number;
  readonly to: number;
  readonly capital: number;
  readonly allocator: AllocatorConfig;
  readonly costs: CostModel;
  readonly minTradeNotional: number;
  readonly faultPolicy: 'hold' | 'flatten';
  readonly stateSnapshotEvery: number;
  readonly progressEvery: number;
  readonly replayDelayMs: number;
  readonly allowSubmit: boolean;
  readonly initialTier: KillTier;
}

export interface EngineDeps {
  readonly settings: EngineSettings;
  readonly store: SeriesStore;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly plugins: readonly LoadedPlugin[];
  readonly executor: Executor;
  readonly broker: BrokerAdapter;
  readonly journal: Journal;
  readonly metrics: HostMetrics;
  readonly risk: RiskChain;
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** Resume plugin states (restart); absent plugins start from init(). */
  readonly resumeStates?: ReadonlyMap<string, unknown>;
}

interface PluginRuntime {
  readonly plugin: LoadedPlugin;
  mode: PluginMode;
  state: unknown;
  signals: readonly Signal[];
  weights: Map<string, number>;
  signalChanges: number;
  fault?: PluginFault;
  readonly book: VirtualBook;
  readonly overruns: OverrunCounter;
}

/**
 * The decision cycle of DESIGN.md §4: bars in -> broker simulator advances (fills at the open) -> virtual books ->
 * plugin signals (evaluated per cycle on the executor, or for a backtest precomputed per plugin over the whole
 * history in one task) -> allocator -> net targets -> intents -> risk chain -> journal (intent committed) -> broker.
 */
export class Engine {
  private readonly runtimes: PluginRuntime[];
  /** Positions from the fills this host received (the broker stays the truth; reconciliation compares them). */
  private readonly book = new PositionBook();
  private readonly working = new Map<string, { symbol: string; signedRemaining: number }>();
  private readonly equityCurve: number[] = [];
  private tier: KillTier;
  private cycle = 0;
  private orders = 0;
  private fills = 0;
  private rejectedByRisk = 0;
  private readonly unsubscribe: () => void;
  private lastClose = new Map<string, number>();

  constructor(private readonly deps: EngineDeps) {
    const enabled = deps.plugins.filter((p) => p.mode !== 'disabled');
    const virtualCapital = deps.settings.capital / Math.max(1, enabled.length);
    const lot = (s: string): number => deps.instruments.get(s)?.lotSize ?? 1;
    this.runtimes = enabled.map((plugin) => ({
      plugin,
      mode: plugin.mode,
      state: deps.resumeStates?.has(plugin.id) ? deps.resumeStates.get(plugin.id) : plugin.definition.init(plugin.params as never),
      signals: [],
      weights: new Map(),
      signalChanges: 0,
      book: new VirtualBook(plugin.id, virtualCapital, deps.settings.costs, lot, deps.settings.minTradeNotional),
      overruns: new OverrunCounter(),
    }));
    this.tier = deps.settings.initialTier;
    deps.metrics.killSwitchTier.set(tierRank(this.tier));
    for (const mode of ['disabled', 'shadow', 'canary', 'live'] as const) deps.metrics.pluginsByMode.set({ mode }, deps.plugins.filter((p) => p.mode === mode).length);
    this.unsubscribe = deps.broker.onExecution((event) => this.onExecution(event));
  }

  /** Symbols traded by enabled plugins. */
  tradedSymbols(): string[] {
    const set = new Set<string>();
    for (const r of this.runtimes) for (const s of r.plugin.prepared.universe) set.add(s);
    return [...set].sort();
  }

  async run(): Promise<RunSummary> {
    const { settings, log } = this.deps;
    const clock = buildMarketClock(this.deps.store, this.tradedSymbols(), settings.from, settings.to);
    const total = clock.times.length;
    log(`run ${settings.runId}: ${settings.mode}, ${this.runtimes.length} plugins (${this.runtimes.map((r) => `${r.plugin.id}:${r.mode}`).join(', ')}), ${total} cycles, executor ${this.deps.executor.kind}`);
    const started = performance.now();
    try {
      if (settings.mode === 'backtest') await this.runBacktest(clock);
      else await this.runPaper(clock);
    } finally {
      this.unsubscribe();
    }
    this.saveStates(true);
    const account = await this.deps.broker.account();
    return summariseRun({
      runId: settings.runId,
      mode: settings.mode,
      cycles: total,
      wallSeconds: (performance.now() - started) / 1000,
      accountEquity: this.equityCurve,
      initialCapital: settings.capital,
      finalEquity: account.equity,
      orders: this.orders,
      fills: this.fills,
      rejectedByRisk: this.rejectedByRisk,
      plugins: this.runtimes.map((r) => ({ id: r.plugin.id, mode: r.mode, signals: r.signalChanges, trades: r.book.trades(), equity: r.book.curve(), capital: r.book.initialCapital, fault: r.fault?.message })),
    });
  }

  /** Backtest: every plugin over its whole history in one task each (in parallel), then the cycles replay. */
  private async runBacktest(clock: MarketClock): Promise<void> {
    const active = this.runtimes;
    const histories = await this.deps.executor.evaluateHistory(clock.times, active.map((r) => ({ id: r.plugin.id, state: r.state })));
    const byId = new Map(histories.map((h) => [h.strategyId, h]));
    for (let i = 0; i < clock.times.length; i++) {
      const results = new Map<string, EvaluationResult>();
      for (const r of active) {
        const h = byId.get(r.plugin.id)!;
        if (r.fault) continue;
        if (h.fault && i === h.evaluations - 1) {
          results.set(r.plugin.id, { ok: false, strategyId: r.plugin.id, fault: h.fault, durationMs: 0 });
        } else if (i < h.evaluations) {
          results.set(r.plugin.id, { ok: true, strategyId: r.plugin.id, signals: h.signals[i]!, state: i === clock.times.length - 1 ? h.finalState : r.state, durationMs: 0, overBudget: false });
        }
      }
      await this.cycleStep(clock, i, results, performance.now());
    }
    for (const r of active) {
      const h = byId.get(r.plugin.id)!;
      r.state = h.finalState;
      this.deps.metrics.pluginEvaluation.observe({ strategy_id: r.plugin.id }, h.durationMs / 1000 / Math.max(1, h.evaluations));
    }
  }

  /** Paper trading on a replayed clock: one fan-out of the active plugins per cycle. */
  private async runPaper(clock: MarketClock): Promise<void> {
    for (let i = 0; i < clock.times.length; i++) {
      const eventIn = performance.now();
      const active = this.runtimes.filter((r) => !r.fault);
      const now = clock.times[i] as number;
      const raw = await this.deps.executor.evaluateCycle(now, active.map((r) => ({ id: r.plugin.id, state: r.state })));
      const results = raw.map((res, k) => active[k]!.overruns.check(active[k]!.plugin.prepared, res, now));
      for (const res of results) this.deps.metrics.pluginEvaluation.observe({ strategy_id: res.strategyId }, res.durationMs / 1000);
      await this.cycleStep(clock, i, new Map(results.map((r) => [r.strategyId, r])), eventIn);
      if (this.deps.settings.replayDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.deps.settings.replayDelayMs));
    }
  }

  private async cycleStep(clock: MarketClock, i: number, results: ReadonlyMap<string, EvaluationResult>, eventIn: number): Promise<void> {
    const { journal, metrics, settings, broker, store, instruments } = this.deps;
    const time = clock.times[i] as number;
    this.cycle = i + 1;
    const bars = clock.barsAt(i);
    // 1. The market moves: day orders left from the last cycle expire, the simulator fills at this bar's open.
    if (isSimulatedBroker(broker)) broker.advance(bars);
    for (const id of [...this.working.keys()]) await broker.cancel(id);
    for (const bar of bars) this.lastClose.set(bar.symbol, bar.close);
    const bookBars = new Map(bars.map((b) => [b.symbol, { open: b.open, close: b.close }]));
    for (const r of this.runtimes) r.book.onBars(bookBars);
    // 2. Signals: record changes, quarantine faults.
    const recorded: { strategyId: string; time: number; symbol: string; weight: number; confidence: number; reason: string }[] = [];
    for (const r of this.runtimes) {
      const result = results.get(r.plugin.id);
      if (!result || r.fault) continue;
      if (!result.ok) {
        this.quarantine(r, result.fault);
        continue;
      }
      r.state = result.state;
      r.signals = result.signals;
      const next = new Map(result.signals.filter((s) => s.weight !== 0).map((s) => [s.symbol, s.weight]));
      for (const symbol of new Set([...next.keys(), ...r.weights.keys()])) {
        if ((next.get(symbol) ?? 0) !== (r.weights.get(symbol) ?? 0)) {
          const s = result.signals.find((x) => x.symbol === symbol);
          recorded.push({ strategyId: r.plugin.id, time, symbol, weight: next.get(symbol) ?? 0, confidence: s?.confidence ?? 0, reason: s?.reason ?? 'no longer targeted' });
          r.signalChanges += 1;
          metrics.signals.inc({ strategy_id: r.plugin.id });
        }
      }
      r.weights = next;
      r.book.setTargets(next);
    }
    if (recorded.length > 0) journal.recordSignals(settings.runId, this.cycle, recorded);
    // 3. Allocate, net, build intents.
    const budgets = allocate(
      this.runtimes.map((r) => ({ strategyId: r.plugin.id, mode: r.fault ? 'disabled' : r.mode, returns: r.book.recentReturns(settings.allocator.volatilityLookback) })),
      settings.allocator,
    );
    const price = (symbol: string): number => this.lastClose.get(symbol) ?? store.window(barId(symbol), time, 1).last('close');
    const signalMap = new Map(this.runtimes.map((r) => [r.plugin.id, this.effectiveSignals(r)]));
    const targets = this.tier === 'FLATTEN_ALL' ? new Map() : netTargets(budgets, signalMap, price, (s) => instruments.get(s));
    const intents = buildIntents(
      targets,
      (s) => this.book.position(s).quantity,
      () => 0,
      this.book.positions().map((p) => p.symbol),
      price,
      (s) => instruments.get(s),
      { runId: settings.runId, cycle: this.cycle, time, minTradeNotional: settings.minTradeNotional, clientOrderId: (symbol, sequence) => clientOrderId({ runId: settings.runId, cycle: this.cycle, symbol, sequence }) },
    );
    metrics.intents.inc(intents.length);
    // 4. Risk chain over the basket; each decision journaled and counted.
    const equity = (await broker.account()).equity;
    const outcomes = this.deps.risk.checkBasket(intents, {
      time,
      tier: this.tier,
      equity,
      position: (s) => this.book.position(s).quantity,
      price,
      instrument: (s) => instruments.get(s),
    });
    const approved: OrderIntent[] = [];
    for (const outcome of outcomes) {
      for (const d of outcome.decisions) {
        journal.recordRiskDecision(settings.runId, d);
        metrics.riskDecisions.inc({ guard: d.guard, result: d.result });
      }
      if (outcome.intent) approved.push(outcome.intent);
      else this.rejectedByRisk += 1;
    }
    // 5. Journal each intent (committed) before the broker sees it; then submit unless in monitor mode.
    for (const intent of approved) {
      journal.recordIntent(intent);
      if (!settings.allowSubmit) continue;
      const order = await broker.submit({ clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, quantity: intent.quantity, type: intent.type, timeInForce: intent.timeInForce, time });
      this.orders += 1;
      journal.recordOrder(settings.runId, { ...order, routedTo: broker.id, executedBy: broker.id });
    }
    const latencyMs = performance.now() - eventIn;
    metrics.cycleLatency.observe(latencyMs / 1000);
    metrics.cycles.inc();
    const accountEquity = (await broker.account()).equity;
    this.equityCurve.push(accountEquity);
    metrics.equity.set({ broker: broker.id }, accountEquity);
    const executor = this.deps.executor;
    metrics.poolQueue.set(executor.stats().queueSize);
    if ('workerTimings' in executor) for (const ms of (executor as { workerTimings: number[] }).workerTimings.splice(0)) metrics.poolTask.observe(ms / 1000);
    journal.recordCycle({ runId: settings.runId, cycle: this.cycle, time, latencyMs, intents: approved.length, equity: accountEquity });
    if (approved.length > 0) journal.recordPositions(settings.runId, this.cycle, time, this.book.positions());
    if (settings.mode === 'paper' && settings.stateSnapshotEvery > 0 && this.cycle % settings.stateSnapshotEvery === 0) this.saveStates(false);
    if (settings.progressEvery > 0 && (this.cycle % settings.progressEvery === 0 || i === 0)) {
      this.deps.log(`cycle ${this.cycle}/${clock.times.length} ${new Date(time).toISOString().slice(0, 10)} equity ${accountEquity.toFixed(0)} orders ${this.orders} fills ${this.fills}`);
    }
  }

  /** Signals that count for netting: a faulted plugin's per policy (flatten: none; hold: its last ones). */
  private effectiveSignals(r: PluginRuntime): readonly Signal[] {
    if (r.fault) return this.deps.settings.faultPolicy === 'hold' ? r.signals : [];
    return r.signals;
  }

  private quarantine(r: PluginRuntime, fault: PluginFault): void {
    r.fault = fault;
    this.deps.journal.recordFault(this.deps.settings.runId, fault);
    this.deps.metrics.faults.inc({ strategy_id: fault.strategyId, hook: fault.hook });
    this.deps.log(`plugin ${fault.strategyId} faulted in ${fault.hook} (${fault.code}): ${fault.message}; quarantined, positions: ${this.deps.settings.faultPolicy}`);
    if (this.deps.settings.faultPolicy === 'flatten') r.book.setTargets(new Map());
  }

  private onExecution(event: ExecutionEvent): void {
    const { journal, metrics, settings } = this.deps;
    const order = { ...event.order, routedTo: this.deps.broker.id, executedBy: this.deps.broker.id };
    journal.recordOrder(settings.runId, order);
    metrics.orders.inc({ broker: this.deps.broker.id, status: order.status });
    if (event.type === 'accepted') {
      this.working.set(order.clientOrderId, { symbol: order.symbol, signedRemaining: (order.side === 'buy' ? 1 : -1) * (order.quantity - order.filledQuantity) });
    } else if (event.type === 'fill') {
      this.book.applyFill(event.fill, this.deps.instruments.get(event.fill.symbol)?.multiplier ?? 1);
      this.fills += 1;
      journal.recordFill(settings.runId, event.fill);
      metrics.fills.inc({ broker: this.deps.broker.id });
      if (order.status === 'FILLED') this.working.delete(order.clientOrderId);
    } else {
      this.working.delete(order.clientOrderId);
    }
  }

  private saveStates(final: boolean): void {
    const time = Date.now();
    const snapshots: StateSnapshot[] = this.runtimes.map((r) => ({ strategyId: r.plugin.id, cycle: this.cycle, time, state: r.state }));
    if (snapshots.length > 0 && (final || this.cycle > 0)) this.deps.journal.savePluginStates(this.deps.settings.runId, snapshots);
  }
}
