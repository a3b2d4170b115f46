import path from 'node:path';
import { ShError } from '../../core/index.js';
import type { HostConfig } from '../config/load-config.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { openKillSwitch } from '../kill-switch/open-kill-switch.js';
import { configuredBroker } from '../reconcile/configured-broker.js';
import { ensureDataDir } from '../run-host.js';
import { untilSignal } from '../until-signal.js';
import { HEARTBEAT_FILE } from './heartbeat.js';
import { DEFAULT_WATCHDOG_DEADLINE_MS, DEFAULT_WATCHDOG_POLL_MS, Watchdog } from './watchdog.js';

export interface WatchdogCommandOptions {
  readonly deadlineMs?: string;
  readonly pollMs?: string;
  /** --venue-url: the venue to flatten at, whatever broker.kind says. */
  readonly venueUrl?: string;
  /** Lines for stderr. */
  readonly log: (line: string) => void;
  /** Resolves when the watchdog should stop. Default: the first SIGTERM or SIGINT. */
  readonly stopped?: Promise<unknown>;
}

/**
 * `strategy-host watchdog --data-dir <dir> [--deadline-ms 10000] [--poll-ms 500]`: watch the heartbeat of the host on
 * the data dir until SIGTERM or SIGINT; when it goes stale, flatten through the configured broker (which must be
 * reachable from this process: broker.kind venue, or --venue-url). Answers the exit code.
 */
export async function watchdogCommand(config: HostConfig, dataDir: string, options: WatchdogCommandOptions): Promise<number> {
  const deadlineMs = milliseconds('--deadline-ms', options.deadlineMs, DEFAULT_WATCHDOG_DEADLINE_MS);
  const pollMs = milliseconds('--poll-ms', options.pollMs, DEFAULT_WATCHDOG_POLL_MS);
  const target = configuredBroker(config, options.venueUrl === undefined ? {} : { venueUrl: options.venueUrl });
  if (target.kind !== 'venue') {
    throw new ShError('SH_ERR_CONFIG_INVALID', 'the watchdog needs a broker it can reach from its own process', {
      where: 'broker.kind',
      received: target.kind,
      expected: 'venue (broker.venue.url), or --venue-url <url>',
      fix: 'The paper broker lives inside the host and dies with it; run the host against the venue (profile paper) and point the watchdog at it.',
    });
  }
  ensureDataDir(dataDir);
  const journal = new SqliteJournal(path.join(dataDir, config.journal.file));
  const { controller, store } = openKillSwitch(config, dataDir, (from, to, operator, reason) => {
    journal.recordOperatorAction(null, { time: Date.now(), operator, action: 'kill-switch', detail: { from, to, reason } });
  });
  const stopped = options.stopped ?? untilSignal();
  try {
    // Not connecting first: the venue may be down now and up when it matters; every call reaches it afresh.
    const watchdog = new Watchdog({ dataDir, deadlineMs, pollMs, target, where: target.where, journal, killSwitch: controller, log: options.log });
    options.log(`watchdog: watching ${path.join(dataDir, HEARTBEAT_FILE)} (deadline ${deadlineMs} ms, poll ${pollMs} ms); flattens through the ${target.where}`);
    watchdog.start();
    await stopped;
    await watchdog.stop();
    options.log('watchdog stopped');
    return 0;
  } finally {
    store.close();
    journal.close();
  }
}

function milliseconds(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !(Number.isInteger(value) && value > 0)) {
    throw new ShError('SH_ERR_CLI_USAGE', `${flag} needs a number of milliseconds`, { where: flag, received: text, expected: 'an integer > 0, e.g. 10000' });
  }
  return value;
}
