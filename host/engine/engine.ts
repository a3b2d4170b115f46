import {
  adoptIntoSnapshot,
  allocate,
  barId,
  isSimulatedBroker,
  isStale,
  PositionBook,
  tierRank,
  VirtualBook,
  type AllocatorConfig,
  type BrokerAdapter,
  type CostModel,
  type DataDependency,
  type EvaluationResult,
  type ExecutionEvent,
  type Instrument,
  type Journal,
  type KillTier,
  type PluginFault,
  type Order,
  type OrderIntent,
  type PluginMode,
  type Position,
  type RecordedSignal,
  type RiskChain,
  type RoutingTable,
  type SeriesStore,
  type StateSnapshot,
} from '../../core/index.js';
import type { Executor } from '../executor/executor.js';
import type { KillSwitchController } from '../kill-switch/controller.js';
import type { HostMetrics } from '../metrics.js';
import type { LoadedPlugin } from '../plugins/loader.js';
import { buildMarketClock, type MarketClock } from './market-clock.js';
import { placeOrders } from './order-flow.js';
import { OrderSubmitter } from './order-submitter.js';
import { acceptSignals, effectiveSignals, endedInput, makeRuntime, type PluginRuntime } from './plugin-runtime.js';
import { RiskState } from './risk-state.js';
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
  /** Tier when no kill-switch controller is given (tests); with one, the controller's tier rules. */
  readonly initialTier: KillTier;
}

/** Something that looks at the cycle's outcome and may escalate the kill switch (the automatic breakers). */
export type CycleObserver = (cycle: CycleOutcome) => void;

export interface CycleOutcome {
  readonly cycle: number;
  readonly time: number;
  readonly tier: KillTier;
  readonly equity: number;
  readonly dayStartEquity: number;
  readonly peakEquity: number;
  readonly faultedPlugins: number;
  readonly enabledPlugins: number;
  readonly riskState: RiskState;
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
  /** The kill switch: polled at the start of every cycle (flag file, requests from the CLI and HTTP). */
  readonly killSwitch?: KillSwitchController;
  /** Called after every cycle (breakers, drills). */
  readonly afterCycle?: CycleObserver;
  /** The stale-data rule (default: the stale-data guard's defaults); also decides when a backtest input has ended. */
  readonly isStale?: (dependency: DataDependency, now: number) => boolean;
  /** Every broker by id (default: just `broker`), and how symbols are routed to them (default: all to `broker`). */
  readonly brokers?: ReadonlyMap<string, BrokerAdapter>;
  readonly routing?: RoutingTable;
  /** Brokers whose connect failed at start: down until they answer a health check. */
  readonly brokersDown?: readonly string[];
  /** A submission without an answer within this many ms is UNKNOWN (default 5000). */
  readonly submitTimeoutMs?: number;
  /** Called before every cycle of a paper run, between cycles (reconciliation passes run here, never mid-cycle). */
  readonly beforeCycle?: (cycle: number) => Promise<void>;
  /** Resuming a run after a crash: skip decision times up to `afterTime`, start from the broker's positions. */
  readonly resume?: { readonly afterTime: number; readonly positions: readonly Position[]; readonly journaledIntents: Set<string> };
}

/**
 * The decision cycle of DESIGN.md §4: bars in -> kill switch polled -> broker simulator advances (fills at the open)
 * -> virtual books -> plugin signals (evaluated per cycle on the executor, or for a backtest precomputed per plugin
 * over the whole history in one task) -> allocator -> net targets -> intents -> risk chain -> journal -> broker.
 */
export class Engine {
  private readonly runtimes: PluginRuntime[];
  /** Positions from the fills this host received (the broker stays the truth; reconciliation compares them). */
  private readonly book = new PositionBook();
  /** Working orders by client order id, with the broker that holds them and the order as last seen. */
  private readonly working = new Map<string, string>();
  private readonly workingOrders = new Map<string, Order>();
  private readonly brokers: ReadonlyMap<string, BrokerAdapter>;
  private readonly submitter: OrderSubmitter;
  private readonly equityCurve: number[] = [];
  private readonly riskState: RiskState;
  private tier: KillTier;
  private cycle = 0;
  private fills = 0;
  private rejectedByRisk = 0;
  private readonly unsubscribe: (() => void)[];
  private readonly lastClose = new Map<string, number>();
  /** The decision time of the current (or last) cycle. */
  private lastTime = 0;

  constructor(private readonly deps: EngineDeps) {
    const enabled = deps.plugins.filter((p) => p.mode !== 'disabled');
    const virtualCapital = deps.settings.capital / Math.max(1, enabled.length);
    const lot = (s: string): number => deps.instruments.get(s)?.lotSize ?? 1;
    this.runtimes = enabled.map((plugin) =>
      makeRuntime(
        plugin,
        deps.resumeStates?.has(plugin.id) ? deps.resumeStates.get(plugin.id) : plugin.definition.init(plugin.params as never),
        new VirtualBook(plugin.id, virtualCapital, deps.settings.costs, lot, deps.settings.minTradeNotional),
        deps.store,
      ),
    );
    this.riskState = new RiskState(deps.store, deps.instruments);
    this.updateDependencies();
    this.tier = deps.killSwitch ? deps.killSwitch.poll() : deps.settings.initialTier;
    deps.metrics.killSwitchTier.set(tierRank(this.tier));
    for (const mode of ['disabled', 'shadow', 'canary', 'live'] as const) deps.metrics.pluginsByMode.set({ mode }, deps.plugins.filter((p) => p.mode === mode).length);
    this.brokers = deps.brokers ?? new Map([[deps.broker.id, deps.broker]]);
    this.submitter = new OrderSubmitter(
      deps.settings.runId,
      this.brokers,
      deps.routing ?? { defaultBroker: deps.broker.id, rules: [], allowFallback: false },
      deps.journal,
      deps.metrics,
      deps.log,
      deps.submitTimeoutMs,
    );
    for (const id of deps.brokersDown ?? []) this.submitter.markDown(id, 'connect failed at start');
    for (const p of deps.resume?.positions ?? []) {
      if (p.quantity !== 0) this.book.applyFill({ symbol: p.symbol, side: p.quantity > 0 ? 'buy' : 'sell', quantity: Math.abs(p.quantity), price: p.averagePrice, commission: 0 }, deps.instruments.get(p.symbol)?.multiplier ?? 1);
    }
    this.unsubscribe = [...this.brokers.values()].map((b) => b.onExecution((event) => this.onExecution(b.id, event)));
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
    log(`run ${settings.runId}: ${settings.mode}, ${this.runtimes.length} plugins (${this.runtimes.map((r) => `${r.plugin.id}:${r.mode}`).join(', ')}), ${total} cycles, executor ${this.deps.executor.kind}, kill switch ${this.tier}`);
    const started = performance.now();
    try {
      if (settings.mode === 'backtest') await this.runBacktest(clock);
      else await this.runPaper(clock);
    } finally {
      for (const off of this.unsubscribe) off();
    }
    this.saveStates();
    const finalEquity = await this.accountEquity();
    return summariseRun({
      runId: settings.runId,
      mode: settings.mode,
      cycles: total,
      wallSeconds: (performance.now() - started) / 1000,
      accountEquity: this.equityCurve,
      initialCapital: settings.capital,
      finalEquity,
      orders: this.submitter.submitted,
      fills: this.fills,
      rejectedByRisk: this.rejectedByRisk,
      tier: this.tier,
      plugins: this.runtimes.map((r) => ({ id: r.plugin.id, mode: r.mode, signals: r.signalChanges, trades: r.book.trades(), equity: r.book.curve(), capital: r.book.initialCapital, fault: r.fault?.message, ended: r.ended })),
    });
  }

  /** Backtest: every plugin over its whole history in one task each (in parallel), then the cycles replay. */
  private async runBacktest(clock: MarketClock): Promise<void> {
    const histories = await this.deps.executor.evaluateHistory(clock.times, this.runtimes.map((r) => ({ id: r.plugin.id, state: r.state })));
    const byId = new Map(histories.map((h) => [h.strategyId, h]));
    const last = clock.times.length - 1;
    for (let i = 0; i < clock.times.length; i++) {
      const results = new Map<string, EvaluationResult>();
      for (const r of this.runtimes) {
        const h = byId.get(r.plugin.id)!;
        if (h.fault && i === h.evaluations - 1) results.set(r.plugin.id, { ok: false, strategyId: r.plugin.id, fault: h.fault, durationMs: 0 });
        else if (i < h.evaluations) results.set(r.plugin.id, { ok: true, strategyId: r.plugin.id, signals: h.signals[i]!, state: i === last ? h.finalState : r.state, durationMs: 0, overBudget: false });
      }
      await this.cycleStep(clock, i, results, performance.now());
    }
    for (const r of this.runtimes) {
      const h = byId.get(r.plugin.id)!;
      r.state = h.finalState;
      this.deps.metrics.pluginEvaluation.observe({ strategy_id: r.plugin.id }, h.durationMs / 1000 / Math.max(1, h.evaluations));
    }
  }

  /** Paper trading on a replayed clock: one fan-out of the active plugins per cycle. */
  private async runPaper(clock: MarketClock): Promise<void> {
    const resumeAfter = this.deps.resume?.afterTime ?? Number.NEGATIVE_INFINITY;
    for (let i = 0; i < clock.times.length; i++) {
      const eventIn = performance.now();
      const now = clock.times[i] as number;
      if (now <= resumeAfter) continue;
      await this.deps.beforeCycle?.(i + 1);
      const active = this.runtimes.filter((r) => !r.fault && !r.ended);
      const raw = await this.deps.executor.evaluateCycle(now, active.map((r) => ({ id: r.plugin.id, state: r.state })));
      const results = raw.map((res, k) => active[k]!.overruns.check(active[k]!.plugin.prepared, res, now));
      for (const res of results) this.deps.metrics.pluginEvaluation.observe({ strategy_id: res.strategyId }, res.durationMs / 1000);
      await this.cycleStep(clock, i, new Map(results.map((r) => [r.strategyId, r])), eventIn);
      if (this.deps.settings.replayDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.deps.settings.replayDelayMs));
    }
  }

  /**
   * One cycle with the journal holding back what a crash may lose (fills, order updates, signals, snapshots): the
   * cycle commits once before the broker sees its orders (held records, risk decisions and intents together) and
   * once at its end, instead of once per record.
   */
  private async cycleStep(clock: MarketClock, i: number, results: ReadonlyMap<string, EvaluationResult>, eventIn: number): Promise<void> {
    this.deps.journal.hold();
    try {
      await this.cycleWork(clock, i, results, eventIn);
    } finally {
      this.deps.journal.release();
    }
  }

  private async cycleWork(clock: MarketClock, i: number, results: ReadonlyMap<string, EvaluationResult>, eventIn: number): Promise<void> {
    const { journal, metrics, settings, store, instruments } = this.deps;
    const time = clock.times[i] as number;
    this.cycle = i + 1;
    this.lastTime = time;
    const bars = clock.barsAt(i);
    // 1. The kill switch first: a flag file or an operator's request takes effect from this cycle on.
    this.pollKillSwitch();
    // 2. The market moves: the simulator fills last cycle's orders at this bar; what is left expires (day orders).
    for (const broker of this.brokers.values()) if (isSimulatedBroker(broker) && this.submitter.isUp(broker.id)) await broker.advance(bars);
    this.adopt([], await this.submitter.resolve());
    for (const [id, brokerId] of [...this.working]) if (this.submitter.isUp(brokerId)) await this.brokers.get(brokerId)!.cancel(id);
    for (const bar of bars) this.lastClose.set(bar.symbol, bar.close);
    const bookBars = new Map(bars.map((b) => [b.symbol, { open: b.open, close: b.close }]));
    for (const r of this.runtimes) r.book.onBars(bookBars);
    const equity = await this.accountEquity();
    this.riskState.markEquity(time, equity);
    // 3. Signals: quarantine faults, stop plugins whose inputs ended, record changes of target.
    const recorded: RecordedSignal[] = [];
    for (const r of this.runtimes) {
      if (r.fault || r.ended) continue;
      const ended = endedInput(r, time, this.deps.isStale ?? ((d, now) => isStale(d, now)));
      if (ended) {
        this.stop(r, ended, time);
        continue;
      }
      const result = results.get(r.plugin.id);
      if (!result) continue;
      if (!result.ok) {
        this.quarantine(r, result.fault);
        continue;
      }
      for (const change of acceptSignals(r, result.signals, result.state, time)) {
        recorded.push(change);
        metrics.signals.inc({ strategy_id: r.plugin.id });
      }
    }
    if (recorded.length > 0) journal.recordSignals(settings.runId, this.cycle, recorded);
    // 4. Allocate budgets, net, check the basket, journal, submit.
    const modes = new Map(this.runtimes.map((r) => [r.plugin.id, (r.fault || r.ended ? 'disabled' : r.mode) as PluginMode]));
    const budgets = allocate(this.runtimes.map((r) => ({ strategyId: r.plugin.id, mode: modes.get(r.plugin.id)!, returns: r.book.recentReturns(settings.allocator.volatilityLookback) })), settings.allocator);
    const signals = new Map(this.runtimes.map((r) => [r.plugin.id, effectiveSignals(r, settings.faultPolicy)]));
    const targetNotional = new Map([...signals].map(([id, list]) => [id, new Map(list.map((s) => [s.symbol, (budgets.get(id) ?? 0) * s.weight]))]));
    const price = (symbol: string): number => this.lastClose.get(symbol) ?? store.window(barId(symbol), time, 1).last('close');
    const flow = await placeOrders(
      {
        runId: settings.runId,
        cycle: this.cycle,
        time,
        flattenAll: this.tier === 'FLATTEN_ALL',
        budgets,
        signals,
        position: (s) => this.book.position(s).quantity,
        held: this.book.positions().map((p) => p.symbol),
        price,
        instruments,
        minTradeNotional: settings.minTradeNotional,
        allowSubmit: settings.allowSubmit,
        view: this.riskState.view({ time, tier: this.tier, equity, book: this.book, price, modes, targetNotional }),
        blocked: this.submitter.blockedSymbols(),
      },
      { risk: this.deps.risk, riskState: this.riskState, journal, submit: (intent) => this.submitter.submit(intent), metrics, ...(this.deps.resume ? { journaled: this.deps.resume.journaledIntents } : {}) },
    );
    this.rejectedByRisk += flow.rejected;
    // 5. Book-keeping: latency, equity, journal, metrics, state snapshots, progress.
    const latencyMs = performance.now() - eventIn;
    metrics.cycleLatency.observe(latencyMs / 1000);
    metrics.cycles.inc();
    const accountEquity = await this.accountEquity();
    this.equityCurve.push(accountEquity);
    const executor = this.deps.executor;
    metrics.poolQueue.set(executor.stats().queueSize);
    if ('workerTimings' in executor) for (const ms of (executor as { workerTimings: number[] }).workerTimings.splice(0)) metrics.poolTask.observe(ms / 1000);
    // One commit: the state snapshot, the cycle and its positions (a cycle on record always has its snapshot).
    journal.batch(() => {
      if (settings.mode === 'paper' && settings.stateSnapshotEvery > 0 && this.cycle % settings.stateSnapshotEvery === 0) this.saveStates();
      journal.recordCycle({ runId: settings.runId, cycle: this.cycle, time, latencyMs, intents: flow.approved.length, equity: accountEquity });
      if (flow.approved.length > 0) journal.recordPositions(settings.runId, this.cycle, time, this.book.positions());
    });
    if (settings.progressEvery > 0 && (this.cycle % settings.progressEvery === 0 || i === 0)) {
      this.deps.log(`cycle ${this.cycle}/${clock.times.length} ${new Date(time).toISOString().slice(0, 10)} equity ${accountEquity.toFixed(0)} orders ${this.submitter.submitted} fills ${this.fills} tier ${this.tier}`);
    }
    this.deps.afterCycle?.({
      cycle: this.cycle,
      time,
      tier: this.tier,
      equity: accountEquity,
      dayStartEquity: this.riskState.dayStartEquity,
      peakEquity: this.riskState.peakEquity,
      faultedPlugins: this.runtimes.filter((r) => r.fault).length,
      enabledPlugins: this.runtimes.length,
      riskState: this.riskState,
    });
  }

  private pollKillSwitch(): void {
    if (!this.deps.killSwitch) return;
    const tier = this.deps.killSwitch.poll();
    if (tier !== this.tier) {
      this.deps.log(`kill switch: ${this.tier} -> ${tier} at cycle ${this.cycle}`);
      this.tier = tier;
    }
    this.deps.metrics.killSwitchTier.set(tierRank(this.tier));
  }

  /** Instruments depend on the series of the live and canary plugins still trading. */
  private updateDependencies(): void {
    const trading = this.runtimes.filter((r) => (r.mode === 'live' || r.mode === 'canary') && !r.fault && !r.ended);
    this.riskState.setPlugins(trading.map((r) => ({ trades: r.plugin.prepared.universe, reads: r.plugin.prepared.needs.series ?? [] })));
  }

  private quarantine(r: PluginRuntime, fault: PluginFault): void {
    r.fault = fault;
    this.updateDependencies();
    this.deps.journal.recordFault(this.deps.settings.runId, fault);
    this.deps.metrics.faults.inc({ strategy_id: fault.strategyId, hook: fault.hook });
    this.deps.log(`plugin ${fault.strategyId} faulted in ${fault.hook} (${fault.code}): ${fault.message}; quarantined, positions: ${this.deps.settings.faultPolicy}`);
    if (this.deps.settings.faultPolicy === 'flatten') r.book.setTargets(new Map());
  }

  /** A plugin whose inputs ended stops trading (its targets go to zero) and says so; the run goes on. */
  private stop(r: PluginRuntime, message: string, time: number): void {
    r.ended = message;
    this.updateDependencies();
    r.book.setTargets(new Map());
    this.deps.journal.recordFault(this.deps.settings.runId, { strategyId: r.plugin.id, hook: 'evaluate', code: 'SH_ERR_PLUGIN_INPUTS_ENDED', message, time });
    this.deps.log(message);
  }

  /** Account equity over the brokers that answer (each one's equity is exported as a metric). */
  private async accountEquity(): Promise<number> {
    let total = 0;
    for (const broker of this.brokers.values()) {
      if (!this.submitter.isUp(broker.id)) continue;
      const equity = (await broker.account()).equity;
      this.deps.metrics.equity.set({ broker: broker.id }, equity);
      total += equity;
    }
    return total;
  }

  private onExecution(brokerId: string, event: ExecutionEvent): void {
    const { journal, metrics, settings } = this.deps;
    const provenance = this.submitter.provenanceOf(event.order.clientOrderId) ?? { routedTo: brokerId, executedBy: brokerId };
    const order = { ...event.order, ...provenance, executedBy: brokerId };
    journal.recordOrder(settings.runId, order);
    metrics.orders.inc({ broker: brokerId, status: order.status });
    if (event.type === 'accepted') {
      this.working.set(order.clientOrderId, brokerId);
      this.workingOrders.set(order.clientOrderId, order);
    } else if (event.type === 'fill') {
      if (this.working.has(order.clientOrderId)) this.workingOrders.set(order.clientOrderId, order);
      this.book.applyFill(event.fill, this.deps.instruments.get(event.fill.symbol)?.multiplier ?? 1);
      this.fills += 1;
      journal.recordFill(settings.runId, event.fill);
      metrics.fills.inc({ broker: brokerId });
      if (order.status === 'FILLED') this.forget(order.clientOrderId);
    } else {
      this.forget(order.clientOrderId);
    }
  }

  private forget(clientOrderId: string): void {
    this.working.delete(clientOrderId);
    this.workingOrders.delete(clientOrderId);
  }

  /** The host's view for reconciliation: positions from its fills and the orders it believes working. */
  reconcileView(): { positions: Position[]; openOrders: Order[] } {
    return { positions: this.book.positions(), openOrders: [...this.workingOrders.values()] };
  }

  /**
   * A closing order decided by reconciliation (policy flatten: a position the host did not know). It goes through
   * the risk chain (a reducing order: it passes even in NO_NEW), is journaled, then sent, like any other order.
   * Its client order id derives from the action id, so a repeated pass cannot send it twice.
   */
  async submitClosingOrder(request: { actionId: string; symbol: string; side: 'buy' | 'sell'; quantity: number; targetPosition: number; reason: string }): Promise<{ submitted: boolean; clientOrderId?: string; reason?: string }> {
    const { settings, journal, store } = this.deps;
    const time = this.lastTime;
    const price = this.lastClose.get(request.symbol) ?? store.window(barId(request.symbol), time, 1).last('close');
    const clientOrderId = `sh-rc-${request.actionId}`.slice(0, 36);
    const intent: OrderIntent = {
      clientOrderId,
      runId: settings.runId,
      cycle: this.cycle,
      time,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      type: 'market',
      timeInForce: 'day',
      positionBefore: request.targetPosition + (request.side === 'buy' ? -request.quantity : request.quantity),
      targetPosition: request.targetPosition,
      referencePrice: price,
      attribution: ['reconciliation'],
      reason: request.reason,
    };
    if (journal.intents(settings.runId).some((i) => i.clientOrderId === clientOrderId)) return { submitted: false, clientOrderId, reason: 'already journaled: sent by an earlier pass' };
    const view = this.riskState.view({ time, tier: this.tier, equity: await this.accountEquity(), book: this.book, price: (s) => (s === request.symbol ? price : (this.lastClose.get(s) ?? Number.NaN)), modes: new Map(), targetNotional: new Map() });
    const [outcome] = this.deps.risk.checkBasket([intent], view);
    const approved = outcome?.intent;
    journal.batch(() => {
      for (const d of outcome?.decisions ?? []) journal.recordRiskDecision(settings.runId, d);
      if (approved) journal.recordIntent(approved);
    });
    if (!approved) return { submitted: false, clientOrderId, reason: outcome?.decisions.find((d) => d.result === 'reject')?.reason ?? 'rejected by the risk chain' };
    if (!settings.allowSubmit) return { submitted: false, clientOrderId, reason: 'monitor mode (allowSubmit false)' };
    this.riskState.recordAccepted(approved);
    const order = await this.submitter.submit(approved);
    return { submitted: order?.status !== 'REJECTED', clientOrderId, ...(order?.status === 'REJECTED' ? { reason: order.rejectReason ?? 'rejected' } : {}) };
  }

  /** Adopt the broker's view after a reconciliation pass (the broker is the truth). */
  adopt(positions: readonly Position[], orders: readonly Order[]): void {
    if (positions.length > 0) this.book.restore(adoptIntoSnapshot(this.book.snapshot(), positions, (s) => this.deps.instruments.get(s)?.multiplier ?? 1));
    for (const order of orders) {
      this.deps.journal.recordOrder(this.deps.settings.runId, order);
      if (order.status === 'ACCEPTED' || order.status === 'PARTIALLY_FILLED') {
        this.working.set(order.clientOrderId, order.executedBy ?? this.deps.broker.id);
        this.workingOrders.set(order.clientOrderId, order);
      } else this.forget(order.clientOrderId);
    }
  }

  private saveStates(): void {
    const snapshots: StateSnapshot[] = this.runtimes.map((r) => ({ strategyId: r.plugin.id, cycle: this.cycle, time: Date.now(), state: r.state }));
    if (snapshots.length > 0) this.deps.journal.savePluginStates(this.deps.settings.runId, snapshots);
  }
}
