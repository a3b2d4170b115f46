import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VenueBroker } from '../../adapters/brokers/venue/index.js';
import { bar, request } from '../../test/venue/venue-fixtures.js';
import { tempDir } from '../../test/integration/fixtures.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { KillSwitchStore } from '../kill-switch/kill-switch-store.js';
import { REPO_ROOT } from '../paths.js';
import { readHeartbeat } from './heartbeat.js';

/**
 * The drill of DESIGN.md §6, with real processes: a venue, a host (a stand-in that only beats) and the watchdog, each
 * its own process. The host is killed with SIGKILL; the watchdog must flatten the venue within its deadline.
 */

const DEADLINE_MS = 1500;
/** Process scheduling, one poll, and the HTTP round trips of a cancel and a liquidation. */
const MARGIN_MS = 2000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Child {
  readonly process: ChildProcess;
  output(): string;
  /** Resolves when the output matches, rejects when the child exits first or after 30 s. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
}

/** A child process from the repository root, env without SH_* settings, killed after the test. */
function start(args: readonly string[]): Child {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SH_') && key !== 'KILL_SWITCH'));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const match = output.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    process: child,
    output: () => output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const now = output.match(pattern);
        if (now) return resolve(now);
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within 30 s in: ${output}`)), 30_000);
        waiters.push({ pattern, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code} before ${pattern}: ${output}`));
        });
      }),
  };
}

function directory(prefix: string): string {
  const dir = tempDir(prefix);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('watchdog process', () => {
  it('flattens the venue within its deadline after the host is killed, journals it and raises FLATTEN_ALL', async () => {
    const venueDir = directory('sh-wd-venue-');
    const hostDir = directory('sh-wd-host-');
    const venue = start(['bin/strategy-host.js', 'venue', '--port', '0', '--data-dir', venueDir]);
    const url = (await venue.waitFor(/venue listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;

    // The host's position and a working order, placed through the VenueBroker.
    const broker = new VenueBroker({ baseUrl: url });
    await broker.connect();
    await broker.submit(request({ clientOrderId: 'sh-a3hv0g81-1-GLD-0', quantity: 100 }));
    await broker.advance([bar(1)]);
    await broker.submit(request({ clientOrderId: 'sh-a3hv0g81-2-GLD-0', type: 'limit', limitPrice: 50, quantity: 10 }));
    expect(await broker.positions()).toMatchObject([{ symbol: 'GLD', quantity: 100 }]);

    // The host's journal exists (the watchdog records into it) and the host beats.
    new SqliteJournal(path.join(hostDir, 'journal.sqlite')).close();
    const host = start(['--import', 'tsx', path.join('host', 'watchdog', 'fixtures', 'beating-host.ts'), hostDir, 'r20240102t210000-ab12', '100']);
    await host.waitFor(/beating/);
    const watchdog = start(['bin/strategy-host.js', 'watchdog', '--data-dir', hostDir, '--deadline-ms', String(DEADLINE_MS), '--poll-ms', '100', '--venue-url', url]);
    await watchdog.waitFor(/watchdog: run r20240102t210000-ab12 \(pid \d+\) is beating/);

    host.process.kill('SIGKILL');
    const killedAt = Date.now();
    await host.exited;
    const lastBeat = readHeartbeat(hostDir);
    if (lastBeat.state !== 'present') throw new Error(`no heartbeat after the kill: ${JSON.stringify(lastBeat)}`);
    let flatAt: number | undefined;
    while (Date.now() - killedAt < DEADLINE_MS + MARGIN_MS + 5000) {
      if ((await broker.positions()).length === 0) {
        flatAt = Date.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(flatAt, `still not flat; watchdog said:\n${watchdog.output()}`).toBeDefined();
    const elapsed = (flatAt as number) - killedAt;
    // Not before the deadline after the last beat, and within deadline + margin of the kill.
    expect(flatAt as number).toBeGreaterThan(lastBeat.heartbeat.time + DEADLINE_MS);
    expect(elapsed).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    expect(await broker.openOrders()).toEqual([]);
    expect((await broker.orderByClientId('sh-a3hv0g81-2-GLD-0'))?.status).toBe('CANCELLED');

    await watchdog.waitFor(/watchdog: done; watching for a new heartbeat/);
    expect(watchdog.output()).toMatch(/\(pid \d+, gone\) is \d+ ms old, past the 1500 ms deadline/);
    expect(watchdog.output()).toMatch(/watchdog: kill switch -> FLATTEN_ALL/);
    expect(watchdog.output()).toMatch(/watchdog: cancelled sh-a3hv0g81-2-GLD-0 \(GLD\): CANCELLED/);
    expect(watchdog.output()).toMatch(/watchdog: sell 100 GLD: liquidation-[0-9a-f-]+ FILLED 100 filled/);

    // It stays up, acts once, and stops cleanly on SIGTERM.
    await new Promise((resolve) => setTimeout(resolve, 500));
    watchdog.process.kill('SIGTERM');
    expect(await watchdog.exited).toBe(0);
    expect(watchdog.output().match(/past the 1500 ms deadline/g)).toHaveLength(1);

    const journal = new SqliteJournal(path.join(hostDir, 'journal.sqlite'));
    const store = new KillSwitchStore(path.join(hostDir, 'journal.sqlite'));
    cleanups.push(() => journal.close(), () => store.close());
    const actions = journal.operatorActions().filter((a) => a.action === 'watchdog');
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ operator: 'watchdog', detail: { outcome: 'acted', method: 'liquidate', positionsAfter: [], broker: 'venue', deadlineMs: DEADLINE_MS } });
    expect(store.state().tier).toBe('FLATTEN_ALL');
    expect(store.requests()).toMatchObject([{ tier: 'FLATTEN_ALL', source: 'watchdog' }]);
  });

  it('refuses the in-process paper broker: it dies with the host', async () => {
    const hostDir = directory('sh-wd-host-');
    const watchdog = start(['bin/strategy-host.js', 'watchdog', '--data-dir', hostDir]);
    expect(await watchdog.exited).toBe(2);
    expect(watchdog.output()).toMatch(/SH_ERR_CONFIG_INVALID: the watchdog needs a broker it can reach from its own process/);
  });
});
