import type { KillTier, PositionBook } from '../../core/index.js';
import type { CyclePhases, EngineDeps } from './engine-deps.js';
import type { ExecutionTracker } from './execution-tracker.js';
import type { OrderSubmitter } from './order-submitter.js';
import type { PluginSet } from './plugin-set.js';
import type { RiskState } from './risk-state.js';

/** The cycle being recorded. */
export interface CycleRecord {
  readonly cycle: number;
  /** Index on the clock, and the clock's length (the progress line). */
  readonly index: number;
  readonly cycles: number;
  readonly time: number;
  /** Market event in to the last intent out, ms (the sum of phasesMs). */
  readonly latencyMs: number;
  /** Intents the risk chain approved this cycle. */
  readonly approved: number;
  readonly tier: KillTier;
  readonly phasesMs: CyclePhases;
}

export type CycleRecorderDeps = Pick<EngineDeps, 'settings' | 'journal' | 'metrics' | 'executor' | 'log' | 'afterCycle'> & {
  readonly plugins: PluginSet;
  readonly riskState: RiskState;
  readonly book: PositionBook;
  readonly submitter: Pick<OrderSubmitter, 'submitted'>;
  readonly execution: Pick<ExecutionTracker, 'fills'>;
  /** Account equity over the brokers that answer. */
  readonly accountEquity: () => Promise<number>;
};

/**
 * The end of every cycle: latency, account equity (the run's equity curve), pool metrics, the state snapshot, cycle
 * and positions records (held, committed when the cycle ends), the progress line, then the cycle observer.
 */
export class CycleRecorder {
  /** Account equity at the end of every cycle. */
  readonly equityCurve: number[] = [];
  /** Fills counted at the end of the last cycle: positions are journaled when they changed. */
  private lastFills = 0;

  constructor(private readonly deps: CycleRecorderDeps) {}

  async record(c: CycleRecord): Promise<void> {
    const { journal, metrics, settings } = this.deps;
    const latencyMs = c.latencyMs;
    metrics.cycleLatency.observe(latencyMs / 1000);
    for (const phase in c.phasesMs) metrics.cyclePhase.observe({ phase }, c.phasesMs[phase as keyof CyclePhases] / 1000);
    metrics.cycles.inc();
    const accountEquity = await this.deps.accountEquity();
    this.equityCurve.push(accountEquity);
    const executor = this.deps.executor;
    metrics.poolQueue.set(executor.stats().queueSize);
    if ('workerTimings' in executor) for (const ms of (executor as { workerTimings: number[] }).workerTimings.splice(0)) metrics.poolTask.observe(ms / 1000);
    // Positions changed this cycle when fills came in (the simulator fills at the bar's open) or orders went out.
    const filled = this.deps.execution.fills !== this.lastFills;
    this.lastFills = this.deps.execution.fills;
    // Held by the journal with the cycle's fills, order updates and signals, and committed with them in one commit
    // when the cycle ends (Engine.cycleStep): a cycle on record always has its snapshot.
    if (settings.mode === 'paper' && settings.stateSnapshotEvery > 0 && c.cycle % settings.stateSnapshotEvery === 0) this.deps.plugins.saveStates(c.cycle);
    journal.recordCycle({ runId: settings.runId, cycle: c.cycle, time: c.time, latencyMs, intents: c.approved, equity: accountEquity });
    if (c.approved > 0 || filled) journal.recordPositions(settings.runId, c.cycle, c.time, this.deps.book.positions());
    if (settings.progressEvery > 0 && (c.cycle % settings.progressEvery === 0 || c.index === 0)) {
      this.deps.log(`cycle ${c.cycle}/${c.cycles} ${new Date(c.time).toISOString().slice(0, 10)} equity ${accountEquity.toFixed(0)} orders ${this.deps.submitter.submitted} fills ${this.deps.execution.fills} tier ${c.tier}`);
    }
    this.deps.afterCycle?.({
      cycle: c.cycle,
      time: c.time,
      tier: c.tier,
      equity: accountEquity,
      dayStartEquity: this.deps.riskState.dayStartEquity,
      peakEquity: this.deps.riskState.peakEquity,
      faultedPlugins: this.deps.plugins.faulted(),
      enabledPlugins: this.deps.plugins.runtimes.length,
      riskState: this.deps.riskState,
      phasesMs: c.phasesMs,
    });
  }
}
