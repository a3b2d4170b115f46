import { schema } from '../config/schema.js';
import type { BacktestSection } from './backtest.js';
import type { InferenceModeFigures, InferenceSection } from './inference.js';
import type { LatencyFigures, LatencySection } from './latency.js';
import { fmt, percentile, type MachineInfo, type PluginMix, type RoundTrip } from './lib/common.js';
import type { ScenarioFigures } from './throughput.js';

export interface BenchParameters {
  readonly cycles: number;
  readonly rounds: number;
  readonly warmupCycles: number;
  readonly historyTimes: number;
  /** Section 2: measured cycles per row and round, rounds, and the warm-up run of each row. */
  readonly paperCycles: number;
  readonly paperRounds: number;
  readonly paperWarmupCycles: number;
}

export interface BenchReport {
  readonly machine: MachineInfo;
  readonly loadAverageEnd: readonly number[];
  /** Cores `availableParallelism` spinning worker threads got, at the start and at the end of the run. */
  readonly cpuCapacity: { readonly start: number; readonly end: number };
  /**
   * How much faster `availableParallelism` threads did the bench plugins' arithmetic than one thread alone (before
   * section 1 and at the end): the ceiling of any executor on this machine at that moment. Absent from older reports.
   */
  readonly parallelSpeedup?: { readonly start: number; readonly end: number };
  /** Piscina round trips of a task that does nothing (bench/lib/common.ts measurePiscinaRoundTrip), µs. */
  readonly roundTrip?: { readonly empty: RoundTrip; readonly entries: RoundTrip };
  /** Waits for a quiet machine before the run, each measurement round and each section. */
  readonly quiet: { readonly waits: number; readonly waitedSeconds: number; readonly busyStarts: number; readonly budgetSeconds: number };
  readonly date: string;
  readonly totalSeconds: number;
  readonly parameters: BenchParameters;
  readonly heavy: ScenarioFigures;
  readonly light: ScenarioFigures;
  readonly latency: LatencySection;
  readonly backtest: BacktestSection;
  /** Section 4; absent from reports written before it existed. */
  readonly inference?: InferenceSection;
}

/** Targets of DESIGN.md / the benchmark brief. */
export const TARGETS = {
  poolSpeedupComputeHeavy: 1.7,
  targetCores: 2,
  cycleP99Ms: 2,
  /** Batched scoring throughput over one session run per row, 42 concurrent callers; judged for each number of rows per call. */
  inferenceBatchedSpeedup: 20,
  /** Batched cost per row at most this multiple of onnxruntime's own cost per row at batch 1024; judged for each number of rows per call. */
  inferencePerRowVsLimit: 2,
} as const;

const ms = (v: number): string => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3)) : v === Number.POSITIVE_INFINITY ? '> 1000' : 'n/a');
const ratio = (v: number): string => `${v.toFixed(2)}x`;
const yes = (ok: boolean): string => (ok ? '**met**' : '**not met**');
const loads = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' / ');

function roundText(s: ScenarioFigures): string {
  return s.roundRatios.map((k, i) => `${ratio(k)} (${(s.roundPoolCores[i] ?? Number.NaN).toFixed(2)}${s.roundCeilings ? `; ceiling ${ratio(s.roundCeilings[i] ?? Number.NaN)}` : ''})`).join(', ');
}

/** Count of faults and their first messages, across measurement rows. */
function faultText(rows: readonly { readonly faults: number; readonly faultMessages: readonly string[] }[]): string {
  const total = rows.reduce((n, x) => n + x.faults, 0);
  if (total === 0) return '0';
  const messages = [...new Set(rows.flatMap((x) => x.faultMessages))].slice(0, 5);
  return `${total} (${messages.map((m) => `"${m.replace(/\|/g, '/')}"`).join('; ')})`;
}

function mixText(mix: PluginMix): string {
  return `${mix.heavy.count} x ${mix.heavy.work} + ${mix.medium.count} x ${mix.medium.work} + ${mix.light.count} x ${mix.light.work} passes`;
}

/** Render docs/benchmarks.md from the figures of one run. Every number comes from `r`. */
export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const heavyCycleRatio = r.heavy.cycle.pool.evaluationsPerSecond / r.heavy.cycle.inline.evaluationsPerSecond;
  const heavyHistoryRatio = r.heavy.history.pool.evaluationsPerSecond / r.heavy.history.inline.evaluationsPerSecond;
  const lightCycleRatio = r.light.cycle.pool.evaluationsPerSecond / r.light.cycle.inline.evaluationsPerSecond;
  const lightHistoryRatio = r.light.history.pool.evaluationsPerSecond / r.light.history.inline.evaluationsPerSecond;
  // The target is judged as the host runs (durable journal, collections between cycles on) at the issue's endpoints,
  // event in -> intents out: the cycle's intents decided by the risk chain. End to end (durable and sent) is shown too.
  const durable = r.latency.results.filter((x) => x.journal === 'file' && x.gcBetweenCycles);
  const durableNoGc = r.latency.results.find((x) => x.journal === 'file' && !x.gcBetweenCycles);
  const inMemory = r.latency.results.filter((x) => x.journal === 'memory');
  const durableInline = durable.find((x) => x.executor === 'inline');
  const durablePool = durable.find((x) => x.executor === 'pool');
  const btInline = r.backtest.results.find((x) => x.executor === 'inline');
  const btPool = r.backtest.results.find((x) => x.executor === 'pool');
  const coresNote = m.availableParallelism === TARGETS.targetCores ? '' : ` (the target is stated for ${TARGETS.targetCores} cores; this machine has ${m.availableParallelism})`;
  const meetsLatency = (x: LatencyFigures | undefined): boolean => x !== undefined && x.decided.p99 < TARGETS.cycleP99Ms;
  const underEndToEnd = (x: LatencyFigures | undefined): boolean => x !== undefined && x.p99 < TARGETS.cycleP99Ms;
  const latencyVerdict = durable.map((x) => `${x.executor}: ${ms(x.decided.p99)} ms ${meetsLatency(x) ? '(met)' : '(not met)'}`).join('; ');
  const anyLatencyMet = durable.some(meetsLatency);
  const normalInline = r.latency.results.find((x) => x.journal === 'file-normal' && x.executor === 'inline');
  const lightInlineCycleUs = (r.light.cycle.inline.cycleMsP50 * 1000).toFixed(0);
  const lightPoolCycleUs = (r.light.cycle.pool.cycleMsP50 * 1000).toFixed(0);
  const out: string[] = [];
  const line = (s = ''): void => {
    out.push(s);
  };

  line('# Benchmarks');
  line();
  line('<!-- Generated by `npm run bench` (bench/run-bench.ts). Do not edit by hand: run it again. -->');
  line();
  line(`Measured on **${m.cpuModel}, ${m.cores} logical CPUs** (available parallelism ${m.availableParallelism}), ${m.totalMemoryGiB.toFixed(1)} GiB RAM, Node ${m.node}, ${m.platform}, on ${r.date}: **one run** of \`npm run bench\` (${r.totalSeconds.toFixed(0)} s). Load average (1/5/15 min) at start ${loads(m.loadAverageStart)}, at end ${loads(r.loadAverageEnd)}; a CPU capacity probe (${m.availableParallelism} worker threads spinning for 1 s) got ${r.cpuCapacity.start.toFixed(2)} cores at the start and ${r.cpuCapacity.end.toFixed(2)} at the end. Before the run, each measurement round of section 1 and each section, the bench probes for about 1 s and waits until ${m.availableParallelism} spinning threads get 90% of ${m.availableParallelism} cores and ${m.availableParallelism} threads of the bench plugins' arithmetic run at least ${(0.9 * m.availableParallelism).toFixed(1)}x as fast as one (a contended host gives every thread CPU time, yet each runs slower) (at most 15 s each time and ${r.quiet.budgetSeconds} s in all): ${r.quiet.waits} probes, ${r.quiet.waitedSeconds.toFixed(0)} s spent probing and waiting, ${r.quiet.busyStarts} of ${r.quiet.waits} measurements started with the machine still busy${Math.min(r.cpuCapacity.start, r.cpuCapacity.end) < m.availableParallelism * 0.9 ? ': other processes shared the machine' : ''}. Machines are noisy: compare ratios, not absolutes.`);
  line();
  if (r.quiet.busyStarts > 0 || Math.min(r.cpuCapacity.start, r.cpuCapacity.end) < 0.9 * m.availableParallelism) {
    line(`> **This run was disturbed by other load on the machine** (${r.quiet.busyStarts} of ${r.quiet.waits} measurements started busy; capacity probe ${r.cpuCapacity.start.toFixed(2)} / ${r.cpuCapacity.end.toFixed(2)} of ${m.availableParallelism} cores). The pool needs every core, so its figures and the pool / inline ratios suffer most; the "cores used" columns show how much CPU each measurement actually got. Run \`npm run bench\` again on a quiet machine before drawing conclusions.`);
    line();
  }
  line('## Targets');
  line();
  line('| Target | Measured | Result |');
  line('| --- | --- | --- |');
  line(`| Pool >= ${TARGETS.poolSpeedupComputeHeavy}x inline throughput, ${r.heavy.plugins} compute-heavy plugins, per-cycle fan-out, ${TARGETS.targetCores} cores${coresNote} | ${ratio(heavyCycleRatio)} (${r.heavy.threads} threads; per round ${ratio(Math.min(...r.heavy.roundRatios))} to ${ratio(Math.max(...r.heavy.roundRatios))}${r.parallelSpeedup ? `; the machine's ceiling, ${r.heavy.threads} threads of the same arithmetic against one: ${ratio(r.parallelSpeedup.start)} before section 1, ${ratio(r.parallelSpeedup.end)} at the end` : ''}) | ${yes(heavyCycleRatio >= TARGETS.poolSpeedupComputeHeavy)} |`);
  const inf = r.inference ? inferenceFigures(r.inference) : undefined;
  line(`| Decision-cycle latency p99 < ${TARGETS.cycleP99Ms} ms, ${r.latency.plugins} light plugins, engine in paper mode with the durable journal: event in -> intents out (fan-out, fills, signals, netting, risk chain: the cycle's intents decided) | ${latencyVerdict}; plugin fan-out alone: ${durable.map((x) => `${x.executor} p99 ${ms(x.fanoutP99)} ms`).join(', ')} | ${anyLatencyMet ? `${yes(true)} by ${durable.filter(meetsLatency).map((x) => x.executor).join(' and ')}` : yes(false)} |`);
  line(`| The same cycles end to end, a stricter measure than the target: the intents also committed to the durable journal (one fsync of the WAL) and sent to the broker | ${durable.map((x) => `${x.executor}: ${ms(x.p99)} ms`).join('; ')}${normalInline ? `; inline with \`journal.synchronous: normal\` (no fsync per commit): ${ms(normalInline.p99)} ms` : ''} | ${durable.some(underEndToEnd) ? `under ${TARGETS.cycleP99Ms} ms by ${durable.filter(underEndToEnd).map((x) => x.executor).join(' and ')}` : `over ${TARGETS.cycleP99Ms} ms with the fsync on this machine's disk`}${normalInline ? (underEndToEnd(normalInline) ? `; under without it` : `; over without it too`) : ''} |`);
  if (r.inference && inf) {
    const section = r.inference;
    const single = inf.rows.find((x) => x.rowsPerCall === 1);
    const waitingText = inf.waiting && single ? `(at 1 row per call the batcher waiting for maxWait: ${ratio(inf.waiting.rowsPerSecond / single.unbatched.rowsPerSecond)})` : '';
    line(`| Batched scoring >= ${TARGETS.inferenceBatchedSpeedup}x the throughput of one run per row, ${section.callers} concurrent callers of ${perCallText(section.rowsPerCall)}, ${modelText(section)} | batched / unbatched rows/s, rows as number[][] (and as one FeatureMatrix): ${inf.rows.map((x) => `${x.rowsPerCall}: ${ratio(x.speedup)}${x.matrix ? ` (${ratio(x.matrixSpeedup)})` : ''}`).join('; ')} ${waitingText} | number[][]: ${verdictByRows(inf.rows.map((x) => ({ rowsPerCall: x.rowsPerCall, ok: x.speedup >= TARGETS.inferenceBatchedSpeedup })))}${matrixVerdict(inf.rows, (x) => x.matrixSpeedup >= TARGETS.inferenceBatchedSpeedup)} |`);
    line(`| Batched cost per row within ${TARGETS.inferencePerRowVsLimit}x of onnxruntime's own batch-1024 cost per row (the practical limit), same callers | wall µs per row batched, and its ratio to the limit of ${fmt(inf.limit, 4)} µs: ${inf.rows.map((x) => `${x.rowsPerCall}: ${fmt(x.batched.wallMicrosPerRow, 3)} µs (${ratio(x.perRowVsLimit)})${x.matrix ? `, FeatureMatrix ${fmt(x.matrix.wallMicrosPerRow, 3)} µs (${ratio(x.matrixPerRowVsLimit)})` : ''}`).join('; ')} | number[][]: ${verdictByRows(inf.rows.map((x) => ({ rowsPerCall: x.rowsPerCall, ok: x.perRowVsLimit <= TARGETS.inferencePerRowVsLimit })))}${matrixVerdict(inf.rows, (x) => x.matrixPerRowVsLimit <= TARGETS.inferencePerRowVsLimit)} |`);
  }
  line();

  line('## 1. Pool vs inline throughput (42 synthetic plugins of mixed cost)');
  line();
  line(`Each plugin is \`makeBenchStrategy(id, work)\` (bench/plugins/bench-strategy.ts): \`work\` EWMA/variance passes over a window of 260 closes of one metal, one signal out. The ${r.heavy.plugins} modules are generated per run under the OS temp directory. Same plugin set on both executors; the pool has threads = cores (${r.heavy.threads}), one task per thread per cycle, the tasks sharing the cycle's plugins by work claiming (heaviest first). Per cycle: ${r.parameters.cycles} timed decision times per executor in ${r.parameters.rounds} rounds alternating inline and pool, after ${r.parameters.warmupCycles} warm-up cycles. History (backtest mode): \`evaluateHistory\` over the last ${r.heavy.history.inline.times} decision times for all plugins (pool: one task per plugin), after a short warm-up.`);
  line();
  line('| Scenario | Plugin mix | Mean evaluation (inline) | Pool cold start (construct + first cycle) |');
  line('| --- | --- | ---: | ---: |');
  for (const s of [r.heavy, r.light]) line(`| ${s === r.heavy ? 'compute-heavy' : 'light'} | ${mixText(s.mix)} | ${fmt(s.meanEvaluationUs, 1)} µs | ${fmt(s.poolColdStartMs)} ms |`);
  line();
  line('| Scenario | Mode | Inline evaluations/s | Pool evaluations/s | Pool / inline | Cores used inline / pool | Inline cycle p50 / p99 | Pool cycle p50 / p99 |');
  line('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const cycleRow = (name: string, s: ScenarioFigures, k: number): void =>
    line(`| ${name} | per cycle (${s.cycle.inline.cycles} cycles) | ${fmt(s.cycle.inline.evaluationsPerSecond)} | ${fmt(s.cycle.pool.evaluationsPerSecond)} | **${ratio(k)}** | ${s.cycle.inline.coresUsed.toFixed(2)} / ${s.cycle.pool.coresUsed.toFixed(2)} | ${ms(s.cycle.inline.cycleMsP50)} / ${ms(s.cycle.inline.cycleMsP99)} ms | ${ms(s.cycle.pool.cycleMsP50)} / ${ms(s.cycle.pool.cycleMsP99)} ms |`);
  const historyRow = (name: string, s: ScenarioFigures, k: number): void =>
    line(`| ${name} | history (${fmt(s.history.inline.evaluations)} plugin-bars) | ${fmt(s.history.inline.evaluationsPerSecond)} | ${fmt(s.history.pool.evaluationsPerSecond)} | **${ratio(k)}** | ${s.history.inline.coresUsed.toFixed(2)} / ${s.history.pool.coresUsed.toFixed(2)} | ${fmt(s.history.inline.seconds, 2)} s total | ${fmt(s.history.pool.seconds, 2)} s total |`);
  cycleRow('compute-heavy', r.heavy, heavyCycleRatio);
  historyRow('compute-heavy', r.heavy, heavyHistoryRatio);
  cycleRow('light', r.light, lightCycleRatio);
  historyRow('light', r.light, lightHistoryRatio);
  const faults1 = [r.heavy, r.light].flatMap((s) => [s.cycle.inline, s.cycle.pool, s.history.inline, s.history.pool]);
  line();
  line(`"Cores used" is the CPU time of the whole process (main thread and workers) divided by wall time while measuring: the pool can only beat inline by as much as it gets more than one core. Pool / inline per round (${r.parameters.rounds} rounds, alternating which executor goes first), with the cores the pool used in that round and the machine's parallel ceiling measured just before it: compute-heavy ${roundText(r.heavy)} (median ${ratio(percentile(r.heavy.roundRatios, 50))}); light ${roundText(r.light)} (median ${ratio(percentile(r.light.roundRatios, 50))}).`);
  line();
  line(`Plugin faults during section 1: ${faultText(faults1)}.`);
  line();

  line(`## 2. Decision-cycle latency (${r.latency.plugins} light plugins, engine in paper mode)`);
  line();
  line(`The real \`Engine\` (host/engine/engine.ts) in \`mode: 'paper'\` (one fan-out per cycle), plugins loaded with \`loadPlugins()\` from generated modules (mix ${mixText(r.latency.mix)}), paper broker, risk chain \`kill-switch, max-order-size (250k), position-limit (400k)\`, \`HostMetrics\`, \`stateSnapshotEvery: 1\`. Each row is the same engine wiring on its own journal, warmed by a ${r.parameters.paperWarmupCycles}-cycle run, then measured in ${r.parameters.paperRounds} rounds of ${r.parameters.paperCycles} cycles (${r.parameters.paperRounds * r.parameters.paperCycles} per row); the rows take turns within a round, in an order that rotates from round to round, after the quiet gate, so a burst of load from elsewhere hits them alike. Percentiles are over all the cycles of a row. Latency is the engine's own figure (market event in -> intents journaled and submitted: fan-out, netting, risk, journal), read from the journal's \`cycles\` table; percentiles by linear interpolation. "Fan-out" is \`executor.evaluateCycle\` alone, timed by a wrapper. The \`/metrics\` column is what the coarse Prometheus histogram can tell (upper bound of the bucket holding p99). "file" is a SqliteJournal in a temp file (WAL, synchronous=FULL, as the host runs: the cycle's risk decisions and intents are committed, durable, before the broker sees them; what a restart recovers from the broker, fills, order updates, signals, snapshots, is held and committed once when the cycle ends, after the latency is taken); "file-normal" is the same file journal with \`journal.synchronous: normal\` (WAL without an fsync per commit: survives a crash of the process, not of the machine); "memory" is \`:memory:\`: both show what durability costs.`);
  line();
  line('"V8 GCs" are the collections V8 started by itself during the measured run (with cycles back to back, most land inside a cycle; some fall in the set-up and summary of each run), with their total pause; "GCs between cycles" are the young-generation collections the engine ran after a cycle had ended (`run.gcBetweenCycles`, on by default: host/engine/safe-point-gc.ts), off the decision path, not counted in any latency. The row marked "no GC between cycles" is the same engine with that setting off.');
  line();
  line(`"To intents decided" is event in to the risk chain's last decision (fan-out, fills, signals, netting, risk): the decision cycle up to its intents, before the journal and the broker. The target (event in, intents out) is judged there. The latency columns go on to the intents durable and sent: the engine's own cycle latency, as \`strategy_host_cycle_latency_seconds\` reports it. The last column tells whether each p99 is under ${TARGETS.cycleP99Ms} ms: decided / end to end.`);
  line();
  line(`| Executor | Journal | Cycles | p50 | p99 | max | mean | p99 per /metrics | To intents decided p50 / p99 | Fan-out p50 | Fan-out p99 | Intents / cycle | V8 GCs (pause) | GCs between cycles (pause) | p99 < ${TARGETS.cycleP99Ms} ms: decided / end to end |`);
  line('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const x of r.latency.results) {
    line(`| ${rowLabel(x, r.latency.threads)} | ${x.journal} | ${x.cycles} | ${ms(x.p50)} ms | ${ms(x.p99)} ms | ${ms(x.max)} ms | ${ms(x.mean)} ms | <= ${ms(x.histogramP99)} ms | ${ms(x.decided.p50)} / ${ms(x.decided.p99)} ms | ${ms(x.fanoutP50)} ms | ${ms(x.fanoutP99)} ms | ${x.intentsPerCycle.toFixed(2)} | ${x.gc.own} (${ms(x.gc.ownMs)} ms) | ${x.gcBetweenCycles ? `${x.gc.between} (${ms(x.gc.betweenMs)} ms)` : 'off'} | ${meetsLatency(x) ? 'yes' : 'no'} / ${underEndToEnd(x) ? 'yes' : 'no'} |`);
  }
  line();
  const phaseNames = Object.keys(r.latency.results[0]?.phases ?? {});
  if (phaseNames.length > 0) {
    line('Where the latency goes: each phase of a cycle (the engine reports them to its cycle observer and in `strategy_host_cycle_phase_seconds`), p50 / p99 in ms. evaluate: plugin fan-out; market: the simulator\'s fills, cancels, virtual books, equity; signals: accepting them; decide: allocation, netting, risk chain; commit: the durable commit of risk decisions and intents; submit: sending the approved intents.');
    line();
    line(`| Executor | Journal | ${phaseNames.join(' | ')} |`);
    line(`| --- | --- | ${phaseNames.map(() => '---:').join(' | ')} |`);
    for (const x of r.latency.results) line(`| ${rowLabel(x)} | ${x.journal} | ${phaseNames.map((p) => `${ms(x.phases[p]?.p50 ?? Number.NaN)} / ${ms(x.phases[p]?.p99 ?? Number.NaN)}`).join(' | ')} |`);
    line();
  }
  line(`Plugin faults during section 2: ${faultText(r.latency.results)}.`);
  line();

  line('## 3. Backtest throughput');
  line();
  line('Plugin-bar evaluations per second of the executors alone, in history mode (from section 1):');
  line();
  line('| Scenario | Inline plugin-bars/s | Pool plugin-bars/s | Pool / inline |');
  line('| --- | ---: | ---: | ---: |');
  line(`| ${r.heavy.plugins} compute-heavy bench plugins | ${fmt(r.heavy.history.inline.evaluationsPerSecond)} | ${fmt(r.heavy.history.pool.evaluationsPerSecond)} | ${ratio(heavyHistoryRatio)} |`);
  line(`| ${r.light.plugins} light bench plugins | ${fmt(r.light.history.inline.evaluationsPerSecond)} | ${fmt(r.light.history.pool.evaluationsPerSecond)} | ${ratio(lightHistoryRatio)} |`);
  line();
  line(`Whole engine in backtest mode: the ${r.backtest.plugins.length} real plugins (${r.backtest.plugins.join(', ')}; default params, loaded with \`loadPlugins()\` from plugins/<id>/index.ts) over the synthetic world ${r.backtest.window.start} .. ${r.backtest.window.end} (${r.backtest.window.warmupDays} warm-up days of data before), paper broker, risk chain, durable SqliteJournal in a temp file. The engine first evaluates every plugin over the whole history (pool: one task per plugin), then replays the cycles (virtual books, allocator, netting, risk, journal, broker) on the main thread. Each row follows a short warm-up backtest on the same executor.`);
  line();
  line('| Executor | Cycles | Wall time | Cycles/s | Plugin-bars/s (whole run) | History phase | Plugin-bars/s (history phase) | Orders | Fills | Faults |');
  line('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const x of r.backtest.results) {
    line(`| ${x.executor}${x.executor === 'pool' ? ` (${r.backtest.threads} threads)` : ''} | ${fmt(x.cycles)} | ${fmt(x.seconds, 2)} s | ${fmt(x.cyclesPerSecond)} | ${fmt(x.evaluationsPerSecond)} | ${fmt(x.historySeconds, 3)} s | ${fmt(x.historyEvaluationsPerSecond)} | ${fmt(x.orders)} | ${fmt(x.fills)} | ${x.faults} |`);
  }
  if (btInline && btPool) {
    line(`| **pool / inline** | | | **${ratio(btPool.cyclesPerSecond / btInline.cyclesPerSecond)}** | | | **${ratio(btPool.historyEvaluationsPerSecond / btInline.historyEvaluationsPerSecond)}** | | | |`);
  }
  line();
  line(`Plugin faults during section 3: ${faultText(r.backtest.results)}. (The real plugins keep the host's default time budget of 50 ms per evaluation; a fault quarantines the plugin for the rest of the run, so a faulted row did less work than the other.)`);
  line();

  if (r.inference && inf) inferenceSection(r.inference, inf, line);

  line('## Notes');
  line();
  line(`- **Compute-heavy plugins** (mean ${fmt(r.heavy.meanEvaluationUs)} µs per evaluation): the pool spreads each cycle over ${r.heavy.threads} threads while the main thread waits, so per-cycle throughput was ${ratio(heavyCycleRatio)} inline (per round ${ratio(Math.min(...r.heavy.roundRatios))} to ${ratio(Math.max(...r.heavy.roundRatios))}), using ${r.heavy.cycle.pool.coresUsed.toFixed(2)} cores against ${r.heavy.cycle.inline.coresUsed.toFixed(2)} inline. The ceiling is the thread count, or less when the threads slow each other down (shared physical cores, a contended host)${r.parallelSpeedup ? `: ${r.heavy.threads} worker threads doing the bench plugins' arithmetic with nothing else running got ${ratio(r.parallelSpeedup.start)} and ${ratio(r.parallelSpeedup.end)} the work of one (\`probeParallelSpeedup\`, bench/lib/common.ts)` : ''}. The ${r.heavy.threads} tasks of a cycle share its plugins by work claiming, heaviest first, so neither waits long for the other at the end; what remains is each cycle's round trip (the main thread posts the tasks, the workers wake, the results come back: a few hundred µs per cycle here), evaluations slowed by the other thread, and CPU lost to other processes. In history mode (one task per plugin, no per-cycle barrier) it was ${ratio(heavyHistoryRatio)}.`);
  line(`- **Light plugins** (mean ${fmt(r.light.meanEvaluationUs, 1)} µs per evaluation): the pool ${lightCycleRatio < 1 ? 'loses' : 'does not lose'} per cycle (${ratio(lightCycleRatio)}): a whole inline cycle of ${r.light.plugins} plugins took ${lightInlineCycleUs} µs at the median, against ${lightPoolCycleUs} µs on the pool. Each pool cycle pays, per task, a piscina round trip and the structured clone of the plugins' states going in and of their signals and states coming out${r.roundTrip ? ` (measured in this run: a task that does nothing, ${fmt(r.roundTrip.empty.p50)} µs median and ${fmt(r.roundTrip.empty.p99)} µs p99; one that carries ${r.light.plugins} small plugin entries there and back, ${fmt(r.roundTrip.entries.p50)} µs median and ${fmt(r.roundTrip.entries.p99)} µs p99)` : ''}, which is more than the evaluations themselves. For light plugins per cycle the inline executor is the better choice; note that \`executor.kind: auto\` picks the pool from \`autoMinPlugins\` (default ${schema.executor.autoMinPlugins.default}) enabled plugins on, so it would pick the slower executor for these ${r.light.plugins} light plugins: the choice should weigh evaluation cost (measured durations), not only the plugin count. In history mode the round trip is paid once per plugin per backtest, so the pool ${lightHistoryRatio >= 1 ? 'wins' : 'still loses'} there (${ratio(lightHistoryRatio)})${lightHistoryRatio > r.light.threads ? `; above the thread count because, per core used, the workers evaluated faster than the main thread, which spent ${r.light.history.inline.coresUsed.toFixed(2)} cores for one evaluating thread (likely garbage collection of its larger heap; not investigated further)` : ''}.`);
  if (durableInline && durablePool) {
    const memInline = inMemory.find((x) => x.executor === 'inline');
    const ph = (x: LatencyFigures, p: string, q: 'p50' | 'p99'): string => ms(x.phases[p]?.[q] ?? Number.NaN);
    line(`- **Cycle latency**: with the durable journal, p50 / p99 were ${ms(durableInline.p50)} / ${ms(durableInline.p99)} ms inline and ${ms(durablePool.p50)} / ${ms(durablePool.p99)} ms on the pool; inline, event in to intents decided (before the journal and the broker) took ${ms(durableInline.decided.p50)} / ${ms(durableInline.decided.p99)} ms. Inline, the plugin fan-out took ${ph(durableInline, 'evaluate', 'p50')} / ${ph(durableInline, 'evaluate', 'p99')} ms and the commit of the cycle's risk decisions and intents ${ph(durableInline, 'commit', 'p50')} / ${ph(durableInline, 'commit', 'p99')} ms (one durable SQLite commit, WAL with synchronous=FULL: an fsync, which the order must wait for); the simulator's fills and cancels ${ph(durableInline, 'market', 'p50')} / ${ph(durableInline, 'market', 'p99')} ms, signals ${ph(durableInline, 'signals', 'p50')} / ${ph(durableInline, 'signals', 'p99')} ms, netting and the risk chain ${ph(durableInline, 'decide', 'p50')} / ${ph(durableInline, 'decide', 'p99')} ms and submission ${ph(durableInline, 'submit', 'p50')} / ${ph(durableInline, 'submit', 'p99')} ms${normalInline ? `. With \`journal.synchronous: normal\` (no fsync per commit) inline p50 / p99 were ${ms(normalInline.p50)} / ${ms(normalInline.p99)} ms` : ''}${memInline ? `; with an in-memory journal ${ms(memInline.p50)} / ${ms(memInline.p99)} ms` : ''}. ${durableNoGc ? `Without collections between cycles (the same durable journal, inline) p50 / p99 were ${ms(durableNoGc.p50)} / ${ms(durableNoGc.p99)} ms, with ${durableNoGc.gc.own} collections of V8's own in the run (${ms(durableNoGc.gc.ownMs)} ms in all), against ${durableInline.gc.own} (${ms(durableInline.gc.ownMs)} ms) with them on, where the engine ran ${durableInline.gc.between} between cycles (${ms(durableInline.gc.betweenMs)} ms, off the decision path). ` : ''}${anyLatencyMet ? `The ${TARGETS.cycleP99Ms} ms p99 target (event in to intents decided) was met by ${durable.filter(meetsLatency).map((x) => x.executor).join(' and ')} in this run` : `The ${TARGETS.cycleP99Ms} ms p99 target (event in to intents decided) was not met in this run`}. ${underEndToEnd(durableInline) ? `End to end, durable and sent, inline was under ${TARGETS.cycleP99Ms} ms too` : `End to end, durable and sent, inline was over ${TARGETS.cycleP99Ms} ms: to the decision the durable commit adds ${ph(durableInline, 'commit', 'p50')} ms at the median and ${ph(durableInline, 'commit', 'p99')} ms at p99, most of it one fsync of the WAL on this machine's disk, an order must wait for it, and the tail a shared machine adds to every phase does the rest${normalInline && underEndToEnd(normalInline) ? '; without that fsync (`journal.synchronous: normal`) the same engine was under it' : ''}`}. For light plugins, inline gives the lowest latency: the pool adds a round trip to every fan-out.`);
  }
  if (btInline && btPool) {
    const replayInline = btInline.seconds - btInline.historySeconds;
    line(`- **Whole-engine backtest**: the history phase took ${fmt(btInline.historySeconds, 3)} s inline and ${fmt(btPool.historySeconds, 3)} s on the pool; the replay phase (${fmt(replayInline, 2)} s inline) runs on the main thread whichever executor evaluates, and makes two durable journal commits per cycle (risk decisions and intents before submission, the rest when the cycle ends), so the whole-run ratio was ${ratio(btPool.cyclesPerSecond / btInline.cyclesPerSecond)}: the executor only speeds up the ${fmt((100 * btInline.historySeconds) / btInline.seconds, 1)}% of the inline run spent evaluating (Amdahl). With ${r.backtest.plugins.length} plugins on ${r.backtest.threads} threads the history phase cannot go faster than its slowest plugin, and the pool also pays worker round trips and the clone of every plugin's signals back to the main thread.`);
  }
  line(`- Background load: 1-minute load average ${m.loadAverageStart[0]?.toFixed(2)} at the start and ${r.loadAverageEnd[0]?.toFixed(2)} at the end on ${m.cores} CPUs, capacity probe ${r.cpuCapacity.start.toFixed(2)} / ${r.cpuCapacity.end.toFixed(2)} cores. Whatever else runs on the machine takes CPU from the pool first: inline needs one core, the pool needs all of them, and a per-cycle fan-out waits for its slowest chunk, so one preempted worker stalls the whole cycle. Ratios measured on a busy machine understate the pool.`);
  line();

  line('## How to reproduce');
  line();
  line('```sh');
  line('npm install');
  line('npm run bench        # tsx bench/run-bench.ts: progress on stderr, rewrites docs/benchmarks.md');
  line('```');
  line();
  line(`It takes about ${Math.ceil(r.totalSeconds / 30) * 30} s here and needs no network. Sources: bench/run-bench.ts (driver), bench/throughput.ts (section 1), bench/latency.ts (section 2), bench/backtest.ts (section 3), bench/inference.ts (section 4), bench/plugins/bench-strategy.ts (the synthetic plugin), bench/lib/. Setting \`BENCH_QUICK=1\` runs a much shorter smoke version and writes its report to the OS temp directory instead of docs/. Parameters of this run: ${r.parameters.cycles} cycles per executor per scenario, ${r.parameters.rounds} rounds, ${r.parameters.warmupCycles} warm-up cycles, history over ${r.parameters.historyTimes} decision times, ${r.parameters.paperRounds} rounds of ${r.parameters.paperCycles} paper cycles per row (+${r.parameters.paperWarmupCycles} warm-up).`);
  line();
  return out.join('\n');
}

function modelText(section: InferenceSection): string {
  return `${section.model.name} ${section.model.features} -> ${section.model.hidden} -> 1`;
}

/** `1, 8 and 32`. */
function listText(values: readonly number[]): string {
  const parts = values.map((v) => fmt(v));
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** "N rows per call", singular for one row. */
function perCallText(values: readonly number[]): string {
  return `${listText(values)} ${values.length === 1 && values[0] === 1 ? 'row' : 'rows'} per call`;
}

/** A target judged for each number of rows per call: where it was met and where not, e.g. "met from 32 rows per call; not met for 1 and 8". */
function verdictByRows(results: readonly { readonly rowsPerCall: number; readonly ok: boolean }[]): string {
  const met = results.filter((x) => x.ok).map((x) => x.rowsPerCall);
  const missed = results.filter((x) => !x.ok).map((x) => x.rowsPerCall);
  if (missed.length === 0) return `${yes(true)} for ${perCallText(met)}`;
  if (met.length === 0) return `${yes(false)} for ${perCallText(missed)}`;
  const first = results.findIndex((x) => x.ok);
  const fromFirst = results.slice(first).every((x) => x.ok);
  const metText = fromFirst ? `**met from ${perCallText([results[first]!.rowsPerCall])}**` : `**met for ${perCallText(met)}**`;
  return `${metText}; **not met for ${perCallText(missed)}**`;
}

/** The verdict for the FeatureMatrix rows (measured at more than 1 row per call), or nothing when none were measured. */
function matrixVerdict(rows: readonly InferenceRowFigures[], ok: (x: InferenceRowFigures) => boolean): string {
  const measured = rows.filter((x) => x.matrix !== undefined);
  return measured.length === 0 ? '' : `; FeatureMatrix: ${verdictByRows(measured.map((x) => ({ rowsPerCall: x.rowsPerCall, ok: ok(x) })))}`;
}

/** Both scoring modes at one number of rows per call, and how they compare. */
interface InferenceRowFigures {
  readonly rowsPerCall: number;
  readonly unbatched: InferenceModeFigures;
  readonly batched: InferenceModeFigures;
  /** The host path with the rows as one FeatureMatrix per call (R > 1 only). */
  readonly matrix: InferenceModeFigures | undefined;
  /** Batched over unbatched rows per second. */
  readonly speedup: number;
  readonly matrixSpeedup: number;
  readonly matrixPerRowVsLimit: number;
  /** Batched wall µs per row over the limit. */
  readonly perRowVsLimit: number;
  /** Batched µs per row inside session runs over the limit. */
  readonly runVsLimit: number;
}

interface InferenceDerived {
  /** One entry per rows-per-call value that has both modes, ascending. */
  readonly rows: readonly InferenceRowFigures[];
  /** At 1 row per call: the batcher alone, waiting for maxWait; the batched path with no model. */
  readonly waiting: InferenceModeFigures | undefined;
  readonly floor: InferenceModeFigures | undefined;
  /** onnxruntime's own µs per row at batch 1024. */
  readonly limit: number;
  /** A run's cost as fixed + per row, from the batch-1 and batch-1024 medians. */
  readonly fixedRunMicros: number;
  readonly runMicrosPerExtraRow: number;
}

function inferenceFigures(section: InferenceSection): InferenceDerived {
  const find = (mode: InferenceModeFigures['mode'], rowsPerCall: number): InferenceModeFigures | undefined => section.modes.find((m) => m.mode === mode && m.rowsPerCall === rowsPerCall);
  const limit = section.raw.batch1024MicrosPerRow;
  const rows: InferenceRowFigures[] = [];
  for (const rowsPerCall of section.rowsPerCall) {
    const unbatched = find('unbatched', rowsPerCall);
    const batched = find('batched', rowsPerCall);
    if (!unbatched || !batched) continue;
    const matrix = find('batched-matrix', rowsPerCall);
    rows.push({
      rowsPerCall,
      unbatched,
      batched,
      matrix,
      speedup: batched.rowsPerSecond / unbatched.rowsPerSecond,
      perRowVsLimit: batched.wallMicrosPerRow / limit,
      runVsLimit: batched.runMicrosPerRow / limit,
      matrixSpeedup: matrix ? matrix.rowsPerSecond / unbatched.rowsPerSecond : Number.NaN,
      matrixPerRowVsLimit: matrix ? matrix.wallMicrosPerRow / limit : Number.NaN,
    });
  }
  const runMicrosPerExtraRow = (section.raw.batch1024Micros - section.raw.batch1Micros) / 1023;
  return { rows, waiting: find('batched-wait', 1), floor: find('no-model', 1), limit, fixedRunMicros: section.raw.batch1Micros - runMicrosPerExtraRow, runMicrosPerExtraRow };
}

const MODE_NAMES: Record<InferenceModeFigures['mode'], string> = {
  unbatched: 'unbatched',
  batched: '**batched**',
  'batched-matrix': '**batched, FeatureMatrix rows**',
  'batched-wait': 'batcher alone, waiting for maxWait',
  'no-model': 'no model (JavaScript only)',
};

/** Section 4 of the report. */
function inferenceSection(section: InferenceSection, d: InferenceDerived, line: (s?: string) => void): void {
  const limit = d.limit;
  const first = d.rows[0];
  const last = d.rows[d.rows.length - 1];
  line(`## 4. Inference: batched vs one call per row (${modelText(section)}, ${section.callers} concurrent callers, ${perCallText(section.rowsPerCall)})`);
  line();
  line(`The test MLP of adapters/inference/onnx/fixtures/test-models.ts (${modelText(section)}, sigmoid output), onnxruntime-node on the CPU provider with \`intraOpNumThreads: ${section.intraOpNumThreads}\` everywhere. ${section.callers} concurrent callers on the main thread in a closed loop: each issues a call of R rows, awaits it, and issues the next, for ${section.secondsPerMode} s per mode after a warm-up of a fifth of that, for R = ${listText(section.rowsPerCall)}. The rows are built before the timed loops.`);
  line();
  const modes = [...new Map(section.modes.map((m) => [m.mode, m])).values()];
  const only = (mode: InferenceModeFigures['mode']): string => (mode === 'unbatched' || mode === 'batched' ? '' : mode === 'batched-matrix' ? ', at more than 1 row per call' : ', at 1 row per call only');
  for (const m of modes) line(`- ${MODE_NAMES[m.mode]}${only(m.mode)}: ${m.description}.`);
  line();
  line(`Rows per second count rows scored over wall time; latency is one call of R rows, as its caller sees it. "Wall µs / row" is wall time over rows scored (everything included). "Run µs / row" is the time from the start of each session run to its result over rows scored: onnxruntime-node runs a session on the main thread in a later event-loop turn, so this includes the wait for that turn and whatever JavaScript runs meanwhile (in the unbatched mode the runs also overlap, so it exceeds the wall time). The limit is onnxruntime alone (\`InferenceSession.run\`, no provider) at batch 1024: ${fmt(section.raw.batch1024Micros, 1)} µs per run, ${fmt(limit, 4)} µs per row (batch 1: ${fmt(section.raw.batch1Micros, 1)} µs per run); medians of many runs, each measured before and after the sweep, the lower of the two kept.`);
  line();
  line('| Rows per call | Mode | Rows/s | Batched / unbatched | Latency p50 | Latency p99 | Runs | Rows per run | Wall µs / row | Run µs / row | Wall / limit |');
  line('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const modeRow = (m: InferenceModeFigures, vsUnbatched: string): void =>
    line(`| ${fmt(m.rowsPerCall)} | ${MODE_NAMES[m.mode]} | ${fmt(m.rowsPerSecond)} | ${vsUnbatched} | ${ms(m.latencyMsP50)} ms | ${ms(m.latencyMsP99)} ms | ${fmt(m.runs)} | ${fmt(m.meanBatchRows, 1)} | ${fmt(m.wallMicrosPerRow, 3)} | ${m.mode === 'no-model' ? '-' : fmt(m.runMicrosPerRow, 3)} | ${ratio(m.wallMicrosPerRow / limit)} |`);
  for (const x of d.rows) {
    modeRow(x.unbatched, '');
    modeRow(x.batched, `**${ratio(x.speedup)}**`);
    if (x.matrix) modeRow(x.matrix, `**${ratio(x.matrixSpeedup)}**`);
    if (x.rowsPerCall === 1) {
      if (d.waiting) modeRow(d.waiting, ratio(d.waiting.rowsPerSecond / x.unbatched.rowsPerSecond));
      if (d.floor) modeRow(d.floor, ratio(d.floor.rowsPerSecond / x.unbatched.rowsPerSecond));
    }
  }
  line(`| | onnxruntime alone, batch 1024 (the limit) | ${fmt(1e6 / limit)} | | | | | 1,024 | ${fmt(limit, 4)} | ${fmt(limit, 4)} | 1.00x |`);
  line();
  const speedMet = d.rows.filter((x) => x.speedup >= TARGETS.inferenceBatchedSpeedup).map((x) => x.rowsPerCall);
  const costMet = d.rows.filter((x) => x.perRowVsLimit <= TARGETS.inferencePerRowVsLimit).map((x) => x.rowsPerCall);
  const matrixCostMet = d.rows.filter((x) => x.matrix && x.matrixPerRowVsLimit <= TARGETS.inferencePerRowVsLimit).map((x) => x.rowsPerCall);
  if (first && last) {
    const one = d.rows.find((x) => x.rowsPerCall === 1);
    if (one) {
      line(`- **One row per call**: one run per row gave ${fmt(one.unbatched.rowsPerSecond)} rows/s (each run pays onnxruntime's fixed cost of about ${fmt(section.raw.batch1Micros, 0)} µs, and ${section.callers} runs in flight queue on the main thread: p99 ${ms(one.unbatched.latencyMsP99)} ms). The batcher coalesced the ${section.callers} callers into runs of ${fmt(one.batched.meanBatchRows, 1)} rows.${d.waiting ? ` Waiting for maxWait (${section.batching.maxWaitMicros} µs) before each run, as the batcher does alone, caps a closed loop of callers at about one run per maxWait: ${fmt(d.waiting.rowsPerSecond)} rows/s (${ratio(d.waiting.rowsPerSecond / one.unbatched.rowsPerSecond)}).` : ''} Flushed once per event-loop turn, as the host's executors score (every plugin of a task issues its calls before any is awaited, so nothing is lost by not waiting), it gave ${fmt(one.batched.rowsPerSecond)} rows/s, ${ratio(one.speedup)} one run per row, with p99 ${ms(one.batched.latencyMsP99)} ms.`);
    }
    line(`- **More rows per call**: from ${perCallText([first.rowsPerCall])} to ${perCallText([last.rowsPerCall])} the batched runs grew from ${fmt(first.batched.meanBatchRows, 1)} to ${fmt(last.batched.meanBatchRows, 1)} rows (at most maxRows, ${fmt(section.batching.maxRows)}), and the JavaScript of each call was shared by more rows: the batched wall cost fell from ${fmt(first.batched.wallMicrosPerRow, 3)} to ${fmt(last.batched.wallMicrosPerRow, 3)} µs per row (${ratio(first.perRowVsLimit)} to ${ratio(last.perRowVsLimit)} the limit), while one run per row stayed at ${fmt(Math.min(...d.rows.map((x) => x.unbatched.wallMicrosPerRow)), 2)} to ${fmt(Math.max(...d.rows.map((x) => x.unbatched.wallMicrosPerRow)), 2)} µs per row whatever R. The ${TARGETS.inferenceBatchedSpeedup}x throughput target was ${speedMet.length > 0 ? `met for ${perCallText(speedMet)}` : 'met for no R measured'}; the ${TARGETS.inferencePerRowVsLimit}x per-row target ${costMet.length > 0 ? `was met for ${perCallText(costMet)}` : 'was met for no R measured'} with number[][] rows, and ${matrixCostMet.length > 0 ? `for ${perCallText(matrixCostMet)}` : 'for no R measured'} with FeatureMatrix rows. Latency is the price: a call's p99 went from ${ms(first.batched.latencyMsP99)} ms at ${perCallText([first.rowsPerCall])} to ${ms(last.batched.latencyMsP99)} ms at ${perCallText([last.rowsPerCall])}, since a call waits for the runs ahead of it in its round.`);
  }
  const floorText = d.floor ? ` The JavaScript of the batched path alone (a runner that returns zeros, no model) cost ${fmt(d.floor.wallMicrosPerRow, 3)} µs per row at 1 row per call, ${ratio(d.floor.wallMicrosPerRow / limit)} the limit on its own: per call, a promise for the caller and one for the conversion to ModelScores, the row copied into the batch and a view of its output handed back, and the caller's own loop (which here also times each call).` : '';
  const ceiling = Math.min(section.batching.maxRows, section.callers);
  const smallBatch = (d.fixedRunMicros + ceiling * d.runMicrosPerExtraRow) / ceiling;
  line(`- **Why single-row calls cannot reach the per-row target**: ${section.callers} callers of one row each can fill batches of at most ${ceiling} rows, not ${fmt(section.batching.maxRows)}. From the medians above, a run costs about ${fmt(d.fixedRunMicros, 1)} µs whatever its size plus ${fmt(d.runMicrosPerExtraRow, 4)} µs per row, so a run of ${ceiling} rows costs at least ${fmt(smallBatch, 3)} µs per row, ${ratio(smallBatch / limit)} the limit, before any JavaScript.${floorText}${d.floor && d.floor.wallMicrosPerRow > limit ? ' Each call costs more JavaScript than a row costs onnxruntime, so' : ' So'} only calls of many rows (a plugin scoring its whole universe, or a chunk of its history, at once) can approach the limit.`);
  if (last) {
    line(`- **At ${perCallText([last.rowsPerCall])}** the runs averaged ${fmt(last.batched.meanBatchRows, 1)} rows, close to the limit's 1,024, yet a row cost ${fmt(last.batched.wallMicrosPerRow, 3)} µs, ${ratio(last.perRowVsLimit)} the limit. Of that, ${fmt(last.batched.runMicrosPerRow, 3)} µs per row passed between the start of each session run and its result (${ratio(last.runVsLimit)} the limit: onnxruntime's own run, the wait for the event-loop turn in which onnxruntime-node runs it, and the JavaScript of other calls that ran meanwhile), and ${fmt(Math.max(0, last.batched.wallMicrosPerRow - last.batched.runMicrosPerRow), 3)} µs per row outside the runs: copying each call's number[][] rows (the plugin contract's format) into the batch's Float32Array, the callers' promises, and the conversion of each output to ModelScores.${last.matrix ? ` With the same rows given as one FeatureMatrix per call (a Float32Array the host passes to the model as it is), a row cost ${fmt(last.matrix.wallMicrosPerRow, 3)} µs, ${ratio(last.matrixPerRowVsLimit)} the limit, ${ratio(last.matrix.rowsPerSecond / last.batched.rowsPerSecond)} the throughput of number[][] rows: the conversion of each value to float32 was the difference.` : ''}`);
  }
  line();
}

/** A section 2 row's executor column: the pool's threads, and whether the engine collected between cycles. */
function rowLabel(x: LatencyFigures, threads?: number): string {
  return `${x.executor}${x.executor === 'pool' && threads !== undefined ? ` (${threads} threads)` : ''}${x.gcBetweenCycles ? '' : ', no GC between cycles'}`;
}
