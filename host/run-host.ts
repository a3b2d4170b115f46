import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildGuards,
  isSimulatedBroker,
  DEFAULT_STALE_DATA,
  evaluateBreakers,
  isStale as isStaleDependency,
  resolveBreakerConfig,
  strongestTrip,
  type DataDependency,
  type StaleDataConfig,
  newRunId,
  parseDate,
  RiskChain,
  ShError,
  type GuardConfig,
  type Journal,
  type KillTier,
  type MarketDataAdapter,
  type SeriesStore,
} from '../core/index.js';

import type { HostConfig } from './config/load-config.js';
import { createRunContainer, TOKENS, type BrokerFactory } from './container.js';
import { loadData } from './data/load-data.js';
import { Engine } from './engine/engine.js';
import type { RunSummary } from './engine/summary.js';
import type { Executor } from './executor/executor.js';
import { InlineExecutor } from './executor/inline.js';
import { PoolExecutor } from './executor/pool.js';
import { startHttpServer, type HealthState } from './http/server.js';
import type { HostMetrics } from './metrics.js';
import { loadPlugins, type LoadedPlugin } from './plugins/loader.js';
import { openKillSwitch } from './kill-switch/open-kill-switch.js';
import type { SqliteJournal } from './journal/sqlite-journal.js';
import { prepareResume } from './resume.js';
import { ensureVenue } from './venue-launcher.js';
import { HeartbeatWriter } from './watchdog/heartbeat.js';
import { ReconciliationLog } from './reconcile/reconciliation-log.js';
import { Reconciler } from './reconcile/reconciler.js';
import type { ReconcileOutcome } from './reconcile/reconcile-types.js';
import { controlApi } from './http/control-api.js';
import type { OpenedInference } from './inference/open-inference.js';
import { providerScorer } from './inference/scorer.js';
import { observeProvider, recordExecutionProvider, recordInferenceStats, WorkerTally, type InferenceStats } from './inference/stats.js';

export interface RunOptions {
  readonly config: HostConfig;
  readonly dataDir: string;
  readonly log: (line: string) => void;
  /** Called with the bound port once the HTTP server listens. */
  readonly onListening?: (port: number) => void;
}

/** Choose the executor: auto uses the pool from `autoMinPlugins` enabled plugins on. */
export function chooseExecutorKind(config: HostConfig, enabled: number): 'pool' | 'inline' {
  if (config.executor.kind === 'auto') return enabled >= config.executor.autoMinPlugins && os.availableParallelism() > 1 ? 'pool' : 'inline';
  return config.executor.kind;
}

/** Everything a `strategy-host run` does: load plugins and data, wire adapters, run the engine, return the summary. */
export async function runHost(options: RunOptions): Promise<RunSummary> {
  const { config, dataDir, log } = options;
  ensureDataDir(dataDir);
  const container = createRunContainer(config, dataDir);
  const metrics = container.resolve<HostMetrics>(TOKENS.Metrics);
  const journal = container.resolve<Journal>(TOKENS.Journal);
  const health: HealthState = { status: 'starting', profile: config.profile };
  // Whatever is opened is closed on every path, in reverse order: an early error must not leave a server running.
  const closers: (() => unknown)[] = [() => journal.close()];
  try {
    const { controller: killSwitch, store: killStore } = openKillSwitch(config, dataDir, (from, to, operator, reason) => {
      metrics.killSwitchTransitions.inc({ from, to });
      health.tier = to;
      journal.recordOperatorAction(null, { time: Date.now(), operator, action: 'kill-switch', detail: { from, to, reason } });
      log(`kill switch ${from} -> ${to} by ${operator}: ${reason}`);
    });
    closers.push(() => killStore.close());
    if (config.killSwitch.initialTier !== 'ACTIVE') killSwitch.escalate(config.killSwitch.initialTier as KillTier, 'KILL_SWITCH / killSwitch.initialTier at start', 'env');
    health.tier = killSwitch.poll();
    if (config.http.port > 0) {
      const refused = (attempt: object): void => journal.recordOperatorAction(null, { time: Date.now(), operator: 'unknown', action: 'control-unauthorized', detail: attempt });
      const server = await startHttpServer(metrics, () => health, { port: config.http.port, host: config.http.host, control: controlApi(config, () => killSwitch, metrics, refused) });
      closers.push(() => server.close());
      log(`http: /metrics, /healthz and /control on http://${config.http.host}:${server.port}`);
      options.onListening?.(server.port);
    }
    const plugins = await loadPlugins({ dirs: config.plugins.dirs, paths: config.plugins.paths, settings: config.plugins.settings, defaultMode: config.plugins.defaultMode });
    const enabled = plugins.filter((p) => p.mode !== 'disabled');
    const inference = await startInference(config, enabled, metrics, log);
    if (inference) {
      closers.push(() => inference.opened.provider.close());
      Object.defineProperty(health, 'inference', { enumerable: true, get: () => inference.tally.apply(inference.opened.provider.describe()) });
    }
    const { store, instruments } = await loadData(container.resolve<MarketDataAdapter>(TOKENS.MarketData), plugins, config.run);
    if (config.broker.kind === 'venue') await ensureVenue({ ...config.broker.venue, dataDir, initialCash: config.run.capital, log });
    const broker = container.resolve<BrokerFactory>(TOKENS.BrokerFactory)(instruments);
    await broker.connect();
    closers.push(() => broker.disconnect());
    // A paper run of this profile that did not finish (a crash) resumes: same run id, next cycle, broker's positions.
    const resume = config.run.mode === 'paper' ? await prepareResume(journal as SqliteJournal, config.profile, broker) : undefined;
    if (resume) {
      log(`resuming run ${resume.runId} after ${Number.isFinite(resume.afterTime) ? new Date(resume.afterTime).toISOString() : 'its start (no state snapshot yet)'}: ${resume.states.size} plugin states, ${resume.positions.length} positions from the broker, ${resume.adoptedOrders} orders adopted, ${resume.neverSent} intents never sent, ${resume.recoveredFills} fills recovered`);
    }
    const executor = makeExecutor(config, store, enabled, inference && { opened: inference.opened, onStats: (stats) => (inference.tally.add(stats), recordInferenceStats(metrics, stats)) });
    closers.push(() => executor.close());
    const breakers = resolveBreakerConfig(config.risk.breakers, 'risk.breakers');
    const guardConfigs = config.risk.guards as GuardConfig[];
    const staleConfig = guardConfigs.find((g) => g.name === 'stale-data');
    const staleRule = staleConfig ? { ...DEFAULT_STALE_DATA, ...(staleConfig as Partial<StaleDataConfig>) } : DEFAULT_STALE_DATA;
    const isStale = (d: DataDependency, now: number): boolean => isStaleDependency(d, now, staleRule);
    const runId = resume?.runId ?? newRunId(Date.now(), Math.random().toString(36).slice(2, 6));
    Object.assign(health, { status: 'running', runId, executor: executor.kind, tier: killSwitch.state().tier });
    const heartbeat = new HeartbeatWriter({ dataDir, runId, intervalMs: config.watchdog.heartbeatMs });
    heartbeat.start();
    let healthy = false;
    closers.push(() => heartbeat.stop(healthy));
    if (!resume) journal.startRun({ runId, profile: config.profile, mode: config.run.mode === 'paper' ? 'paper' : 'backtest', startedAt: Date.now(), config: redact(config) });
    try {
      const engine = new Engine({
        settings: {
          runId,
          mode: config.run.mode,
          from: parseDate(config.run.start),
          to: parseDate(config.run.end) + 86_400_000 - 1,
          capital: config.run.capital,
          allocator: { capital: config.run.capital, ...config.allocator },
          costs: config.broker.paper,
          minTradeNotional: config.execution.minTradeNotional,
          faultPolicy: config.plugins.faultPolicy,
          stateSnapshotEvery: config.run.stateSnapshotEvery,
          progressEvery: config.run.progressEvery,
          replayDelayMs: config.run.replayDelayMs,
          gcBetweenCycles: config.run.gcBetweenCycles,
          allowSubmit: config.allowSubmit,
          initialTier: killSwitch.state().tier,
        },
        store,
        instruments,
        plugins,
        executor,
        broker,
        journal,
        metrics,
        risk: new RiskChain(buildGuards(guardConfigs)),
        log,
        killSwitch,
        isStale,
        ...(resume ? { resumeStates: resume.states, resume } : {}),
        submitTimeoutMs: config.broker.venue.submitTimeoutMs,
        beforeCycle: async (cycle) => {
          heartbeat.beat(cycle);
          // Reconciliation at start and then every interval, between cycles so it never overlaps order flow.
          if (reconciler && Date.now() - lastReconcile >= config.reconcile.intervalMs) {
            lastReconcile = Date.now();
            applyPass(await reconciler.reconcileOnce());
          }
        },
        afterCycle: (cycle) => {
          health.cycle = cycle.cycle;
          health.tier = cycle.tier;
          // The automatic breakers: escalation only, journaled by the kill switch like any other request.
          const staleSeries = cycle.riskState.staleSeries(cycle.time, (d) => isStale(d, cycle.time));
          const trip = strongestTrip(evaluateBreakers({ ...cycle, staleSeries }, breakers));
          if (trip) killSwitch.escalate(trip.tier, `breaker ${trip.breaker}: ${trip.reason}`, 'breaker');
        },
      });
      // Paper and live runs reconcile with the broker (the truth); a backtest's in-process simulator cannot differ.
      const reconcileLog = config.run.mode === 'paper' ? new ReconciliationLog(path.join(dataDir, config.journal.file)) : undefined;
      if (reconcileLog) closers.push(() => reconcileLog.close());
      const reconciler = reconcileLog
        ? new Reconciler({
            broker,
            runId,
            log: reconcileLog,
            hostView: () => engine.reconcileView(),
            policy: config.reconcile.policy,
            notionalTolerance: config.reconcile.notionalTolerance,
            quantityTolerance: config.reconcile.quantityTolerance,
            prices: (s) => (isSimulatedBroker(broker) ? broker.lastPrice(s) : undefined),
            killSwitch,
            submitClosingOrder: (request) => engine.submitClosingOrder(request),
            cancelOrder: (clientOrderId) => broker.cancel(clientOrderId),
          })
        : undefined;
      // Passes run between cycles (not on the reconciler's own timer), so their outcome is applied here.
      const applyPass = (outcome: ReconcileOutcome): void => {
        engine.adopt(outcome.adopt, outcome.orders);
        if (outcome.reconciliation.differences.length > 0) log(`reconciliation: ${outcome.reconciliation.differences.length} difference(s) with ${broker.id}, policy ${outcome.policy}`);
      };
      let lastReconcile = Number.NEGATIVE_INFINITY;
      const summary = await engine.run();
      healthy = true;
      journal.endRun(runId, 'completed', summary);
      health.status = 'completed';
      return summary;
    } catch (error) {
      health.status = 'failed';
      journal.endRun(runId, 'failed', { error: String(error) });
      throw error;
    }
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

/**
 * Inference for the enabled plugins that declare models (DESIGN.md §8), or undefined when none does: the registry is
 * checked and the models loaded in the main thread before anything runs (errors exit 2), the execution provider in use
 * is logged and exported, and the provider's batches and runs feed the metrics. onnxruntime is imported only here.
 */
async function startInference(config: HostConfig, enabled: readonly LoadedPlugin[], metrics: HostMetrics, log: (line: string) => void): Promise<{ opened: OpenedInference; tally: WorkerTally } | undefined> {
  const usesModels = enabled.some((p) => p.prepared.models.length > 0);
  if (!usesModels && config.inference.registry.trim() === '') return undefined;
  const { openInference, describeLine } = await import('./inference/open-inference.js');
  const opened = await openInference(config, enabled);
  if (!opened) {
    log(`inference: model registry ${config.inference.registry} checked; no enabled plugin declares a model`);
    return undefined;
  }
  const description = opened.provider.describe();
  log(describeLine(description));
  recordExecutionProvider(metrics, description);
  observeProvider(metrics, opened.provider);
  return { opened, tally: new WorkerTally() };
}

interface ExecutorInference {
  readonly opened: OpenedInference;
  readonly onStats: (stats: InferenceStats) => void;
}

function makeExecutor(config: HostConfig, store: SeriesStore, enabled: readonly LoadedPlugin[], inference?: ExecutorInference): Executor {
  const specs = enabled.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }));
  if (chooseExecutorKind(config, enabled.length) === 'inline') return new InlineExecutor(store, specs, inference ? { scorer: providerScorer(inference.opened.provider) } : {});
  return new PoolExecutor(store, specs, {
    threads: config.executor.threads,
    chunks: config.executor.chunks,
    taskTimeoutMs: config.executor.taskTimeoutMs,
    ...(inference ? { inference: inference.opened.worker, onInferenceStats: inference.onStats } : {}),
  });
}

/** Create the data dir or fail with SH_ERR_DATA_DIR_UNWRITABLE. */
export function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK | fs.constants.R_OK);
  } catch (error) {
    throw new ShError('SH_ERR_DATA_DIR_UNWRITABLE', `cannot use data dir ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      where: '--data-dir',
      received: dataDir,
      expected: 'a directory this user can create, read and write',
      fix: 'Pass --data-dir <dir> pointing at a writable location.',
    });
  }
}

/** The config as journaled: operator tokens and other secrets never reach the journal. */
export function redact(config: HostConfig): unknown {
  return JSON.parse(JSON.stringify(config, (key, value) => (/token|secret|password/i.test(key) ? '[redacted]' : value)));
}
