import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { barId, resolveParams, SeriesStore, type AnyStrategy } from '../../core/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';
import { BENCH_HISTORY, BENCH_SYMBOLS, ewmaPass } from '../plugins/bench-strategy.js';

/** The repository root, computed from this file's location (bench/lib/ -> ../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Progress goes to stderr; the report goes to docs/benchmarks.md. */
export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** The machine the figures were measured on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly availableParallelism: number;
  readonly totalMemoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverageStart: readonly number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} (${os.arch()})`,
    loadAverageStart: os.loadavg(),
  };
}

/** Percentile by linear interpolation between closest ranks (p in [0, 100]). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** A bench plugin module generated at bench time. */
export interface GeneratedPlugin {
  readonly id: string;
  readonly modulePath: string;
  readonly work: number;
  readonly tier: 'light' | 'medium' | 'heavy';
}

/** The mix of a plugin set: how many plugins of each cost tier and their work (EWMA passes per evaluation). */
export interface PluginMix {
  readonly name: string;
  readonly light: { readonly count: number; readonly work: number };
  readonly medium: { readonly count: number; readonly work: number };
  readonly heavy: { readonly count: number; readonly work: number };
}

export function mixSize(mix: PluginMix): number {
  return mix.light.count + mix.medium.count + mix.heavy.count;
}

/**
 * Write one tiny module per plugin into `dir`: each imports the factory by its file URL and default-exports one
 * definition. The pool's workers import plugins by module path, and results are keyed by definition id, so each
 * plugin needs its own module and id.
 */
export function generatePluginModules(dir: string, mix: PluginMix): GeneratedPlugin[] {
  const factoryUrl = pathToFileURL(path.join(REPO_ROOT, 'bench', 'plugins', 'bench-strategy.ts')).href;
  const plugins: GeneratedPlugin[] = [];
  const tiers = (['heavy', 'medium', 'light'] as const).flatMap((tier) => Array.from({ length: mix[tier].count }, () => tier));
  tiers.forEach((tier, i) => {
    const id = `bench-${mix.name}-${String(i).padStart(2, '0')}`;
    const work = mix[tier].work;
    const modulePath = path.join(dir, `${id}.mjs`);
    fs.writeFileSync(modulePath, `import { makeBenchStrategy } from ${JSON.stringify(factoryUrl)};\nexport default makeBenchStrategy(${JSON.stringify(id)}, ${work});\n`);
    plugins.push({ id, modulePath, work, tier });
  });
  return plugins;
}

/** A plugin as both executors take it: spec plus definition (the pool ignores the definition). */
export interface BenchSpec {
  readonly id: string;
  readonly modulePath: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly definition: AnyStrategy;
}

/** Import the generated modules in the main thread and resolve their (default) params. */
export async function loadSpecs(plugins: readonly GeneratedPlugin[]): Promise<BenchSpec[]> {
  const specs: BenchSpec[] = [];
  for (const p of plugins) {
    const mod = (await import(pathToFileURL(p.modulePath).href)) as { default: AnyStrategy };
    const definition = mod.default;
    if (definition.id !== p.id) throw new Error(`generated module ${p.modulePath} defines ${definition.id}, expected ${p.id}`);
    specs.push({ id: p.id, modulePath: p.modulePath, params: resolveParams(definition.params, {}, 'bench').params, definition });
  }
  return specs;
}

/** The store of the bench plugins: daily bars of the five metals, synthetic world, 2015-2019. */
export async function buildBenchStore(): Promise<{ store: SeriesStore; adapter: SyntheticDataAdapter }> {
  const adapter = new SyntheticDataAdapter({ start: '2015-01-01', end: '2019-12-31' });
  const data = await adapter.history({ ids: BENCH_SYMBOLS.map((s) => barId(s)), from: adapter.start, to: adapter.end + 86_400_000 });
  return { store: SeriesStore.build(data), adapter };
}

/** Decision times with a full bench window: availability times of GLD bars from row BENCH_HISTORY on. */
export function decisionTimes(store: SeriesStore): Float64Array {
  const id = barId('GLD');
  const n = store.length(id);
  const times: number[] = [];
  for (let i = BENCH_HISTORY; i < n; i++) times.push(store.availableAtIndex(id, i));
  return Float64Array.from(times);
}

/** A fresh temp directory under os.tmpdir(). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Let the event loop breathe between measurements (GC, pending callbacks). */
export async function settle(ms = 50): Promise<void> {
  if (typeof globalThis.gc === 'function') globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, ms));
}

const SPIN_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (ms) => {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(x + i);
  parentPort.postMessage(x);
});`;

/** The bench plugins' own EWMA pass (bench/plugins/bench-strategy.ts), run by a worker on a fixed window. */
const KERNEL_WORKER = `
const { parentPort } = require('node:worker_threads');
const close = new Float64Array(${BENCH_HISTORY});
for (let i = 0; i < close.length; i++) close[i] = 100 + 5 * Math.sin(i / 7) + 0.01 * i;
const ewmaPass = ${ewmaPass.toString()};
parentPort.on('message', (passes) => {
  const t0 = performance.now();
  let x = 0;
  for (let k = 0; k < passes; k++) x += ewmaPass(close, k);
  parentPort.postMessage({ ms: performance.now() - t0, x });
});`;

/**
 * How much faster `threads` threads do a fixed amount of the bench plugins' arithmetic (the EWMA pass of
 * bench/plugins/bench-strategy.ts) than one thread alone, right now: `threads` x (time of one thread alone) / (time
 * of the slowest of `threads` threads running at once). The ceiling of any executor on this machine: below
 * `threads` when the logical CPUs share a physical core (SMT) or the host is contended. One thread alone is measured
 * before and after the concurrent run, the mean kept.
 */
export async function probeParallelSpeedup(threads: number, passes = 60_000): Promise<{ speedup: number; soloMs: number; concurrentMs: number }> {
  return withWorkers(KERNEL_WORKER, threads, async (workers, ask) => {
    const run = async (w: Worker, n: number): Promise<number> => (await ask<{ ms: number }>(w, n)).ms;
    await Promise.all(workers.map((w) => run(w, passes / 10)));
    const soloBefore = await run(workers[0]!, passes);
    const concurrentMs = Math.max(...(await Promise.all(workers.map((w) => run(w, passes)))));
    const soloAfter = await run(workers[0]!, passes);
    const soloMs = (soloBefore + soloAfter) / 2;
    return { speedup: (threads * soloMs) / concurrentMs, soloMs, concurrentMs };
  });
}

/** `threads` worker threads running `code`, online before `use` gets them, terminated after; `ask` posts a message and resolves with the reply. */
async function withWorkers<T>(code: string, threads: number, use: (workers: readonly Worker[], ask: <R>(w: Worker, message: unknown) => Promise<R>) => Promise<T>): Promise<T> {
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
  const ask = <R>(w: Worker, message: unknown): Promise<R> => new Promise<R>((resolve) => { w.once('message', resolve); w.postMessage(message); });
  try {
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
    return await use(workers, ask);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * How many cores this process can actually get right now: `threads` worker threads spin for `ms` and the process
 * CPU time is divided by wall time. On an idle machine it is close to `threads`; other load lowers it.
 */
export async function probeCpuCapacity(threads: number, ms = 1000): Promise<number> {
  return withWorkers(SPIN_WORKER, threads, async (workers, ask) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(workers.map((w) => ask(w, ms)));
    const used = process.cpuUsage(cpu0);
    return (used.user + used.system) / 1000 / (performance.now() - t0);
  });
}

/**
 * Waits, before a contention-sensitive measurement, until `threads` spinning threads get at least 90% of `threads`
 * cores and `threads` threads of the bench arithmetic run at least 0.9 x `threads` as fast as one (probes of about
 * 1 s, every 2 s), so a measurement does not start in the middle of someone else's burst. The
 * total waiting is capped by a budget for the whole run; every wait is counted for the report.
 */
export class QuietGate {
  waitedSeconds = 0;
  waits = 0;
  /** Waits that ran out of time or budget with the machine still busy. */
  busyStarts = 0;
  lastCapacity = Number.NaN;
  /** The last probe's parallel speedup (probeParallelSpeedup). */
  lastSpeedup = Number.NaN;

  constructor(
    private readonly threads: number,
    private budgetSeconds: number,
    private readonly maxPerWaitSeconds = 15,
  ) {}

  async wait(what: string): Promise<number> {
    const t0 = performance.now();
    const limit = Math.min(this.maxPerWaitSeconds, this.budgetSeconds) * 1000;
    // Two probes: CPU time the threads get (other processes), and how fast they run together (a contended host or
    // shared physical cores give every thread CPU time, yet each runs slower).
    const probe = async (): Promise<{ capacity: number; speedup: number }> => ({ capacity: await probeCpuCapacity(this.threads, 500), speedup: (await probeParallelSpeedup(this.threads, 20_000)).speedup });
    const quiet = (p: { capacity: number; speedup: number }): boolean => p.capacity >= 0.9 * this.threads && p.speedup >= 0.9 * this.threads;
    let state = await probe();
    let logged = false;
    while (!quiet(state) && performance.now() - t0 < limit) {
      if (!logged) log(`machine busy before ${what} (${this.threads} spinning threads got ${state.capacity.toFixed(2)} cores and ran ${state.speedup.toFixed(2)}x as fast as one); waiting`);
      logged = true;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      state = await probe();
    }
    const capacity = state.capacity;
    this.lastSpeedup = state.speedup;
    const seconds = (performance.now() - t0) / 1000;
    this.budgetSeconds = Math.max(0, this.budgetSeconds - seconds);
    this.waitedSeconds += seconds;
    this.waits += 1;
    if (!quiet(state)) this.busyStarts += 1;
    this.lastCapacity = capacity;
    return capacity;
  }
}

/** Round trip of one piscina task, as the main thread sees it (run() to resolution), µs. */
export interface RoundTrip {
  readonly p50: number;
  readonly p99: number;
}

/**
 * What a pool cycle pays before any plugin runs: piscina round trips (post, wake the worker, clone the task and its
 * result, resolve) of a task that does nothing, with no payload and with `entries` small plugin entries like a
 * cycle's `{ id, state }` list, echoed back. Sequential runs on a pool of `threads` after a warm-up.
 */
export async function measurePiscinaRoundTrip(dir: string, threads: number, entries: number, runs = 1000): Promise<{ empty: RoundTrip; entries: RoundTrip }> {
  const { Piscina } = await import('piscina');
  const file = path.join(dir, 'echo-worker.mjs');
  fs.writeFileSync(file, 'export default function echo(task) { return task; }\n');
  const pool = new Piscina({ filename: pathToFileURL(file).href, minThreads: threads, maxThreads: threads });
  const payload = Array.from({ length: entries }, (_, i) => ({ id: `bench-plugin-${i}`, state: { evaluations: i, lastWeight: 0.25 } }));
  const measure = async (task: unknown): Promise<RoundTrip> => {
    for (let i = 0; i < Math.ceil(runs / 4); i++) await pool.run(task);
    const micros: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await pool.run(task);
      micros.push((performance.now() - t0) * 1000);
    }
    return { p50: percentile(micros, 50), p99: percentile(micros, 99) };
  };
  try {
    return { empty: await measure(0), entries: await measure(payload) };
  } finally {
    await pool.destroy();
  }
}
