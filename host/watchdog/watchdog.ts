import { ShError } from '../../core/index.js';
import type { KillSwitchController } from '../kill-switch/controller.js';
import type { SqliteJournal } from '../journal/sqlite-journal.js';
import { cancelAndFlatten, type FlattenReport, type FlattenTarget } from './flatten.js';
import { HEARTBEAT_FILE, processAlive, readHeartbeat, type Heartbeat } from './heartbeat.js';

export const DEFAULT_WATCHDOG_DEADLINE_MS = 10_000;
export const DEFAULT_WATCHDOG_POLL_MS = 500;
/** After a failed attempt (the broker unreachable), the next one waits at least this long: no journal flood. */
const RETRY_AFTER_FAILURE_MS = 5000;

export interface WatchdogOptions {
  /** The host's data dir: heartbeat.json and the journal are there. */
  readonly dataDir: string;
  /** A heartbeat older than this means the host is gone or hung. Default 10 000. */
  readonly deadlineMs?: number;
  /** How often the heartbeat is read. Default 500. */
  readonly pollMs?: number;
  /** The broker, reached directly. */
  readonly target: FlattenTarget;
  /** Where it is, for messages. */
  readonly where?: string;
  /** The host's journal: what the watchdog did is recorded there (operator_actions, action 'watchdog'). */
  readonly journal: SqliteJournal;
  /** The data dir's kill switch, escalated to FLATTEN_ALL when the watchdog acts. */
  readonly killSwitch: KillSwitchController;
  /** Lines for stderr. */
  readonly log: (line: string) => void;
  readonly now?: () => number;
  readonly isAlive?: (pid: number) => boolean;
}

/** What one look at the heartbeat found, and did. */
export type WatchdogCheck =
  | { readonly verdict: 'no-heartbeat' }
  | { readonly verdict: 'malformed'; readonly problem: string }
  | { readonly verdict: 'alive' | 'stopped' | 'handled' | 'retry-later'; readonly heartbeat: Heartbeat; readonly ageMs: number }
  | { readonly verdict: 'acted' | 'failed'; readonly heartbeat: Heartbeat; readonly ageMs: number; readonly report: FlattenReport };

/**
 * The watchdog of DESIGN.md §6, run as its own process (`strategy-host watchdog`): it reads the host's heartbeat and,
 * when it is older than the deadline (the host was killed, or hangs), escalates the data dir's kill switch to
 * FLATTEN_ALL (so a host that comes back trades nothing new), cancels every open order and flattens every position
 * through the broker directly, and journals what it did. It acts once per stale heartbeat, and goes on watching: a new
 * host (a new heartbeat) is watched afresh. A heartbeat with status 'stopped' (a clean shutdown) is left alone.
 * @example
 * const watchdog = new Watchdog({ dataDir, target: { broker, liquidateAll }, journal, killSwitch, log });
 * watchdog.start(); ... await watchdog.stop();
 */
export class Watchdog {
  readonly deadlineMs: number;
  readonly pollMs: number;
  private readonly options: WatchdogOptions;
  private readonly now: () => number;
  private readonly isAlive: (pid: number) => boolean;
  /** Key of the stale heartbeat already acted on (restored from the journal at start). */
  private handledKey: string | undefined;
  private lastNotice = '';
  private lastFailure: { readonly key: string; readonly time: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(options: WatchdogOptions) {
    this.options = options;
    this.deadlineMs = positive('deadlineMs', options.deadlineMs ?? DEFAULT_WATCHDOG_DEADLINE_MS);
    this.pollMs = positive('pollMs', options.pollMs ?? DEFAULT_WATCHDOG_POLL_MS);
    this.now = options.now ?? Date.now;
    this.isAlive = options.isAlive ?? processAlive;
    this.handledKey = lastHandledKey(options.journal);
  }

  /** Look at the heartbeat once; act when it is stale and was not acted on yet. */
  async check(): Promise<WatchdogCheck> {
    const reading = readHeartbeat(this.options.dataDir);
    if (reading.state === 'absent') {
      this.notice('no-heartbeat', `watchdog: no ${HEARTBEAT_FILE} in ${this.options.dataDir} yet; waiting for a host`);
      return { verdict: 'no-heartbeat' };
    }
    if (reading.state === 'malformed') {
      this.notice(`malformed:${reading.problem}`, `watchdog: ${HEARTBEAT_FILE} is malformed (${reading.problem}); not acting on it`);
      return { verdict: 'malformed', problem: reading.problem };
    }
    const heartbeat = reading.heartbeat;
    const key = keyOf(heartbeat);
    const ageMs = this.now() - heartbeat.time;
    if (heartbeat.status === 'stopped') {
      this.notice(`stopped:${key}`, `watchdog: run ${heartbeat.runId} (pid ${heartbeat.pid}) stopped cleanly at cycle ${heartbeat.cycle}; nothing to do`);
      return { verdict: 'stopped', heartbeat, ageMs };
    }
    if (ageMs <= this.deadlineMs) {
      this.notice(`alive:${heartbeat.runId}:${heartbeat.pid}`, `watchdog: run ${heartbeat.runId} (pid ${heartbeat.pid}) is beating`);
      return { verdict: 'alive', heartbeat, ageMs };
    }
    if (key === this.handledKey) return { verdict: 'handled', heartbeat, ageMs };
    if (this.lastFailure?.key === key && this.now() - this.lastFailure.time < Math.max(this.pollMs, RETRY_AFTER_FAILURE_MS)) return { verdict: 'retry-later', heartbeat, ageMs };
    return this.act(heartbeat, key, ageMs);
  }

  /** Check every pollMs until stop(). The timer keeps the process alive: watching is this process's job. */
  start(): void {
    this.stopped = false;
    const loop = async (): Promise<void> => {
      try {
        this.running = this.check();
        await this.running;
      } catch (error) {
        this.options.log(`watchdog: check failed, retrying: ${messageOf(error)}`);
      }
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.pollMs);
    };
    void loop();
  }

  /** Stop polling, after a check in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async act(heartbeat: Heartbeat, key: string, ageMs: number): Promise<WatchdogCheck> {
    const { log, journal, killSwitch, target } = this.options;
    const alive = this.isAlive(heartbeat.pid);
    const where = this.options.where ?? `broker ${target.broker.id}`;
    log(`watchdog: heartbeat of run ${heartbeat.runId} (pid ${heartbeat.pid}, ${alive ? 'alive but silent' : 'gone'}) is ${ageMs} ms old, past the ${this.deadlineMs} ms deadline`);
    // The kill switch first: a host that comes back must find FLATTEN_ALL before it can send anything.
    const reason = `watchdog: heartbeat of run ${heartbeat.runId} (pid ${heartbeat.pid}) ${ageMs} ms old > ${this.deadlineMs} ms`;
    const escalation = killSwitch.escalate('FLATTEN_ALL', reason, 'watchdog');
    log(escalation.changed ? 'watchdog: kill switch -> FLATTEN_ALL' : `watchdog: kill switch already ${escalation.state.tier}`);
    log(`watchdog: cancelling open orders and flattening every position through ${where}`);
    const report = await cancelAndFlatten(target, key, this.now());
    for (const line of report.cancelled) log(`watchdog: cancelled ${line.clientOrderId} (${line.symbol}): ${line.status}`);
    for (const line of report.closing) log(`watchdog: ${line.side ?? ''} ${line.quantity ?? ''} ${line.symbol}: ${line.clientOrderId} ${line.status} ${line.filledQuantity ?? 0} filled`.replace(/ +/g, ' '));
    const failed = report.errors.length > 0;
    for (const error of report.errors) log(`watchdog: failed: ${error}`);
    log(report.positionsAfter.length === 0 ? 'watchdog: the broker reports no position' : `watchdog: positions still open: ${report.positionsAfter.map((p) => `${p.symbol} ${p.quantity}`).join(', ')}${report.method === 'closing-orders' ? ' (closing orders working)' : ''}`);
    const runId = journal.runs().some((r) => r.runId === heartbeat.runId) ? heartbeat.runId : null;
    journal.recordOperatorAction(runId, {
      time: this.now(),
      operator: 'watchdog',
      action: 'watchdog',
      detail: { outcome: failed ? 'failed' : 'acted', heartbeatKey: key, heartbeat, ageMs, deadlineMs: this.deadlineMs, pidAlive: alive, broker: target.broker.id, tier: escalation.state.tier, ...report },
    });
    if (failed) {
      this.lastFailure = { key, time: this.now() };
      log(`watchdog: will try again in ${Math.max(this.pollMs, RETRY_AFTER_FAILURE_MS)} ms`);
      return { verdict: 'failed', heartbeat, ageMs, report };
    }
    this.handledKey = key;
    log('watchdog: done; watching for a new heartbeat');
    return { verdict: 'acted', heartbeat, ageMs, report };
  }

  /** A line once per change of situation, not once per poll. */
  private notice(situation: string, line: string): void {
    if (situation === this.lastNotice) return;
    this.lastNotice = situation;
    this.options.log(line);
  }
}

function keyOf(heartbeat: Heartbeat): string {
  return `${heartbeat.runId}:${heartbeat.pid}:${heartbeat.time}`;
}

/** The heartbeat a previous watchdog on this data dir acted on, so a restarted watchdog does not act on it again. */
function lastHandledKey(journal: SqliteJournal): string | undefined {
  const actions = journal.operatorActions().filter((a) => a.action === 'watchdog' && (a.detail as { outcome?: string } | null)?.outcome === 'acted');
  const detail = actions[actions.length - 1]?.detail as { heartbeatKey?: unknown } | undefined;
  return typeof detail?.heartbeatKey === 'string' ? detail.heartbeatKey : undefined;
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new ShError('SH_ERR_CLI_USAGE', `watchdog ${name} is invalid`, { where: `--${name === 'deadlineMs' ? 'deadline-ms' : 'poll-ms'}`, received: value, expected: 'milliseconds > 0' });
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof ShError ? `${error.code}: ${error.message}` : (error as Error).message;
}
