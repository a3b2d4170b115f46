import convict from 'convict';
import { DEFAULT_GUARD_CONFIGS, type GuardConfig } from '../core/risk/guards/index.js';

/**
 * The configuration schema. Every setting has a doc, a format and a default; docs/configuration.md lists them.
 * Precedence, lowest first: schema defaults < profile (config/profiles/<name>.json) < --config file < environment
 * < command-line flags. Validation is strict: an unknown key is an error, and every error is listed at once.
 */
export const schema = {
  profile: { doc: 'Profile name; its file config/profiles/<name>.json is loaded over the defaults.', format: String, default: 'demo' },
  run: {
    mode: { doc: 'backtest: whole window as fast as possible; paper: replayed clock, one fan-out per cycle.', format: ['backtest', 'paper'], default: 'backtest' as 'backtest' | 'paper' },
    start: { doc: 'First decision date (YYYY-MM-DD).', format: 'iso-date', default: '2016-01-01' },
    end: { doc: 'Last decision date (YYYY-MM-DD).', format: 'iso-date', default: '2019-12-31' },
    warmupDays: { doc: 'Calendar days of data loaded before start so plugins have history.', format: 'nat', default: 800 },
    capital: { doc: 'Capital the allocator distributes (account currency).', format: 'positive-number', default: 1_000_000 },
    replayDelayMs: { doc: 'paper mode: wall-clock pause between replayed cycles.', format: 'nat', default: 0 },
    gcBetweenCycles: { doc: 'paper mode: collect the JavaScript young generation between cycles once it is a quarter full, so that a collection (a few ms) does not land inside a cycle, between a market event and its orders. It moves the pause off the decision path; it does not remove it.', format: Boolean, default: true },
    progressEvery: { doc: 'Print progress every N cycles (0: never).', format: 'nat', default: 250 },
    stateSnapshotEvery: { doc: 'Journal plugin state snapshots every N cycles (1 = each cycle).', format: 'nat', default: 1 },
  },
  data: {
    source: { doc: 'Market data adapter: synthetic (embedded default) or csv (a catalog of files).', format: ['synthetic', 'csv'], default: 'synthetic' as 'synthetic' | 'csv' },
    seed: { doc: 'Seed of the synthetic world.', format: 'int', default: 42 },
    catalog: { doc: 'csv source: path of the catalog JSON, relative to the repository root or absolute.', format: String, default: 'config/catalogs/real.json' },
  },
  plugins: {
    dirs: { doc: 'Folders scanned for plugins (<dir>/<id>/index.ts), relative to the repository root.', format: Array, default: ['plugins'] as string[] },
    paths: { doc: 'Extra plugin module paths (absolute, or relative to the repository root).', format: Array, default: [] as string[] },
    defaultMode: { doc: 'Mode of a discovered plugin that has no settings entry.', format: ['disabled', 'shadow', 'canary', 'live'], default: 'live' as 'disabled' | 'shadow' | 'canary' | 'live' },
    faultPolicy: { doc: 'What happens to a faulted plugin\'s positions: hold its last targets or flatten them.', format: ['hold', 'flatten'], default: 'flatten' as 'hold' | 'flatten' },
  },
  executor: {
    kind: { doc: 'pool: piscina worker threads (a plugin that hangs is timed out and faulted; backtests evaluate plugins in parallel); inline: the main thread (lowest per-cycle latency for light plugins, but a plugin that hangs stops the host); auto: pool from autoMinPlugins plugins on. See docs/benchmarks.md.', format: ['pool', 'inline', 'auto'], default: 'auto' as 'pool' | 'inline' | 'auto' },
    threads: { doc: 'Worker threads (0: number of cores).', format: 'nat', default: 0 },
    chunks: { doc: 'Pool tasks per cycle (0: one per thread); they share the plugins by work claiming, longest first.', format: 'nat', default: 0 },
    taskTimeoutMs: { doc: 'A task running longer is aborted, its worker replaced, and the guilty plugin faulted.', format: 'nat', default: 30_000 },
    autoMinPlugins: { doc: 'auto: use the pool from this many enabled plugins on.', format: 'nat', default: 8 },
  },
  inference: {
    registry: {
      doc: 'Model registry JSON (adapters/inference/onnx/README.md), relative to the repository root or absolute. Empty: no inference; a plugin that declares models() then stops the run (exit 2).',
      format: String,
      default: '',
    },
    executionProviders: {
      doc: 'onnxruntime execution providers, most preferred first; the first that creates a session runs the models (CUDA falls back to CPU where it cannot load; /healthz and metrics say which runs).',
      format: 'provider-list',
      default: ['cuda', 'cpu'] as string[],
    },
    intraOpNumThreads: {
      doc: 'onnxruntime threads inside one operator. 0: onnxruntime\'s default (one per core) in the main thread, and 1 in each pool worker (the workers already use every core).',
      format: 'nat',
      default: 0,
    },
    interOpNumThreads: { doc: 'onnxruntime threads across independent operators (0: onnxruntime\'s default).', format: 'nat', default: 0 },
    graphOptimizationLevel: { doc: 'onnxruntime graph optimizations applied when a model loads.', format: ['disabled', 'basic', 'extended', 'all'], default: 'all' as 'disabled' | 'basic' | 'extended' | 'all' },
    batching: {
      maxRows: { doc: 'Most rows of one model scored in one run; concurrent score calls are coalesced up to this (a larger call runs alone).', format: 'positive-int', default: 1024 },
      maxWaitMicros: {
        doc: 'Longest a score call waits for others to join its batch, in microseconds. The executors flush each round of calls at once (a cycle chunk, one step of a history), so this only bounds callers that score at other times.',
        format: 'nat',
        default: 500,
      },
    },
  },
  allocator: {
    canaryFraction: { doc: 'Budget cap of a canary plugin, fraction of capital.', format: 'fraction', default: 0.02 },
    maxPluginFraction: { doc: 'Budget cap of any plugin, fraction of capital.', format: 'fraction', default: 0.5 },
    volatilityLookback: { doc: 'Returns used for each plugin\'s volatility (equal-risk budgets).', format: 'nat', default: 60 },
    minHistory: { doc: 'Returns needed before budgets depart from equal capital.', format: 'nat', default: 20 },
  },
  execution: {
    minTradeNotional: { doc: 'Skip rebalancing trades below this notional (closing trades always go).', format: 'nat', default: 500 },
  },
  risk: {
    guards: {
      doc: 'The ordered risk chain: [{ name, ...settings }] (docs/risk-guards.md). The default is the full recommended chain.',
      format: Array,
      default: DEFAULT_GUARD_CONFIGS as unknown as GuardConfig[],
    },
    breakers: {
      doc: 'Automatic kill-switch breakers (daily loss, drawdown, faulted plugins, stale data): keys override the defaults of docs/risk-guards.md.',
      format: Object,
      default: {} as Record<string, unknown>,
    },
  },
  broker: {
    kind: {
      doc: 'Broker adapter. paper: the in-process execution simulator (backtests). venue: the paper venue process (Alpaca REST), durable across host crashes.',
      format: ['paper', 'venue'],
      default: 'paper' as 'paper' | 'venue',
    },
    venue: {
      url: { doc: 'Base URL of the paper venue (127.0.0.1 only).', format: String, default: 'http://127.0.0.1:8790' },
      autoStart: { doc: 'Start the venue as a detached process on --data-dir/venue when nothing answers at url.', format: Boolean, default: true },
      keyId: { doc: 'APCA-API-KEY-ID sent to the venue.', format: String, default: 'venue-key-id' },
      secretKey: { doc: 'APCA-API-SECRET-KEY sent to the venue (sensitive).', format: String, default: 'venue-secret-key', sensitive: true },
      submitTimeoutMs: { doc: 'A submission without an answer in this time is UNKNOWN and resolved by lookup.', format: 'nat', default: 5000 },
    },
    paper: {
      commissionPerShare: { doc: 'Commission per share.', format: 'nonneg-number', default: 0.005 },
      minimumCommission: { doc: 'Minimum commission per order (partial fills share it).', format: 'nonneg-number', default: 1 },
      halfSpreadBps: { doc: 'Half the bid-ask spread, basis points.', format: 'nonneg-number', default: 2 },
      slippageBps: { doc: 'Slippage, basis points.', format: 'nonneg-number', default: 1 },
      impactCoefficient: { doc: 'Square-root market impact coefficient.', format: 'nonneg-number', default: 0.1 },
      maxParticipation: { doc: 'Largest fraction of a bar\'s volume one order fills (0 disables).', format: 'fraction', default: 0.1 },
    },
  },
  reconcile: {
    policy: {
      doc: 'What a paper or live run does with a difference from the broker: adopt the broker view (it is the truth), flatten what the host did not know (closing orders through the risk chain), or halt (NO_NEW). Beyond the tolerance the kill switch goes to NO_NEW whatever the policy.',
      format: ['adopt', 'flatten', 'halt'],
      default: 'adopt' as 'adopt' | 'flatten' | 'halt',
    },
    intervalMs: { doc: 'Reconciliation passes: at start and then at most this often (wall clock, between cycles).', format: 'nat', default: 30_000 },
    notionalTolerance: { doc: 'Total mismatch notional beyond which the kill switch goes to NO_NEW.', format: 'nonneg-number', default: 1000 },
    quantityTolerance: { doc: 'Position quantity differences up to this are not differences.', format: 'nonneg-number', default: 0 },
  },
  watchdog: {
    heartbeatMs: { doc: 'The host writes <data-dir>/heartbeat.json at least this often (and every cycle) for `strategy-host watchdog`.', format: 'nat', default: 1000 },
  },
  journal: {
    file: { doc: 'SQLite journal file, relative to --data-dir.', format: String, default: 'journal.sqlite' },
    synchronous: {
      doc: 'full: each commit on disk before it returns (an intent before it is sent; survives power loss; paper and live). normal: no fsync per commit, survives a process crash, not a machine crash (backtests; faster: see docs/benchmarks.md section 2).',
      format: ['full', 'normal'],
      default: 'full' as 'full' | 'normal',
    },
  },
  http: {
    port: { doc: 'Port of the HTTP server (/metrics, /healthz); 0: no server.', format: 'port', default: 0, env: 'SH_HTTP_PORT' },
    host: { doc: 'Address the HTTP server binds.', format: String, default: '127.0.0.1' },
  },
  killSwitch: {
    initialTier: {
      doc: 'Kill-switch tier requested at start (escalation only: the tier journaled in --data-dir stays if higher). Env KILL_SWITCH.',
      format: ['ACTIVE', 'WARN', 'THROTTLE', 'NO_NEW', 'FLATTEN_ALL'],
      default: 'ACTIVE',
      env: 'KILL_SWITCH',
    },
    flagFile: { doc: 'Flag file polled every cycle and at start (relative to the working directory): present means FLATTEN_ALL, or the tier it names.', format: String, default: 'KILL.flag' },
  },
  operators: {
    doc: 'Operators who may pull and reset the kill switch: [{ "name": ..., "token": ... }] (tokens of at least 16 characters; never printed or logged). No default operators.',
    format: 'operators',
    default: [] as { name: string; token: string }[],
    sensitive: true,
  },
  allowSubmit: { doc: 'false: monitor mode, everything runs and is journaled, nothing is sent to a broker.', format: Boolean, default: true, env: 'ALLOW_SUBMIT' },
};

let formatsAdded = false;

/** Register the custom formats the schema uses (idempotent). */
export function addFormats(): void {
  if (formatsAdded) return;
  formatsAdded = true;
  convict.addFormat({
    name: 'iso-date',
    validate(value: unknown) {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new Error('must be a date YYYY-MM-DD');
    },
  });
  convict.addFormat({
    name: 'positive-number',
    validate(value: unknown) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error('must be a positive finite number');
    },
    coerce: (v: unknown) => Number(v),
  });
  convict.addFormat({
    name: 'nonneg-number',
    validate(value: unknown) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error('must be a finite number >= 0');
    },
    coerce: (v: unknown) => Number(v),
  });
  convict.addFormat({
    name: 'operators',
    validate(value: unknown) {
      if (!Array.isArray(value)) throw new Error('must be an array of { name, token }');
      const names = new Set<string>();
      value.forEach((op: unknown, i) => {
        const o = op as { name?: unknown; token?: unknown };
        if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(o.name)) throw new Error(`operators[${i}].name must be a name of letters, digits, . _ -`);
        if (typeof o.token !== 'string' || o.token.length < 16) throw new Error(`operators[${i}] (${o.name}): token must be a string of at least 16 characters`);
        if (Object.keys(o).some((k) => k !== 'name' && k !== 'token')) throw new Error(`operators[${i}] (${o.name}): only name and token are allowed`);
        if (names.has(o.name)) throw new Error(`operators[${i}]: name ${o.name} is used twice`);
        names.add(o.name);
      });
    },
  });
  convict.addFormat({
    name: 'provider-list',
    validate(value: unknown) {
      if (!Array.isArray(value) || value.length === 0) throw new Error('must be a non-empty array of execution provider names, e.g. ["cuda", "cpu"]');
      value.forEach((v: unknown, i) => {
        if (typeof v !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(v)) throw new Error(`[${i}] must be an execution provider name (cuda, cpu, tensorrt, ...), was ${JSON.stringify(v)}`);
      });
      if (new Set(value).size !== value.length) throw new Error('must not name a provider twice');
    },
  });
  convict.addFormat({
    name: 'positive-int',
    validate(value: unknown) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error('must be an integer >= 1');
    },
    coerce: (v: unknown) => Number(v),
  });
  convict.addFormat({
    name: 'fraction',
    validate(value: unknown) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new Error('must be a number in [0, 1]');
    },
    coerce: (v: unknown) => Number(v),
  });
}

export type Schema = typeof schema;

/**
 * `plugins.settings` ({ <plugin id>: { mode?, params? } }) is validated here rather than by convict, whose
 * loader merges object defaults key by key and cannot hold a map keyed by plugin id. Returns every problem.
 */
export function checkPluginSettings(value: unknown, where = 'plugins.settings'): { path: string; received: unknown; expected: string }[] {
  const problems: { path: string; received: unknown; expected: string }[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: where, received: value, expected: 'an object { <plugin id>: { mode?, params? } }' }];
  }
  for (const [id, entry] of Object.entries(value)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ path: `${where}.${id}`, received: entry, expected: 'an object { mode?, params? }' });
      continue;
    }
    for (const key of Object.keys(entry)) {
      if (key !== 'mode' && key !== 'params') problems.push({ path: `${where}.${id}.${key}`, received: key, expected: 'only the keys mode and params' });
    }
    const { mode, params } = entry as { mode?: unknown; params?: unknown };
    if (mode !== undefined && !['disabled', 'shadow', 'canary', 'live'].includes(String(mode))) {
      problems.push({ path: `${where}.${id}.mode`, received: mode, expected: 'one of disabled, shadow, canary, live' });
    }
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      problems.push({ path: `${where}.${id}.params`, received: params, expected: 'an object of parameter values' });
    }
  }
  return problems;
}

/** Per-plugin settings after validation. */
export interface PluginSetting {
  readonly mode?: 'disabled' | 'shadow' | 'canary' | 'live';
  readonly params?: Readonly<Record<string, unknown>>;
}
