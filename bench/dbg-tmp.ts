import { measureScenario } from './throughput.js';
import { buildBenchStore, decisionTimes, tempDir } from './lib/common.js';
const dir = tempDir('shb-dbg-');
const { store } = await buildBenchStore();
const times = decisionTimes(store);
const HEAVY = { name: 'heavy', heavy: { count: 4, work: 220 }, medium: { count: 8, work: 120 }, light: { count: 30, work: 50 } };
const r = await measureScenario({ store, times, dir, mix: HEAVY, cycles: 120, rounds: 4, warmupCycles: 10, historyTimes: 100 });
console.log(JSON.stringify(r.cycle, null, 1), JSON.stringify(r.history));
