import { workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { SeriesStore, type AnyStrategy, type StoreHandle } from '../../core/index.js';
import { TaskRunner, type PluginSpec, type Task, type TaskResult } from './runner.js';

/** Set once per worker by the pool: the shared store and the plugin specs. */
interface WorkerInit {
  readonly store: StoreHandle;
  readonly plugins: readonly PluginSpec[];
}

const init = workerData as WorkerInit;
const store = SeriesStore.attach(init.store);
const runner = new TaskRunner(store, new Map(init.plugins.map((p) => [p.id, p])), async (spec) => {
  const mod = (await import(pathToFileURL(spec.modulePath).href)) as { default: AnyStrategy };
  return mod.default;
});

/** The piscina task entry point. */
export default async function run(task: Task): Promise<TaskResult> {
  return runner.run(task);
}
