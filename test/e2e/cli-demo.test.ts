import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../host/paths.js';
import { tempDir } from '../integration/fixtures.js';

const CLI = path.join(REPO_ROOT, 'bin', 'strategy-host.js');
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SH_') && k !== 'KILL_SWITCH' && k !== 'ALLOW_SUBMIT'));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

describe('strategy-host run through the CLI', () => {
  it('the demo profile runs end to end: summary table on stdout, JSON summary, journal in --data-dir', () => {
    const dir = tempDir();
    const summaryFile = path.join(dir, 'out', 'summary.json');
    const result = spawnSync(process.execPath, [CLI, 'run', '--profile', 'demo', '--data-dir', path.join(dir, 'data'), '--summary', summaryFile], { cwd: REPO_ROOT, env: cleanEnv, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/plugin\s+mode\s+signals\s+trades\s+P&L\s+return\s+Sharpe\s+max DD/);
    for (const id of ['tsmom', 'gold-silver-ratio', 'mean-reversion']) expect(result.stdout).toContain(id);
    expect(result.stderr).toMatch(/cycle \d+\/\d+ \d{4}-\d{2}-\d{2}/);
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    expect(summary.mode).toBe('backtest');
    expect(summary.cycles).toBeGreaterThan(700);
    expect(summary.orders).toBeGreaterThan(0);
    expect(summary.fills).toBeGreaterThan(0);
    const byId = Object.fromEntries(summary.plugins.map((p: { id: string }) => [p.id, p]));
    expect(byId['mean-reversion'].mode).toBe('shadow');
    expect(byId.tsmom.mode).toBe('live');
    for (const p of summary.plugins) {
      expect(Number.isFinite(p.pnl) && Number.isFinite(p.sharpe) && p.maxDrawdown >= 0 && p.maxDrawdown <= 1, p.id).toBe(true);
      expect(p.fault, p.id).toBeUndefined();
    }
    // Every plugin of plugins/ runs; the foundation three trade on the synthetic world. (seasonality-pm may rightly
    // find no significant month there: the synthetic world has no calendar effects.)
    expect(summary.plugins.length).toBe(fs.readdirSync(path.join(REPO_ROOT, 'plugins')).length);
    for (const id of ['tsmom', 'gold-silver-ratio', 'mean-reversion']) expect(byId[id].signals, id).toBeGreaterThan(0);
    expect(Number.isFinite(summary.account.finalEquity)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'data', 'journal.sqlite'))).toBe(true);
  });

  it('a paper run serves /metrics and /healthz while it runs', async () => {
    const dir = tempDir();
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'run', '--profile', 'paper', '--data-dir', dir, '--http-port', String(port), '--set', 'run.replayDelayMs=20', '--set', 'run.end=2019-03-31', '--set', 'broker.kind=paper'], { cwd: REPO_ROOT, env: cleanEnv });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    try {
      let metrics = '';
      let health: Record<string, unknown> = {};
      for (let attempt = 0; attempt < 150; attempt++) {
        await new Promise((r) => setTimeout(r, 100));
        try {
          const h = await fetch(`http://127.0.0.1:${port}/healthz`);
          health = (await h.json()) as Record<string, unknown>;
          if (health.status !== 'running') continue;
          metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          if (/strategy_host_cycles_total \d*[1-9]/.test(metrics)) break;
        } catch {
          // not listening yet
        }
      }
      expect(health).toMatchObject({ status: 'running', profile: 'paper' });
      for (const name of ['strategy_host_cycle_latency_seconds_bucket', 'strategy_host_plugin_evaluation_seconds', 'strategy_host_signals_total', 'strategy_host_order_intents_total', 'strategy_host_risk_decisions_total', 'strategy_host_orders_total', 'strategy_host_fills_total', 'strategy_host_pool_queue_size', 'strategy_host_cycles_total']) {
        expect(metrics, name).toContain(name);
      }
      expect(metrics).toMatch(/strategy_host_risk_decisions_total\{guard="kill-switch",result="pass"\} [1-9]/);
    } finally {
      const code = await exited;
      expect(code, stderr).toBe(0);
    }
  });
});
