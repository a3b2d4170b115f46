import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShError, type ShError } from '../../core/index.js';
import { buildMlpModel, writeTestModels } from '../../adapters/inference/onnx/fixtures/test-models.js';
import { main } from '../../host/cli/main.js';
import { loadConfig } from '../../host/config/load-config.js';
import { runHost } from '../../host/run-host.js';
import { tempDir } from './fixtures.js';

/**
 * The host side of DESIGN.md §8 through runHost: plugins that declare models need the registry to hold them (exit 2
 * otherwise, before anything runs), the execution provider in use is reported on /healthz and in the metrics (CUDA
 * requested where it cannot load falls back to CPU), and the inference metrics are filled from the main thread's
 * provider (inline) or from what the pool workers return with their results.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const ML_PLUGINS = 'test/fixtures/plugins/ml';

/** The demo profile with the two fixture plugins that score `mlp`, plus mean-reversion (no model; demo's settings name it). */
function config(overrides: Record<string, unknown>) {
  return loadConfig({
    profile: 'demo',
    env: {},
    overrides: { 'plugins.dirs': [ML_PLUGINS], 'plugins.paths': ['plugins/mean-reversion/index.ts'], 'run.start': '2019-01-02', 'run.end': '2019-03-29', 'run.progressEvery': 0, 'journal.synchronous': 'normal', ...overrides },
  });
}

async function rejection(promise: Promise<unknown>): Promise<ShError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isShError(error)) throw new Error(`expected an ShError, got ${String(error)}`);
  return error;
}

describe('runHost with plugins that use models', () => {
  let dir: string;
  let registry: string;

  beforeAll(async () => {
    dir = tempDir('sh-inference-host-');
    await writeTestModels(path.join(dir, 'models'), [buildMlpModel()]);
    registry = path.join(dir, 'models', 'registry.json');
    fs.writeFileSync(registry, JSON.stringify({ models: { mlp: { file: 'mlp.onnx' } } }));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start (exit 2) when no registry is configured, naming each plugin and its model', async () => {
    const error = await rejection(runHost({ config: config({ 'inference.registry': '' }), dataDir: path.join(dir, 'none'), log: () => undefined }));
    expect(error.code).toBe('SH_ERR_INFERENCE_MODEL_UNKNOWN');
    expect(error.exitCode).toBe(2);
    expect(error.problems.map((p) => p.message)).toEqual([
      'plugin fixture-mlp-contrarian declares model mlp, but no model registry is configured (inference.registry is empty)',
      'plugin fixture-mlp-direction declares model mlp, but no model registry is configured (inference.registry is empty)',
    ]);
  });

  it('refuses to start when the registry lacks a declared model; the CLI exits 2', async () => {
    const other = path.join(dir, 'models', 'other.json');
    fs.writeFileSync(other, JSON.stringify({ models: {} }));
    const error = await rejection(runHost({ config: config({ 'inference.registry': other }), dataDir: path.join(dir, 'lacking'), log: () => undefined }));
    expect(error.code).toBe('SH_ERR_INFERENCE_MODEL_UNKNOWN');
    expect(error.message).toContain('plugin fixture-mlp-contrarian declares model mlp, but the model registry');
    let stderr = '';
    const code = await main(['run', '--profile', 'demo', '--data-dir', path.join(dir, 'cli'), '--set', `plugins.dirs=${JSON.stringify([ML_PLUGINS])}`, '--set', 'plugins.paths=["plugins/mean-reversion/index.ts"]', '--set', `inference.registry=${other}`], () => undefined, (t) => (stderr += t));
    expect(code).toBe(2);
    expect(stderr).toContain('SH_ERR_INFERENCE_MODEL_UNKNOWN');
  });

  it('refuses to start when a model file does not match its card (hash checked in the main thread)', async () => {
    const bad = path.join(dir, 'tampered');
    await writeTestModels(bad, [buildMlpModel()]);
    fs.writeFileSync(path.join(bad, 'mlp.onnx'), buildMlpModel({ seed: 99 }).bytes);
    fs.writeFileSync(path.join(bad, 'registry.json'), JSON.stringify({ models: { mlp: { file: 'mlp.onnx' } } }));
    const error = await rejection(runHost({ config: config({ 'inference.registry': path.join(bad, 'registry.json'), 'executor.kind': 'pool' }), dataDir: path.join(dir, 'tampered-data'), log: () => undefined }));
    expect(error.code).toBe('SH_ERR_INFERENCE_HASH_MISMATCH');
    expect(error.exitCode).toBe(2);
  });

  it.each(['inline', 'pool'] as const)('%s: CUDA requested falls back to CPU as /healthz says; the inference metrics fill', async (executor) => {
    const port = await freePort();
    const lines: string[] = [];
    let health: Record<string, unknown> = {};
    let metrics = '';
    let polling = true;
    const poll = (async () => {
      while (polling) {
        await new Promise((r) => setTimeout(r, 50));
        try {
          const h = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
          if (h.status !== 'running') continue;
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          health = h;
          metrics = text;
          if (/strategy_host_inference_rows_total\{[^}]*\} [1-9]/.test(text)) return;
        } catch {
          // not listening yet
        }
      }
    })();
    const summary = await runHost({
      config: config({
        'inference.registry': registry,
        'inference.executionProviders': ['cuda', 'cpu'],
        'executor.kind': executor,
        'executor.threads': 2,
        'run.mode': 'paper',
        'run.replayDelayMs': 15,
        'http.port': port,
      }),
      dataDir: path.join(dir, `run-${executor}`),
      log: (line) => lines.push(line),
    });
    polling = false;
    await poll;
    expect(summary.plugins.every((p) => p.fault === undefined)).toBe(true);
    expect(summary.plugins.filter((p) => p.id.startsWith('fixture-mlp')).map((p) => p.signals)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(summary.plugins.filter((p) => p.id.startsWith('fixture-mlp')).every((p) => p.signals > 0)).toBe(true);

    const inference = health.inference as { provider: string; requestedProviders: string[]; fallbacks: { provider: string; reason: string }[]; models: { id: string; provider: string; runs: number; rows: number }[] };
    expect(inference.requestedProviders).toEqual(['cuda', 'cpu']);
    // onnxruntime-node's bundled build has no CUDA provider: CUDA fails to load and CPU runs (a CUDA build would run it).
    if (inference.provider === 'cpu') {
      expect(inference.fallbacks).toEqual([{ provider: 'cuda', reason: expect.any(String) }]);
      expect(inference.fallbacks[0]!.reason.length).toBeGreaterThan(0);
    } else {
      expect(inference).toMatchObject({ provider: 'cuda', fallbacks: [] });
    }
    const active = inference.provider;
    expect(inference.models).toEqual([expect.objectContaining({ id: 'mlp', provider: active })]);
    expect(inference.models[0]!.rows).toBeGreaterThan(0);
    expect(lines.some((l) => l.startsWith(`inference: 1 model(s) (mlp@1.0.0) on execution provider ${active} (requested cuda, cpu`))).toBe(true);

    expect(metrics).toContain(`strategy_host_inference_execution_provider{provider="${active}"} 1`);
    if (active === 'cpu') expect(metrics).toContain('strategy_host_inference_execution_provider{provider="cuda"} 0');
    expect(metrics).toMatch(new RegExp(`strategy_host_inference_rows_total\\{model_id="mlp",provider="${active}"\\} [1-9]`));
    expect(metrics).toMatch(/strategy_host_inference_batch_rows_bucket\{le="4",model_id="mlp"\} [1-9]/);
    expect(metrics).toMatch(/strategy_host_inference_queue_wait_seconds_count [1-9]/);
    expect(metrics).toMatch(new RegExp(`strategy_host_inference_seconds_count\\{model_id="mlp",provider="${active}"\\} [1-9]`));
  }, 120_000);
});
