import {
  evaluateHistory,
  evaluateOnce,
  prepareStrategy,
  type AnyStrategy,
  type EvaluationResult,
  type HistoryResult,
  type PreparedStrategy,
  type SeriesStore,
} from '../../core/index.js';

/** A plugin as executors know it: enough to load and prepare it anywhere (main thread or worker). */
export interface PluginSpec {
  readonly id: string;
  readonly modulePath: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** One plugin's share of a task: its id and the state it carries in. */
export interface TaskEntry {
  readonly id: string;
  readonly state: unknown;
}

export type CycleTask = { readonly kind: 'cycle'; readonly now: number; readonly entries: readonly TaskEntry[] };
export type HistoryTask = { readonly kind: 'history'; readonly times: Float64Array; readonly entries: readonly TaskEntry[] };
export type Task = CycleTask | HistoryTask;

export type TaskResult =
  | { readonly kind: 'cycle'; readonly results: EvaluationResult[]; readonly workerMs: number }
  | { readonly kind: 'history'; readonly results: HistoryResult[]; readonly workerMs: number };

const clock = (): number => performance.now();

/**
 * Runs tasks against one store with prepared plugins. The inline executor and every pool worker use this same
 * class, so a plugin gives the same signals wherever it runs.
 */
export class TaskRunner {
  private readonly prepared = new Map<string, PreparedStrategy>();

  constructor(
    private readonly store: SeriesStore,
    private readonly specs: ReadonlyMap<string, PluginSpec>,
    private readonly definitionOf: (spec: PluginSpec) => AnyStrategy | Promise<AnyStrategy>,
  ) {}

  async run(task: Task): Promise<TaskResult> {
    const started = clock();
    const prepared = await Promise.all(task.entries.map((e) => this.prepare(e.id)));
    if (task.kind === 'cycle') {
      const results = task.entries.map((e, i) => evaluateOnce(prepared[i]!, this.store, task.now, e.state, clock));
      return { kind: 'cycle', results, workerMs: clock() - started };
    }
    const results = task.entries.map((e, i) => evaluateHistory(prepared[i]!, this.store, task.times, e.state, clock));
    return { kind: 'history', results, workerMs: clock() - started };
  }

  private async prepare(id: string): Promise<PreparedStrategy> {
    const cached = this.prepared.get(id);
    if (cached) return cached;
    const spec = this.specs.get(id);
    if (!spec) throw new Error(`plugin ${id} is not known to this executor`);
    const definition = await this.definitionOf(spec);
    const p = prepareStrategy(definition, spec.params);
    this.prepared.set(id, p);
    return p;
  }
}
