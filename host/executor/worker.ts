import { workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { SeriesStore, type AnyStrategy, type StoreHandle } from '../../core/index.js';
import type { WorkerInference } from '../inference/open-inference.js';
import { providerScorer } from '../inference/scorer.js';
import { InferenceStatsCollector } from '../inference/stats.js';
import { TaskRunner, type PluginSpec, type Task, type TaskResult } from './runner.js';

/** Set once per worker by the pool: the shared store, the plugin specs and, when plugins use models, inference. */
interface WorkerInit {
  readonly store: StoreHandle;
  readonly plugins: readonly PluginSpec[];
  readonly inference?: WorkerInference;
}

const init = workerData as WorkerInit;
const store = SeriesStore.attach(init.store);

/*
 * Each worker opens its own inference provider at start (one onnxruntime session per model per worker), and its
 * batcher coalesces the score calls of the plugins of the task it runs (a cycle chunk, or one step of a history).
 * Rows are not pooled across workers: sending each score call to one shared provider would cost a cross-thread
 * round trip (tens of µs, LIBRARIES.md) per call, more than the whole run of a batch of these small models, and the
 * main thread would serialise the workers. onnxruntime is only loaded in workers whose plugins use models.
 */
const inference = init.inference ? await openInference(init.inference) : undefined;

async function openInference(settings: WorkerInference): Promise<{ collector: InferenceStatsCollector; scorer: ReturnType<typeof providerScorer> }> {
  const { openWorkerProvider } = await import('../inference/open-inference.js');
  const provider = await openWorkerProvider(settings);
  return { collector: new InferenceStatsCollector(provider), scorer: providerScorer(provider) };
}

const runner = new TaskRunner(
  store,
  new Map(init.plugins.map((p) => [p.id, p])),
  async (spec) => {
    const mod = (await import(pathToFileURL(spec.modulePath).href)) as { default: AnyStrategy };
    return mod.default;
  },
  inference?.scorer,
);

/** The piscina task entry point. */
export default async function run(task: Task): Promise<TaskResult> {
  const result = await runner.run(task);
  const stats = inference?.collector.drain();
  return stats ? { ...result, inference: stats } : result;
}
