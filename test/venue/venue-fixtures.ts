import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionEvent, MarketBar, SubmitRequest } from '../../core/index.js';
import { VenueBroker, type VenueBrokerOptions } from '../../adapters/brokers/venue/index.js';
import { DEFAULT_VENUE_KEY_ID, DEFAULT_VENUE_SECRET_KEY, PaperVenue, startVenueServer, type VenueServer, type VenueSettingsInput } from '../../host/venue/index.js';

export const DAY = 86_400_000;
/** Decision at Tuesday's close; bars are stamped at midnight of each day, like the paper broker's tests. */
export const DECIDED = Date.UTC(2024, 0, 2, 21);
export const day = (n: number): number => Date.UTC(2024, 0, 2) + n * DAY;

export const request = (fields: Partial<SubmitRequest> = {}): SubmitRequest => ({
  clientOrderId: 'run-1-1-GLD-0',
  symbol: 'GLD',
  side: 'buy',
  quantity: 100,
  type: 'market',
  timeInForce: 'day',
  time: DECIDED,
  ...fields,
});

export const bar = (n: number, fields: Partial<MarketBar> = {}): MarketBar => ({
  symbol: 'GLD',
  time: day(n),
  open: 100,
  high: 101,
  low: 99,
  close: 100,
  volume: 1_000_000,
  ...fields,
});

export const AUTH = { 'APCA-API-KEY-ID': DEFAULT_VENUE_KEY_ID, 'APCA-API-SECRET-KEY': DEFAULT_VENUE_SECRET_KEY };

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = 'sh-venue-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** An in-process venue on a free port with a connected VenueBroker, and what the broker emitted. */
export interface VenueHarness {
  readonly venue: PaperVenue;
  readonly server: VenueServer;
  readonly broker: VenueBroker;
  readonly events: ExecutionEvent[];
  readonly dataDir: string;
  /** Raw HTTP against the venue, authenticated unless `headers` says otherwise. */
  http(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startHarness(settings: VenueSettingsInput = {}, brokerOptions: Partial<VenueBrokerOptions> = {}, dataDir?: string): Promise<VenueHarness> {
  const temp = dataDir === undefined ? tempDir() : undefined;
  const dir = dataDir ?? (temp as { dir: string }).dir;
  const venue = await PaperVenue.open({ dataDir: dir, settings });
  const server = await startVenueServer({ venue, port: 0 });
  const broker = new VenueBroker({ baseUrl: server.url, ...brokerOptions });
  const events: ExecutionEvent[] = [];
  broker.onExecution((event) => events.push(event));
  await broker.connect();
  return {
    venue,
    server,
    broker,
    events,
    dataDir: dir,
    http: (method, urlPath, body, headers) => rawHttp(server.url, method, urlPath, body, headers),
    close: async () => {
      await server.close();
      await venue.close();
      temp?.remove();
    },
  };
}

export async function rawHttp(baseUrl: string, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}
