import {
  evaluateHistory,
  evaluateHistoryWithModels,
  evaluateOnce,
  evaluateWithModels,
  prepareStrategy,
  type AnyStrategy,
  type EvaluationResult,
  type HistoryResult,
  type ModelScorer,
  type PreparedStrategy,
  type SeriesStore,
} from '../../core/index.js';
import type { InferenceStats } from '../inference/stats.js';

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

/**
 * One decision time for `entries`. With `claim`, several workers get the same task and share its entries by work
 * claiming: `claim[0]` is the index of the next unclaimed entry (taken with Atomics.add). A worker evaluates only
 * the entries it claims, so a worker that finishes early takes the next plugin instead of waiting for a fixed chunk
 * of the other to end.
 */
export type CycleTask = { readonly kind: 'cycle'; readonly now: number; readonly entries: readonly TaskEntry[]; readonly claim?: Int32Array };
export type HistoryTask = { readonly kind: 'history'; readonly times: Float64Array; readonly entries: readonly TaskEntry[] };
export type Task = CycleTask | HistoryTask;

/** `inference`: what a pool worker's own inference provider did during the task, for the main thread's metrics. */
export type TaskResult =
  | { readonly kind: 'cycle'; readonly results: EvaluationResult[]; readonly workerMs: number; readonly inference?: InferenceStats }
  | { readonly kind: 'history'; readonly results: HistoryResult[]; readonly workerMs: number; readonly inference?: InferenceStats };

const clock = (): number => performance.now();

const usesModels = (p: PreparedStrategy): boolean => p.models.length > 0;

/**
 * Runs tasks against one store with prepared plugins. The inline executor and every pool worker use this same
 * class, so a plugin gives the same signals wherever it runs.
 *
 * Plugins that declare models go through evaluateWithModels (features, scores, evaluate) with `scorer`. The plugins
 * of one task run concurrently: every model plugin's features and score calls are issued before anything is awaited,
 * so the batching scorer coalesces the rows of the whole task (the entries a worker claims in a cycle; one step of
 * every history) into one run per model; the plugins without models evaluate meanwhile.
 */
export class TaskRunner {
  private readonly prepared = new Map<string, PreparedStrategy>();

  constructor(
    private readonly store: SeriesStore,
    private readonly specs: ReadonlyMap<string, PluginSpec>,
    private readonly definitionOf: (spec: PluginSpec) => AnyStrategy | Promise<AnyStrategy>,
    private readonly scorer?: ModelScorer,
  ) {}

  async run(task: Task): Promise<TaskResult> {
    const started = clock();
    const prepared = this.preparedAlready(task.entries) ?? (await Promise.all(task.entries.map((e) => this.prepare(e.id))));
    // A task of its own claims every entry, in order; tasks sharing a cycle share the pool's counter.
    if (task.kind === 'cycle') return this.runClaimed(task, task.claim ?? new Int32Array(1), prepared, started);
    if (!prepared.some(usesModels)) {
      const results = task.entries.map((e, i) => evaluateHistory(prepared[i]!, this.store, task.times, e.state, clock));
      return { kind: 'history', results, workerMs: clock() - started };
    }
    const scored = task.entries.map((e, i) => (usesModels(prepared[i]!) ? evaluateHistoryWithModels(prepared[i]!, this.store, task.times, e.state, clock, this.scorer) : undefined));
    const results = await Promise.all(task.entries.map((e, i) => scored[i] ?? evaluateHistory(prepared[i]!, this.store, task.times, e.state, clock)));
    return { kind: 'history', results, workerMs: clock() - started };
  }

  /**
   * Claim entries one at a time until none are left. A model plugin's evaluation starts (features computed, rows
   * queued for scoring) and the loop goes on claiming; its scores arrive once the loop yields, as in an unclaimed task.
   */
  private async runClaimed(task: CycleTask, claim: Int32Array, prepared: readonly PreparedStrategy[], started: number): Promise<TaskResult> {
    const results: (EvaluationResult | Promise<EvaluationResult>)[] = [];
    let scoring = false;
    for (let i = Atomics.add(claim, 0, 1); i < task.entries.length; i = Atomics.add(claim, 0, 1)) {
      const p = prepared[i]!;
      const state = task.entries[i]!.state;
      if (usesModels(p)) {
        scoring = true;
        results.push(evaluateWithModels(p, this.store, task.now, state, clock, this.scorer));
      } else {
        results.push(evaluateOnce(p, this.store, task.now, state, clock));
      }
    }
    // Without model plugins every result is already there: no Promise.all over them.
    return { kind: 'cycle', results: scoring ? await Promise.all(results) : (results as EvaluationResult[]), workerMs: clock() - started };
  }

  /** The prepared plugins of `entries` when every one is prepared already (each cycle after the first), else undefined. */
  private preparedAlready(entries: readonly TaskEntry[]): PreparedStrategy[] | undefined {
    const prepared: PreparedStrategy[] = [];
    for (const entry of entries) {
      const p = this.prepared.get(entry.id);
      if (p === undefined) return undefined;
      prepared.push(p);
    }
    return prepared;
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
