import type { AnyStrategy, EvaluationResult, HistoryResult, ModelScorer, SeriesStore } from '../../core/index.js';
import type { Executor, ExecutorStats } from './executor.js';
import { TaskRunner, type PluginSpec, type TaskEntry } from './runner.js';

/**
 * Runs plugins on the main thread with the same TaskRunner the workers use. For tiny sets and tests. Plugins that use
 * models are scored by `scorer` (the host passes one over the main thread's inference provider).
 */
export class InlineExecutor implements Executor {
  readonly kind = 'inline' as const;
  private readonly runner: TaskRunner;
  private completed = 0;

  constructor(store: SeriesStore, plugins: readonly (PluginSpec & { definition: AnyStrategy })[], options: { readonly scorer?: ModelScorer } = {}) {
    const definitions = new Map(plugins.map((p) => [p.id, p.definition]));
    this.runner = new TaskRunner(store, new Map(plugins.map((p) => [p.id, p])), (spec) => definitions.get(spec.id)!, options.scorer);
  }

  async evaluateCycle(now: number, entries: readonly TaskEntry[]): Promise<EvaluationResult[]> {
    const result = await this.runner.run({ kind: 'cycle', now, entries });
    this.completed += 1;
    return result.kind === 'cycle' ? result.results : [];
  }

  async evaluateHistory(times: Float64Array, entries: readonly TaskEntry[]): Promise<HistoryResult[]> {
    const result = await this.runner.run({ kind: 'history', times, entries });
    this.completed += 1;
    return result.kind === 'history' ? result.results : [];
  }

  stats(): ExecutorStats {
    return { threads: 0, queueSize: 0, completed: this.completed };
  }

  async close(): Promise<void> {}
}
