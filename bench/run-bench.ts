/**
 * `npm run bench`: pool vs inline throughput, decision-cycle latency, backtest throughput and batched inference, measured in one run,
 * written to docs/benchmarks.md. A benchmark, not a test: nothing here fails on a missed target.
 *
 * BENCH_QUICK=1 runs a short smoke version and writes its report to the OS temp directory instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShError } from '../core/index.js';
import { measureBacktest } from './backtest.js';
import { measureInference } from './inference.js';
import { measureLatency } from './latency.js';
import { buildBenchStore, decisionTimes, log, machineInfo, measurePiscinaRoundTrip, probeCpuCapacity, probeParallelSpeedup, QuietGate, tempDir, type PluginMix } from './lib/common.js';
import { renderReport, type BenchParameters } from './report.js';
import { measureScenario } from './throughput.js';

const QUICK = process.env.BENCH_QUICK === '1';
/** Most seconds the whole run may spend waiting for a quiet machine (the machine may be shared). */
const WAIT_BUDGET_SECONDS = 150;

/** Compute-heavy: every plugin does substantial work (hundreds of µs per evaluation). */
const HEAVY: PluginMix = { name: 'heavy', heavy: { count: 4, work: 220 }, medium: { count: 8, work: 120 }, light: { count: 30, work: 50 } };
/** Light: tiny work per evaluation (a few passes over the window). */
const LIGHT: PluginMix = { name: 'light', heavy: { count: 4, work: 8 }, medium: { count: 8, work: 3 }, light: { count: 30, work: 1 } };
/** Section 2 uses the light mix under its own ids. */
const PAPER: PluginMix = { ...LIGHT, name: 'paper' };

const PARAMS: BenchParameters = QUICK
  ? { cycles: 30, rounds: 1, warmupCycles: 3, historyTimes: 60, paperCycles: 30, paperRounds: 1, paperWarmupCycles: 10 }
  : { cycles: 300, rounds: 6, warmupCycles: 20, historyTimes: Number.POSITIVE_INFINITY, paperCycles: 250, paperRounds: 4, paperWarmupCycles: 50 };
const BACKTEST = QUICK ? { start: '2019-01-01', end: '2019-06-30', warmupDays: 800 } : { start: '2012-01-01', end: '2019-12-31', warmupDays: 800 };

async function main(): Promise<void> {
  const started = performance.now();
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel} x ${machine.cores}, ${machine.totalMemoryGiB.toFixed(1)} GiB, node ${machine.node}, load ${machine.loadAverageStart.map((x) => x.toFixed(2)).join(' ')}${QUICK ? ' (QUICK mode)' : ''}`);
  const gate = new QuietGate(machine.availableParallelism, QUICK ? 0 : WAIT_BUDGET_SECONDS);
  await gate.wait('the run');
  const capacityStart = await probeCpuCapacity(machine.availableParallelism);
  log(`cpu capacity probe: ${machine.availableParallelism} spinning threads got ${capacityStart.toFixed(2)} cores`);
  const dir = tempDir('strategy-host-bench-');
  log(`generated plugin modules and journals go to ${dir}`);
  try {
    const { store, adapter } = await buildBenchStore();
    const times = decisionTimes(store);
    const instruments = new Map((await adapter.instruments()).map((i) => [i.symbol, i]));
    const historyTimes = Math.min(times.length, PARAMS.historyTimes);
    const params: BenchParameters = { ...PARAMS, historyTimes };
    log(`store: ${store.ids().join(', ')}; ${times.length} decision times with full windows`);

    const parallelStart = await probeParallelSpeedup(machine.availableParallelism);
    log(`parallel ceiling: ${machine.availableParallelism} threads did the bench arithmetic ${parallelStart.speedup.toFixed(2)}x as fast as one`);
    const roundTrip = await measurePiscinaRoundTrip(dir, machine.availableParallelism, 42);
    log(`piscina round trip: empty task p50 ${roundTrip.empty.p50.toFixed(0)} µs, p99 ${roundTrip.empty.p99.toFixed(0)} µs; 42 entries p50 ${roundTrip.entries.p50.toFixed(0)} µs, p99 ${roundTrip.entries.p99.toFixed(0)} µs`);
    log('section 1: pool vs inline throughput');
    const heavy = await measureScenario({ store, times, dir, mix: HEAVY, cycles: params.cycles, rounds: params.rounds, warmupCycles: params.warmupCycles, historyTimes, gate });
    const light = await measureScenario({ store, times, dir, mix: LIGHT, cycles: params.cycles, rounds: params.rounds, warmupCycles: params.warmupCycles, historyTimes, gate });

    log('section 2: decision-cycle latency (engine, paper mode)');
    await gate.wait('section 2');
    const latency = await measureLatency({ store, instruments, dir, mix: PAPER, cycles: params.paperCycles, warmupCycles: params.paperWarmupCycles, rounds: params.paperRounds, gate });

    log('section 3: whole-engine backtest');
    await gate.wait('section 3');
    const backtest = await measureBacktest({ dir, ...BACKTEST });

    log('section 4: inference, batched vs one call per row');
    await gate.wait('section 4');
    const inference = await measureInference({ dir, callers: 42, secondsPerMode: QUICK ? 0.5 : 3 });

    const parallelEnd = await probeParallelSpeedup(machine.availableParallelism);
    log(`parallel ceiling: ${machine.availableParallelism} threads did the bench arithmetic ${parallelEnd.speedup.toFixed(2)}x as fast as one`);
    const capacityEnd = await probeCpuCapacity(machine.availableParallelism);
    log(`cpu capacity probe: ${machine.availableParallelism} spinning threads got ${capacityEnd.toFixed(2)} cores`);
    const totalSeconds = (performance.now() - started) / 1000;
    const markdown = renderReport({
      machine,
      loadAverageEnd: os.loadavg(),
      cpuCapacity: { start: capacityStart, end: capacityEnd },
      parallelSpeedup: { start: parallelStart.speedup, end: parallelEnd.speedup },
      roundTrip,
      quiet: { waits: gate.waits, waitedSeconds: gate.waitedSeconds, busyStarts: gate.busyStarts, budgetSeconds: QUICK ? 0 : WAIT_BUDGET_SECONDS },
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      totalSeconds,
      parameters: params,
      heavy,
      light,
      latency,
      backtest,
      inference,
    });
    const target = QUICK ? path.join(os.tmpdir(), 'strategy-host-benchmarks-quick.md') : fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
    fs.writeFileSync(target, `${markdown}\n`);
    log(`done in ${totalSeconds.toFixed(0)} s; wrote ${QUICK ? target : 'docs/benchmarks.md'}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const text = error instanceof ShError ? `${error.render()}\n${error.stack ?? ''}` : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`[bench] failed: ${text}\n`);
  process.exitCode = 1;
});
