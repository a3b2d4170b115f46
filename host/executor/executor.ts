import type { EvaluationResult, HistoryResult } from '../../core/index.js';
import type { TaskEntry } from './runner.js';

/** Pool statistics for metrics. */
export interface ExecutorStats {
  readonly threads: number;
  readonly queueSize: number;
  readonly completed: number;
}

/** Evaluates plugins: per cycle (live/paper) or over a whole history (backtest). */
export interface Executor {
  readonly kind: 'pool' | 'inline';
  evaluateCycle(now: number, entries: readonly TaskEntry[]): Promise<EvaluationResult[]>;
  evaluateHistory(times: Float64Array, entries: readonly TaskEntry[]): Promise<HistoryResult[]>;
  stats(): ExecutorStats;
  close(): Promise<void>;
}
