import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isShError } from '../../core/index.js';
import type { ExecutionEvent, Fill } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { VenueBroker } from '../../adapters/brokers/venue/index.js';
import { REPO_ROOT } from '../../host/paths.js';
import { PaperVenue, VENUE_FILE } from '../../host/venue/index.js';
import { bar, rawHttp, request, startHarness, tempDir } from './venue-fixtures.js';

/**
 * Durability: the venue's state survives kill -9. Every answer is sent after its write is on disk, so killing the
 * process right after an answer must lose nothing; a restart on the same data dir replays the journal and serves the
 * same orders, positions, cash and fills, and a working order keeps working.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface VenueProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** `node bin/strategy-host.js venue --port <port> --data-dir <dir>`, resolved once it says it listens. */
async function startVenueProcess(port: number, dataDir: string): Promise<VenueProcess> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SH_')));
  const child = spawn(process.execPath, ['bin/strategy-host.js', 'venue', '--port', String(port), '--data-dir', dataDir], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the venue did not start in 30 s: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes(`venue listening on ${url}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the venue exited with ${code} before listening: ${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr, exited };
}

/** Everything a client can read, as raw JSON. */
async function snapshot(url: string): Promise<Record<string, unknown>> {
  const get = async (p: string): Promise<unknown> => {
    const answer = await rawHttp(url, 'GET', p);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  return {
    orders: await get('/v2/orders?status=all&direction=asc'),
    positions: await get('/v2/positions'),
    account: await get('/v2/account'),
    fills: await get('/sim/v1/fills'),
    market: await get('/sim/v1/market'),
  };
}

const without = ({ fillId: _id, broker: _broker, ...rest }: Fill): Omit<Fill, 'fillId' | 'broker'> => rest;

describe('venue restart durability (a real child process, SIGKILL)', () => {
  it('orders, positions, cash, fills and last prices survive kill -9; a working order fills on the next advance like in an uninterrupted PaperBroker', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const dataDir = path.join(temp.dir, 'venue');
    const port = await freePort();
    const reference = new PaperBroker();

    let venue = await startVenueProcess(port, dataDir);
    let broker = new VenueBroker({ baseUrl: venue.url });
    await broker.connect();
    const requests = [
      request({ clientOrderId: 'A' }),
      request({ clientOrderId: 'B', type: 'limit', limitPrice: 95, timeInForce: 'gtc', quantity: 50 }),
      request({ clientOrderId: 'C', symbol: 'SLV', side: 'sell', quantity: 30 }),
      request({ clientOrderId: 'D', type: 'market-on-close', timeInForce: 'cls', quantity: 10 }),
      request({ clientOrderId: 'E', symbol: 'IAU', type: 'limit', limitPrice: 10, timeInForce: 'gtc', quantity: 20 }),
      request({ clientOrderId: 'F', quantity: 150_000, timeInForce: 'gtc' }),
    ];
    for (const r of requests) {
      expect((await broker.submit(r)).status).toBe('ACCEPTED');
      await reference.submit(r);
    }
    const bar1 = [bar(1, { close: 101, high: 101.5 }), bar(1, { symbol: 'SLV', open: 22, high: 22.5, low: 21.5, close: 22.2 })];
    await broker.advance(bar1);
    reference.advance(bar1);
    await broker.cancel('E');
    await reference.cancel('E');

    const before = await snapshot(venue.url);
    expect((before.orders as unknown[]).length).toBe(6);
    expect((before.fills as unknown[]).length).toBeGreaterThan(2);
    venue.child.kill('SIGKILL');
    await venue.exited;
    await expect(rawHttp(venue.url, 'GET', '/v2/account')).rejects.toThrow();

    venue = await startVenueProcess(port, dataDir);
    expect(venue.stderr()).toMatch(/6 orders and \d+ fills recovered/);
    expect(await snapshot(venue.url)).toEqual(before);

    // The host side restarts too: a new adapter, the same venue state.
    const events: ExecutionEvent[] = [];
    broker = new VenueBroker({ baseUrl: venue.url });
    broker.onExecution((e) => events.push(e));
    await broker.connect();
    expect(broker.lastPrice('GLD')).toBe(101);
    expect((await broker.submit(request({ clientOrderId: 'A' }))).status).toBe('REJECTED'); // ids are unique forever, across restarts
    expect((await broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['B', 'D', 'F']);

    const bar2 = [bar(2, { open: 101, high: 101.5, low: 94, close: 96 })];
    await broker.advance(bar2);
    reference.advance(bar2);
    expect(events.filter((e) => e.type === 'fill').map((e) => e.order.clientOrderId)).toEqual(['B', 'F', 'D']);
    const venueFills = (await rawHttp(venue.url, 'GET', '/sim/v1/fills')).body as { client_order_id: string; qty: string; price: string; commission: string }[];
    expect(venueFills.map((f) => [f.client_order_id, Number(f.qty), Number(f.price), Number(f.commission)])).toEqual(
      reference.fills().map((f) => [f.clientOrderId, f.quantity, f.price, f.commission]),
    );
    expect(events.flatMap((e) => (e.type === 'fill' ? [without(e.fill)] : []))).toEqual(reference.fills().slice(-3).map(without));
    expect((await broker.orderByClientId('B'))?.averagePrice).toBe(95);
    expect(await broker.positions()).toEqual(await reference.positions());
    expect(await broker.account()).toEqual(await reference.account());

    // A clean stop on SIGTERM.
    venue.child.kill('SIGTERM');
    expect(await venue.exited).toBe(0);
    expect(venue.stderr()).toMatch(/venue stopped/);
  });
});

describe('venue restart durability (in process)', () => {
  it('a reopened venue serves the same state, liquidations included, and keeps working', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    let harness = await startHarness({ initialCash: 50_000 }, {}, temp.dir);
    await harness.broker.submit(request({ clientOrderId: 'long' }));
    await harness.broker.submit(request({ clientOrderId: 'resting', symbol: 'SLV', type: 'limit', limitPrice: 20, timeInForce: 'gtc' }));
    await harness.broker.advance([bar(1, { close: 102, high: 102 }), bar(1, { symbol: 'SLV', open: 22, high: 22.5, low: 21.5, close: 22 })]);
    expect((await harness.http('DELETE', '/v2/positions')).status).toBe(207);
    const before = await snapshot(harness.server.url);
    await harness.server.close();
    await harness.venue.close();

    harness = await startHarness({}, {}, temp.dir);
    cleanups.push(() => harness.close());
    expect(await snapshot(harness.server.url)).toEqual(before);
    expect(((before.account as { cash: string }).cash)).not.toBe('50000');
    await harness.broker.advance([bar(2, { symbol: 'SLV', open: 21, high: 21, low: 19.5, close: 20 })]);
    expect((await harness.broker.orderByClientId('resting'))?.status).toBe('FILLED');
  });

  it('a failed write stops the venue (500, then 503 for everything) and a restart recovers the state without it', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const harness = await startHarness({}, {}, temp.dir);
    cleanups.push(() => harness.server.close());
    expect((await harness.broker.submit(request({ clientOrderId: 'kept' }))).status).toBe('ACCEPTED');
    await harness.venue.close(); // the database goes away under a running server
    const failed = await harness.broker.submit(request({ clientOrderId: 'lost' })).catch((e: unknown) => e);
    expect(isShError(failed, 'SH_ERR_BROKER_UNREACHABLE')).toBe(true); // HTTP 500: the caller cannot know, so UNKNOWN
    expect(await harness.http('GET', '/v2/account')).toMatchObject({ status: 503, body: { code: 50310000, message: /restart it/ } });

    const reopened = await PaperVenue.open({ dataDir: temp.dir });
    cleanups.push(() => reopened.close());
    expect((await reopened.orders()).map((o) => o.clientOrderId)).toEqual(['kept']); // 'lost' was never answered, never kept
  });

  it('the database is WAL with synchronous FULL, one venue at a time, and its history cannot be deleted', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const venue = await PaperVenue.open({ dataDir: temp.dir });
    expect(venue.storePragmas()).toEqual({ journalMode: 'wal', synchronous: 2 });
    await venue.submit({ clientOrderId: 'x', symbol: 'GLD', side: 'buy', qty: 1, type: 'market', timeInForce: 'day' });
    const second = await PaperVenue.open({ dataDir: temp.dir }).catch((e: unknown) => e);
    expect(isShError(second, 'SH_ERR_DATA_DIR_UNWRITABLE')).toBe(true);
    expect((second as Error).message).toMatch(/in use by another venue process/);
    await venue.close();
    const db = new Database(path.join(temp.dir, VENUE_FILE));
    cleanups.push(() => {
      db.close();
    });
    for (const table of ['events', 'orders', 'order_updates']) expect(() => db.prepare(`DELETE FROM ${table}`).run()).toThrow(/never deleted/);
  });

  it('refuses to start when the replay does not give the recorded fills (SH_ERR_VENUE_STATE_DIVERGED)', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const venue = await PaperVenue.open({ dataDir: temp.dir });
    await venue.submit({ clientOrderId: 'x', symbol: 'GLD', side: 'buy', qty: 10, type: 'market', timeInForce: 'day' });
    await venue.advance([bar(1)]);
    await venue.close();
    const db = new Database(path.join(temp.dir, VENUE_FILE));
    db.prepare('UPDATE fills SET price = price + 0.01').run();
    db.close();
    const error = await PaperVenue.open({ dataDir: temp.dir }).catch((e: unknown) => e);
    expect(isShError(error, 'SH_ERR_VENUE_STATE_DIVERGED')).toBe(true);
    expect((error as Error).message).toMatch(/fill 1 of x differs/);
  });

  it('keeps the settings a data dir was created with, and refuses different ones (SH_ERR_VENUE_SETTINGS_CONFLICT)', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    await (await PaperVenue.open({ dataDir: temp.dir, settings: { initialCash: 75_000 } })).close();
    const reopened = await PaperVenue.open({ dataDir: temp.dir });
    expect((await reopened.account()).cash).toBe(75_000);
    await reopened.close();
    const error = await PaperVenue.open({ dataDir: temp.dir, settings: { initialCash: 80_000, halfSpreadBps: 2 } }).catch((e: unknown) => e);
    expect(isShError(error, 'SH_ERR_VENUE_SETTINGS_CONFLICT')).toBe(true);
    expect((error as { problems: { details: { where: string } }[] }).problems.map((p) => p.details.where)).toEqual(['venue setting initialCash']);
  });
});

describe('strategy-host venue: the command line', () => {
  it('refuses to start without --data-dir, and on a bad --port', async () => {
    const { main } = await import('../../host/cli/main.js');
    const lines: string[] = [];
    expect(await main(['venue', '--port', '0'], () => undefined, (t) => lines.push(t))).toBe(2);
    expect(await main(['venue', '--port', 'x', '--data-dir', 'unused'], () => undefined, (t) => lines.push(t))).toBe(2);
    expect(lines.join('')).toMatch(/SH_ERR_CLI_USAGE: venue needs --data-dir[\s\S]*SH_ERR_CLI_USAGE: --port needs a port number/);
  });

  it('a port in use -> SH_ERR_VENUE_LISTEN_FAILED', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const { venueCommand } = await import('../../host/venue/index.js');
    const error = await venueCommand({ port: String((blocker.address() as net.AddressInfo).port), dataDir: temp.dir, log: () => undefined, stopped: new Promise(() => undefined) }).catch((e: unknown) => e);
    expect(isShError(error, 'SH_ERR_VENUE_LISTEN_FAILED')).toBe(true);
  });
});
