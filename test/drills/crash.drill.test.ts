import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../host/paths.js';
import { tempDir } from '../integration/fixtures.js';

const CLI = path.join(REPO_ROOT, 'bin', 'strategy-host.js');
const HEADERS = { 'APCA-API-KEY-ID': 'venue-key-id', 'APCA-API-SECRET-KEY': 'venue-secret-key' };
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SH_') && k !== 'KILL_SWITCH' && k !== 'ALLOW_SUBMIT'));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Seeded uniform numbers in [0, 1) (mulberry32): the kill moments are random but reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let venuePid: number | undefined;
afterAll(() => {
  if (venuePid) {
    try {
      process.kill(venuePid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

describe('drill: the host killed with SIGKILL at random moments, restarted each time', () => {
  it('the venue never holds two orders with one client order id; every intent is accounted for; positions match the journal', async () => {
    const dataDir = tempDir('sh-crash-');
    const port = await freePort();
    const args = ['run', '--profile', 'paper', '--data-dir', dataDir, '--set', `broker.venue.url=http://127.0.0.1:${port}`, '--set', 'run.replayDelayMs=15', '--set', 'run.end=2019-04-30', '--set', 'run.progressEvery=0'];
    const random = seeded(20261121);
    const start = (): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: dataDir, env: cleanEnv });
      let text = '';
      child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
      child.stdout!.resume();
      return { child, stderr: () => text, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
    };
    const kills: number[] = [];
    for (let k = 0; k < 3; k++) {
      const run = start();
      // Kill once the run is trading: after a random 0.3-1.5 s past its first cycle.
      for (let i = 0; i < 200 && !/run r\S+: paper/.test(run.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
      const m = /venue: started pid (\d+)/.exec(run.stderr());
      if (m) venuePid = Number(m[1]);
      const wait = 300 + Math.floor(random() * 1200);
      kills.push(wait);
      await new Promise((r) => setTimeout(r, wait));
      run.child.kill('SIGKILL');
      await run.exited;
    }
    const last = start();
    const code = await last.exited;
    expect(code, last.stderr()).toBe(0);
    expect(last.stderr()).toMatch(/resuming run \S+ after/);
    expect(venuePid, 'the first run started the venue').toBeDefined();

    // The venue: every order it ever accepted, by client order id.
    const res = await fetch(`http://127.0.0.1:${port}/v2/orders?status=all&direction=asc`, { headers: HEADERS });
    const venueOrders = (await res.json()) as { client_order_id: string; status: string }[];
    const ids = venueOrders.map((o) => o.client_order_id);
    expect(ids.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);

    // The journal: one run, every intent either at the venue or marked never sent.
    const db = new Database(path.join(dataDir, 'journal.sqlite'), { readonly: true });
    const runs = db.prepare('SELECT run_id, status FROM runs').all() as { run_id: string; status: string }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('completed');
    const intents = db.prepare('SELECT client_order_id FROM intents').all() as { client_order_id: string }[];
    const orders = new Map((db.prepare('SELECT client_order_id, status, reject_reason FROM orders').all() as { client_order_id: string; status: string; reject_reason: string | null }[]).map((o) => [o.client_order_id, o]));
    const atVenue = new Set(ids);
    for (const { client_order_id: id } of intents) {
      const neverSent = orders.get(id)?.status === 'REJECTED' && /never sent/.test(orders.get(id)?.reject_reason ?? '');
      expect(atVenue.has(id) || neverSent, `intent ${id}: at the venue or marked never sent`).toBe(true);
    }
    // Positions at the venue equal the positions the journal's fills add up to.
    const fills = db.prepare('SELECT symbol, side, quantity FROM fills').all() as { symbol: string; side: string; quantity: number }[];
    db.close();
    const fromJournal = new Map<string, number>();
    for (const f of fills) fromJournal.set(f.symbol, (fromJournal.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.quantity : -f.quantity));
    const positions = (await (await fetch(`http://127.0.0.1:${port}/v2/positions`, { headers: HEADERS })).json()) as { symbol: string; qty: string }[];
    const atVenuePositions = new Map(positions.map((p) => [p.symbol, Number(p.qty)]));
    for (const symbol of new Set([...fromJournal.keys(), ...atVenuePositions.keys()])) {
      expect(atVenuePositions.get(symbol) ?? 0, `${symbol} (kills after ${kills.join(', ')} ms)`).toBeCloseTo(fromJournal.get(symbol) ?? 0, 6);
    }
  }, 180_000);
});
