import {
  allocate,
  barId,
  isSimulatedBroker,
  PositionBook,
  tierRank,
  type BrokerAdapter,
  type EvaluationResult,
  type KillTier,
  type Order,
  type Position,
} from '../../core/index.js';
import { submitClosingOrder, type ClosingOrder, type ClosingOrderResult } from './closing-order.js';
import { CycleRecorder } from './cycle-recorder.js';
import type { EngineDeps } from './engine-deps.js';
import { ExecutionTracker } from './execution-tracker.js';
import { buildMarketClock, type MarketClock } from './market-clock.js';
import { placeOrders } from './order-flow.js';
import { OrderSubmitter } from './order-submitter.js';
import { effectiveSignals } from './plugin-runtime.js';
import { PluginSet } from './plugin-set.js';
import { RiskState } from './risk-state.js';
import { SafePointGc } from './safe-point-gc.js';
import { summariseRun, type RunSummary } from './summary.js';

export type { CycleObserver, CycleOutcome, EngineDeps, EngineSettings } from './engine-deps.js';

/**
 * The decision cycle of DESIGN.md §4: bars in -> kill switch polled -> broker simulator advances (fills at the open)
 * -> virtual books -> plugin signals (evaluated per cycle on the executor, or for a backtest precomputed per plugin
 * over the whole history in one task) -> allocator -> net targets -> intents -> risk chain -> journal -> broker.
 */
export class Engine {
  private readonly plugins: PluginSet;
  /** Positions from the fills this host received (the broker stays the truth; reconciliation compares them). */
  private readonly book = new PositionBook();
  /** Applies execution events to `book` and tracks the working orders. */
  private readonly execution: ExecutionTracker;
  private readonly brokers: ReadonlyMap<string, BrokerAdapter>;
  private readonly submitter: OrderSubmitter;
  /** The end of every cycle: metrics, equity curve, journal, progress, afterCycle. */
  private readonly recorder: CycleRecorder;
  private readonly riskState: RiskState;
  private tier: KillTier;
  private cycle = 0;
  private rejectedByRisk = 0;
  private readonly unsubscribe: (() => void)[];
  private readonly lastClose = new Map<string, number>();
  /** The decision time of the current (or last) cycle. */
  private lastTime = 0;
  /** Paper mode with run.gcBetweenCycles: young-generation collections between cycles. */
  private readonly safePointGc: SafePointGc | undefined;

  constructor(private readonly deps: EngineDeps) {
    const { settings, journal, metrics, instruments, executor, log, afterCycle } = deps;
    this.riskState = new RiskState(deps.store, instruments);
    this.plugins = new PluginSet(deps, this.riskState);
    this.tier = deps.killSwitch ? deps.killSwitch.poll() : settings.initialTier;
    metrics.killSwitchTier.set(tierRank(this.tier));
    for (const mode of ['disabled', 'shadow', 'canary', 'live'] as const) metrics.pluginsByMode.set({ mode }, deps.plugins.filter((p) => p.mode === mode).length);
    this.brokers = deps.brokers ?? new Map([[deps.broker.id, deps.broker]]);
    const routing = deps.routing ?? { defaultBroker: deps.broker.id, rules: [], allowFallback: false };
    this.submitter = new OrderSubmitter(settings.runId, this.brokers, routing, journal, metrics, log, deps.submitTimeoutMs);
    for (const id of deps.brokersDown ?? []) this.submitter.markDown(id, 'connect failed at start');
    this.execution = new ExecutionTracker({ runId: settings.runId, journal, metrics, instruments, book: this.book, submitter: this.submitter, defaultBroker: deps.broker.id });
    this.execution.startFrom(deps.resume?.positions ?? []);
    const { plugins, riskState, book, submitter, execution } = this;
    this.recorder = new CycleRecorder({ settings, journal, metrics, executor, log, afterCycle, plugins, riskState, book, submitter, execution, accountEquity: () => this.accountEquity() });
    this.safePointGc = settings.mode === 'paper' && settings.gcBetweenCycles !== false ? new SafePointGc() : undefined;
    this.unsubscribe = [...this.brokers.values()].map((b) => b.onExecution((event) => this.execution.onExecution(b.id, event)));
  }

  /** Symbols traded by enabled plugins. */
  tradedSymbols(): string[] {
    return this.plugins.tradedSymbols();
  }

  async run(): Promise<RunSummary> {
    const { settings, log } = this.deps;
    const runtimes = this.plugins.runtimes;
    const clock = buildMarketClock(this.deps.store, this.tradedSymbols(), settings.from, settings.to);
    const total = clock.times.length;
    log(`run ${settings.runId}: ${settings.mode}, ${runtimes.length} plugins (${runtimes.map((r) => `${r.plugin.id}:${r.mode}`).join(', ')}), ${total} cycles, executor ${this.deps.executor.kind}, kill switch ${this.tier}`);
    const started = performance.now();
    try {
      if (settings.mode === 'backtest') await this.runBacktest(clock);
      else await this.runPaper(clock);
    } finally {
      for (const off of this.unsubscribe) off();
    }
    this.plugins.saveStates(this.cycle);
    const finalEquity = await this.accountEquity();
    return summariseRun({
      runId: settings.runId,
      mode: settings.mode,
      cycles: total,
      wallSeconds: (performance.now() - started) / 1000,
      accountEquity: this.recorder.equityCurve,
      initialCapital: settings.capital,
      finalEquity,
      orders: this.submitter.submitted,
      fills: this.execution.fills,
      rejectedByRisk: this.rejectedByRisk,
      tier: this.tier,
      plugins: runtimes.map((r) => ({ id: r.plugin.id, mode: r.mode, signals: r.signalChanges, trades: r.book.trades(), equity: r.book.curve(), capital: r.book.initialCapital, fault: r.fault?.message, ended: r.ended })),
    });
  }

  /** Backtest: every plugin over its whole history in one task each (in parallel), then the cycles replay. */
  private async runBacktest(clock: MarketClock): Promise<void> {
    const histories = await this.deps.executor.evaluateHistory(clock.times, this.plugins.runtimes.map((r) => ({ id: r.plugin.id, state: r.state })));
    const byId = new Map(histories.map((h) => [h.strategyId, h]));
    const last = clock.times.length - 1;
    for (let i = 0; i < clock.times.length; i++) {
      const results = new Map<string, EvaluationResult>();
      for (const r of this.plugins.runtimes) {
        const h = byId.get(r.plugin.id)!;
        if (h.fault && i === h.evaluations - 1) results.set(r.plugin.id, { ok: false, strategyId: r.plugin.id, fault: h.fault, durationMs: 0 });
        else if (i < h.evaluations) results.set(r.plugin.id, { ok: true, strategyId: r.plugin.id, signals: h.signals[i]!, state: i === last ? h.finalState : r.state, durationMs: 0, overBudget: false });
      }
      await this.cycleStep(clock, i, results, performance.now());
    }
    for (const r of this.plugins.runtimes) {
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
      // What runs before the cycle (a reconciliation pass: its closing orders) is decided at this cycle's time.
      this.lastTime = now;
      await this.deps.beforeCycle?.(i + 1);
      const active = this.plugins.runtimes.filter((r) => !r.fault && !r.ended);
      const raw = await this.deps.executor.evaluateCycle(now, active.map((r) => ({ id: r.plugin.id, state: r.state })));
      const results = raw.map((res, k) => active[k]!.overruns.check(active[k]!.plugin.prepared, res, now));
      await this.cycleStep(clock, i, new Map(results.map((r) => [r.strategyId, r])), eventIn);
      // Book-keeping after the cycle, off the decision path.
      for (const res of results) this.deps.metrics.pluginEvaluation.observe({ strategy_id: res.strategyId }, res.durationMs / 1000);
      // Between cycles, off the decision path: collect the young generation before V8 would do it inside a cycle.
      const gcMs = this.safePointGc?.afterCycle();
      if (gcMs !== undefined) this.deps.metrics.gcBetweenCycles.observe(gcMs / 1000);
      if (this.deps.settings.replayDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.deps.settings.replayDelayMs));
    }
  }

  /**
   * One cycle with the journal holding back what a restart recovers (fills, order updates, signals, snapshots): the
   * cycle commits its risk decisions and intents before the broker sees them, and everything else in one commit at
   * its end, instead of once per record. The commit an order waits on holds only what must be durable before it.
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
    const runtimes = this.plugins.runtimes;
    const time = clock.times[i] as number;
    const start = performance.now();
    this.cycle = i + 1;
    this.lastTime = time;
    const bars = clock.barsAt(i);
    // 1. The kill switch first: a flag file or an operator's request takes effect from this cycle on.
    this.pollKillSwitch();
    // 2. The market moves: the simulator fills last cycle's orders at this bar; what is left expires (day orders).
    for (const broker of this.brokers.values()) if (isSimulatedBroker(broker) && this.submitter.isUp(broker.id)) await broker.advance(bars);
    this.execution.adopt([], await this.submitter.resolve());
    await this.execution.cancelWorking(this.brokers, (id) => this.submitter.isUp(id));
    for (const bar of bars) this.lastClose.set(bar.symbol, bar.close);
    const bookBars = new Map(bars.map((b) => [b.symbol, { open: b.open, close: b.close }]));
    for (const r of runtimes) r.book.onBars(bookBars);
    const equity = await this.accountEquity();
    this.riskState.markEquity(time, equity);
    const market = performance.now();
    // 3. Signals: quarantine faults, stop plugins whose inputs ended, record changes of target.
    const recorded = this.plugins.accept(results, time);
    if (recorded.length > 0) journal.recordSignals(settings.runId, this.cycle, recorded);
    const signalled = performance.now();
    // 4. Allocate budgets, net, check the basket, journal, submit.
    const modes = this.plugins.modes();
    const budgets = allocate(runtimes.map((r) => ({ strategyId: r.plugin.id, mode: modes.get(r.plugin.id)!, returns: r.book.recentReturns(settings.allocator.volatilityLookback) })), settings.allocator);
    const signals = new Map(runtimes.map((r) => [r.plugin.id, effectiveSignals(r, settings.faultPolicy)]));
    // Computed when a guard asks (a plugin's budget x its weight), not for every plugin and symbol each cycle.
    const targetNotional = (strategyId: string, symbol: string): number => {
      const weight = signals.get(strategyId)?.find((s) => s.symbol === symbol)?.weight;
      return weight === undefined ? 0 : (budgets.get(strategyId) ?? 0) * weight;
    };
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
    for (const change of recorded) metrics.signals.inc({ strategy_id: change.strategyId });
    // 5. Book-keeping: latency, equity, journal, metrics, state snapshots, progress.
    // Intents out: the latency ends when the last approved intent was sent, and the phases partition it exactly.
    const { decided, committed, submitted } = flow.at;
    const phasesMs = { evaluate: start - eventIn, market: market - start, signals: signalled - market, decide: decided - signalled, commit: committed - decided, submit: submitted - committed };
    await this.recorder.record({ cycle: this.cycle, index: i, cycles: clock.times.length, time, latencyMs: submitted - eventIn, approved: flow.approved.length, tier: this.tier, phasesMs });
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

  /** The host's view for reconciliation: positions from its fills and the orders it believes working. */
  reconcileView(): { positions: Position[]; openOrders: Order[] } {
    return this.execution.view();
  }

  /** A closing order decided by reconciliation: risk chain, journal, then broker, at most once per action id. */
  async submitClosingOrder(request: ClosingOrder): Promise<ClosingOrderResult> {
    const { settings, journal, store, risk } = this.deps;
    return submitClosingOrder(request, {
      runId: settings.runId,
      cycle: this.cycle,
      time: this.lastTime,
      tier: this.tier,
      allowSubmit: settings.allowSubmit,
      book: this.book,
      lastClose: this.lastClose,
      store,
      journal,
      risk,
      riskState: this.riskState,
      equity: () => this.accountEquity(),
      submit: (intent) => this.submitter.submit(intent),
    });
  }

  /** Adopt the broker's view after a reconciliation pass (the broker is the truth). */
  adopt(positions: readonly Position[], orders: readonly Order[]): void {
    this.execution.adopt(positions, orders);
  }
}
