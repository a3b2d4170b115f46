import fs from 'node:fs';
import path from 'node:path';
import { ShError } from '../../core/index.js';

/** The heartbeat file, in the host's data dir. */
export const HEARTBEAT_FILE = 'heartbeat.json';

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

/** What the host writes, and the watchdog reads. */
export interface Heartbeat {
  readonly pid: number;
  readonly runId: string;
  /** Wall-clock time of the beat, epoch ms. */
  readonly time: number;
  /** The last decision cycle completed (0 before the first). */
  readonly cycle: number;
  /** `stopped` once the host shut down cleanly: the watchdog then leaves the positions alone. */
  readonly status: 'running' | 'stopped';
}

export interface HeartbeatWriterOptions {
  readonly dataDir: string;
  readonly runId: string;
  /** Default: this process. */
  readonly pid?: number;
  /** Beat every this many ms. Default 1000. */
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** A beat that could not be written (disk full): the host goes on, the watchdog will see it stale. Default: stderr. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Writes `<data-dir>/heartbeat.json` for the watchdog: on a timer (every second by default, unref'd so it never keeps
 * the process alive) and on demand (`beat(cycle)`, after each cycle). Each write goes to a temporary file that is then
 * renamed over the heartbeat, so a reader sees the previous beat or the new one, never half of one.
 * @example
 * const heartbeat = new HeartbeatWriter({ dataDir, runId });
 * heartbeat.start();            // beats now and every second
 * heartbeat.beat(cycle.cycle);  // after each cycle
 * heartbeat.stop();             // clean shutdown: status 'stopped'
 */
export class HeartbeatWriter {
  readonly file: string;
  private readonly temporary: string;
  private readonly options: HeartbeatWriterOptions;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private cycle = 0;

  constructor(options: HeartbeatWriterOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    if (!(Number.isFinite(this.intervalMs) && this.intervalMs > 0)) {
      throw new ShError('SH_ERR_CONFIG_INVALID', 'the heartbeat interval is invalid', { where: 'heartbeat intervalMs', received: this.intervalMs, expected: 'milliseconds > 0' });
    }
    this.file = path.join(options.dataDir, HEARTBEAT_FILE);
    this.temporary = path.join(options.dataDir, `.${HEARTBEAT_FILE}.${options.pid ?? process.pid}.tmp`);
  }

  /** Beat now, then every interval. */
  start(): void {
    this.stopTimer();
    this.beat();
    this.timer = setInterval(() => this.safeBeat(), this.intervalMs);
    this.timer.unref();
  }

  /** Write a beat now; `cycle` (when given) becomes the last completed cycle. Throws when the file cannot be written. */
  beat(cycle?: number): Heartbeat {
    if (cycle !== undefined) this.cycle = cycle;
    return this.write('running');
  }

  /** Stop beating. `clean` (default true) writes a last beat with status 'stopped', so the watchdog does not act. */
  stop(clean = true): void {
    this.stopTimer();
    if (clean) this.write('stopped');
  }

  private safeBeat(): void {
    try {
      this.beat();
    } catch (error) {
      (this.options.onError ?? ((e) => process.stderr.write(`heartbeat not written: ${(e as Error).message}\n`)))(error);
    }
  }

  private write(status: Heartbeat['status']): Heartbeat {
    const heartbeat: Heartbeat = { pid: this.options.pid ?? process.pid, runId: this.options.runId, time: this.now(), cycle: this.cycle, status };
    fs.writeFileSync(this.temporary, `${JSON.stringify(heartbeat)}\n`);
    // rename() replaces the target atomically on POSIX: a reader opens either the old file or the new one.
    fs.renameSync(this.temporary, this.file);
    return heartbeat;
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The heartbeat read from a data dir: absent (no host has beaten yet), malformed, or a heartbeat. */
export type HeartbeatReading =
  | { readonly state: 'absent' }
  | { readonly state: 'malformed'; readonly problem: string }
  | { readonly state: 'present'; readonly heartbeat: Heartbeat };

/**
 * Read `<data-dir>/heartbeat.json`. Never throws for a missing or malformed file: the watchdog decides what they mean.
 * @example const reading = readHeartbeat(dataDir); if (reading.state === 'present') reading.heartbeat.time
 */
export function readHeartbeat(dataDir: string): HeartbeatReading {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, HEARTBEAT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    return { state: 'malformed', problem: (error as Error).message };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: 'malformed', problem: `not JSON: ${JSON.stringify(text.slice(0, 80))}` };
  }
  const v = value as Partial<Heartbeat> | null;
  if (v === null || typeof v !== 'object' || !Number.isInteger(v.pid) || typeof v.runId !== 'string' || !Number.isFinite(v.time) || !Number.isInteger(v.cycle) || (v.status !== 'running' && v.status !== 'stopped')) {
    return { state: 'malformed', problem: `expected { pid, runId, time, cycle, status }, was ${JSON.stringify(value).slice(0, 120)}` };
  }
  return { state: 'present', heartbeat: v as Heartbeat };
}

/** True when a process with this pid exists (on this machine). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
