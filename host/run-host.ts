import fs from 'node:fs';
import os from 'node:os';
import {
  buildGuards,
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
import { startHttpServer, type HealthState, type HostServer } from './http/server.js';
import type { HostMetrics } from './metrics.js';
import { loadPlugins, type LoadedPlugin } from './plugins/loader.js';

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
  const health: HealthState = { status: 'starting', profile: config.profile };
  let server: HostServer | undefined;
  if (config.http.port > 0) {
    server = await startHttpServer(metrics, () => health, { port: config.http.port, host: config.http.host });
    log(`http: /metrics and /healthz on http://${config.http.host}:${server.port}`);
    options.onListening?.(server.port);
  }
  const plugins = await loadPlugins({ dirs: config.plugins.dirs, paths: config.plugins.paths, settings: config.plugins.settings, defaultMode: config.plugins.defaultMode });
  const enabled = plugins.filter((p) => p.mode !== 'disabled');
  const { store, instruments } = await loadData(container.resolve<MarketDataAdapter>(TOKENS.MarketData), plugins, config.run);
  const journal = container.resolve<Journal>(TOKENS.Journal);
  const broker = container.resolve<BrokerFactory>(TOKENS.BrokerFactory)(instruments);
  await broker.connect();
  const executor = makeExecutor(config, store, enabled);
  const runId = newRunId(Date.now(), Math.random().toString(36).slice(2, 6));
  Object.assign(health, { status: 'running', runId, executor: executor.kind, tier: config.killSwitch.initialTier });
  journal.startRun({ runId, profile: config.profile, mode: config.run.mode === 'paper' ? 'paper' : 'backtest', startedAt: Date.now(), config: redact(config) });
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
        allowSubmit: config.allowSubmit,
        initialTier: config.killSwitch.initialTier as KillTier,
      },
      store,
      instruments,
      plugins,
      executor,
      broker,
      journal,
      metrics,
      risk: new RiskChain(buildGuards(config.risk.guards as GuardConfig[])),
      log,
    });
    const summary = await engine.run();
    journal.endRun(runId, 'completed', summary);
    health.status = 'completed';
    return summary;
  } catch (error) {
    health.status = 'failed';
    journal.endRun(runId, 'failed', { error: String(error) });
    throw error;
  } finally {
    await executor.close();
    await broker.disconnect();
    journal.close();
    await server?.close();
  }
}

function makeExecutor(config: HostConfig, store: SeriesStore, enabled: readonly LoadedPlugin[]): Executor {
  const specs = enabled.map((p) => ({ id: p.id, modulePath: p.modulePath, params: p.params, definition: p.definition }));
  if (chooseExecutorKind(config, enabled.length) === 'inline') return new InlineExecutor(store, specs);
  return new PoolExecutor(store, specs, { threads: config.executor.threads, chunks: config.executor.chunks, taskTimeoutMs: config.executor.taskTimeoutMs });
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
