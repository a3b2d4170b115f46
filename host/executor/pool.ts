import os from 'node:os';
import { Piscina } from 'piscina';
import { ShError, type EvaluationResult, type HistoryResult, type SeriesStore } from '../../core/index.js';
import type { WorkerInference } from '../inference/open-inference.js';
import type { InferenceStats } from '../inference/stats.js';
import type { Executor, ExecutorStats } from './executor.js';
import type { PluginSpec, Task, TaskEntry, TaskResult } from './runner.js';

export interface PoolOptions {
  /** Worker threads (default: number of cores). */
  readonly threads?: number;
  /**
   * Worker tasks per cycle (default: one per thread). They share the cycle's plugins by work claiming, longest
   * first by last evaluation time; 1 evaluates the whole cycle in one worker.
   */
  readonly chunks?: number;
  /** A cycle task running longer is aborted and its worker replaced (default 30 s). */
  readonly taskTimeoutMs?: number;
  /**
   * Inference for plugins that use models: each worker opens its own provider with these models and options at
   * start. Its batcher coalesces the rows of the plugins of one task (a cycle chunk), not across workers.
   */
  readonly inference?: WorkerInference;
  /** Called in the main thread with what a worker's provider did during a task (batches, runs), for metrics. */
  readonly onInferenceStats?: (stats: InferenceStats) => void;
}

const WORKER_URL = new URL('./worker-entry.js', import.meta.url);

/**
 * Evaluates plugins on a piscina worker pool. A cycle is one task per thread (never one task per plugin: a round
 * trip costs more than most evaluations); the tasks share the cycle's plugins by work claiming through a
 * SharedArrayBuffer counter, longest first by each plugin's last evaluation time, so no worker idles while another
 * still has a fixed chunk to finish. A backtest history is one task per plugin. Workers attach the shared store
 * once, from workerData.
 */
export class PoolExecutor implements Executor {
  readonly kind = 'pool' as const;
  private readonly pool: Piscina;
  private readonly chunks: number;
  private readonly timeoutMs: number;
  private readonly cost = new Map<string, number>();
  private readonly onInferenceStats: ((stats: InferenceStats) => void) | undefined;
  /** Milliseconds each worker task spent, for metrics (drained by the engine). */
  readonly workerTimings: number[] = [];

  constructor(store: SeriesStore, plugins: readonly PluginSpec[], options: PoolOptions = {}) {
    const threads = options.threads && options.threads > 0 ? options.threads : Math.max(1, os.availableParallelism());
    this.chunks = options.chunks && options.chunks > 0 ? options.chunks : threads;
    this.timeoutMs = options.taskTimeoutMs ?? 30_000;
    this.onInferenceStats = options.onInferenceStats;
    this.pool = new Piscina({
      filename: WORKER_URL.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      workerData: {
        store: store.handle(),
        plugins: plugins.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params })),
        ...(options.inference ? { inference: options.inference } : {}),
      },
    });
  }

  async evaluateCycle(now: number, entries: readonly TaskEntry[]): Promise<EvaluationResult[]> {
    if (entries.length === 0) return [];
    const ordered = this.longestFirst(entries);
    const tasks = Math.min(this.chunks, ordered.length);
    const results = tasks <= 1 ? await this.runCycleGroup(now, ordered) : await this.runClaimedCycle(now, ordered, tasks);
    const byId = new Map(results.map((r) => [r.strategyId, r]));
    for (const r of byId.values()) this.cost.set(r.strategyId, r.durationMs);
    return entries.map((e) => byId.get(e.id)!);
  }

  async evaluateHistory(times: Float64Array, entries: readonly TaskEntry[]): Promise<HistoryResult[]> {
    return Promise.all(
      entries.map(async (entry) => {
        const result = await this.runTask({ kind: 'history', times, entries: [entry] }, undefined);
        return (result as Extract<TaskResult, { kind: 'history' }>).results[0]!;
      }),
    );
  }

  stats(): ExecutorStats {
    return { threads: this.pool.threads.length, queueSize: this.pool.queueSize, completed: this.pool.completed };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  /** Run one chunk; when it times out, run its plugins one by one to find and fault the guilty one. */
  private async runCycleGroup(now: number, group: readonly TaskEntry[]): Promise<EvaluationResult[]> {
    try {
      const result = await this.runTask({ kind: 'cycle', now, entries: group }, this.timeoutMs);
      return (result as Extract<TaskResult, { kind: 'cycle' }>).results;
    } catch (error) {
      if (!isAbort(error) || group.length === 1) {
        if (isAbort(error)) return [timeoutFault(group[0]!.id, now, this.timeoutMs)];
        throw error;
      }
      const singles = await Promise.all(group.map((entry) => this.runCycleGroup(now, [entry])));
      return singles.flat();
    }
  }

  private async runTask(task: Task, timeoutMs: number | undefined): Promise<TaskResult> {
    try {
      const result = (await this.pool.run(task, timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {})) as TaskResult;
      this.workerTimings.push(result.workerMs);
      if (result.inference) this.onInferenceStats?.(result.inference);
      return result;
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ShError('SH_ERR_POOL_TASK_FAILED', `worker task failed: ${(error as Error).message}`, { where: 'executor.pool', received: (error as Error).name });
    }
  }

  /**
   * `tasks` workers claim the entries one by one. A task that times out loses the results of what it evaluated: the
   * entries with no result are evaluated again one per task, which finds and faults the plugin that hangs.
   */
  private async runClaimedCycle(now: number, ordered: readonly TaskEntry[], tasks: number): Promise<EvaluationResult[]> {
    const claim = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const settled = await Promise.allSettled(Array.from({ length: tasks }, () => this.runTask({ kind: 'cycle', now, entries: ordered, claim }, this.timeoutMs)));
    const results: EvaluationResult[] = [];
    let aborted = false;
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') results.push(...(outcome.value as Extract<TaskResult, { kind: 'cycle' }>).results);
      else if (isAbort(outcome.reason)) aborted = true;
      else throw outcome.reason;
    }
    if (!aborted) return results;
    const done = new Set(results.map((r) => r.strategyId));
    const missing = ordered.filter((e) => !done.has(e.id));
    const singles = await Promise.all(missing.map((entry) => this.runCycleGroup(now, [entry])));
    return [...results, ...singles.flat()];
  }

  /** Entries sorted by last known cost, most expensive first (unknown costs last, by id). */
  private longestFirst(entries: readonly TaskEntry[]): TaskEntry[] {
    const cost = (id: string): number => this.cost.get(id) ?? 0;
    return [...entries].sort((a, b) => cost(b.id) - cost(a.id) || (a.id < b.id ? -1 : 1));
  }
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError' || (error as { name?: string } | null)?.name === 'TimeoutError';
}

function timeoutFault(strategyId: string, now: number, timeoutMs: number): EvaluationResult {
  return {
    ok: false,
    strategyId,
    durationMs: timeoutMs,
    fault: { strategyId, hook: 'evaluate', code: 'SH_ERR_PLUGIN_FAULTED', message: `evaluation did not finish within the task timeout of ${timeoutMs} ms; the worker was replaced`, time: now },
  };
}
