import { isStale, VirtualBook, type EvaluationResult, type PluginFault, type PluginMode, type RecordedSignal, type StateSnapshot } from '../../core/index.js';
import type { EngineDeps } from './engine-deps.js';
import { acceptSignals, endedInput, makeRuntime, type PluginRuntime } from './plugin-runtime.js';
import type { RiskState } from './risk-state.js';

export type PluginSetDeps = Pick<EngineDeps, 'settings' | 'plugins' | 'store' | 'instruments' | 'journal' | 'metrics' | 'log' | 'resumeStates' | 'isStale'>;

/**
 * The enabled plugins of a run: their runtimes (state resumed or from init(), a virtual book with an equal share of
 * the capital), the results they take each cycle, and their health (faults quarantined, ended inputs stopped), kept
 * in step with the risk state's data dependencies.
 */
export class PluginSet {
  readonly runtimes: readonly PluginRuntime[];

  constructor(
    private readonly deps: PluginSetDeps,
    private readonly riskState: RiskState,
  ) {
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
    this.updateDependencies();
  }

  /** Symbols traded by enabled plugins. */
  tradedSymbols(): string[] {
    const set = new Set<string>();
    for (const r of this.runtimes) for (const s of r.plugin.prepared.universe) set.add(s);
    return [...set].sort();
  }

  /** Each plugin's mode this cycle: a faulted or stopped plugin counts as disabled. */
  modes(): Map<string, PluginMode> {
    return new Map(this.runtimes.map((r) => [r.plugin.id, (r.fault || r.ended ? 'disabled' : r.mode) as PluginMode]));
  }

  faulted(): number {
    return this.runtimes.filter((r) => r.fault).length;
  }

  /**
   * Take a cycle's evaluation results: quarantine faults, stop plugins whose inputs ended, and return the changes
   * of target (for the journal; the engine counts them in `strategy_host_signals_total` once the orders are out).
   */
  accept(results: ReadonlyMap<string, EvaluationResult>, time: number): RecordedSignal[] {
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
      for (const change of acceptSignals(r, result.signals, result.state, time)) recorded.push(change);
    }
    return recorded;
  }

  /** Journal every plugin's state, as of `cycle`. */
  saveStates(cycle: number): void {
    const snapshots: StateSnapshot[] = this.runtimes.map((r) => ({ strategyId: r.plugin.id, cycle, time: Date.now(), state: r.state }));
    if (snapshots.length > 0) this.deps.journal.savePluginStates(this.deps.settings.runId, snapshots);
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
}
