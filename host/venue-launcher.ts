import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ShError } from '../core/index.js';
import { REPO_ROOT } from './paths.js';

async function answers(url: string, keyId: string, secretKey: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/account`, { headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secretKey }, signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Make sure the paper venue answers at `url`. When nothing does and autoStart is on, start it as a detached process
 * on `<dataDir>/venue` (its output in venue.log there): it belongs to the other side and must outlive a host crash.
 */
export async function ensureVenue(options: { url: string; keyId: string; secretKey: string; autoStart: boolean; dataDir: string; initialCash: number; log: (line: string) => void }): Promise<void> {
  const { url, keyId, secretKey } = options;
  if (await answers(url, keyId, secretKey)) return;
  const parsed = new URL(url);
  if (!options.autoStart || !['127.0.0.1', 'localhost'].includes(parsed.hostname)) {
    throw new ShError('SH_ERR_BROKER_UNREACHABLE', `the paper venue does not answer at ${url}`, { where: 'broker.venue.url', received: url, expected: 'a running venue (strategy-host venue --port <n> --data-dir <dir>)', fix: 'Start the venue, or set broker.venue.autoStart to true.' });
  }
  const venueDir = path.join(options.dataDir, 'venue');
  fs.mkdirSync(venueDir, { recursive: true });
  const out = fs.openSync(path.join(venueDir, 'venue.log'), 'a');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'strategy-host.js'), 'venue', '--port', parsed.port || '80', '--data-dir', venueDir, '--initial-cash', String(options.initialCash)], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, SH_VENUE_KEY_ID: keyId, SH_VENUE_SECRET_KEY: secretKey },
  });
  child.unref();
  fs.closeSync(out);
  options.log(`venue: started pid ${child.pid} on ${url} (data ${venueDir}); it keeps running after the host stops`);
  for (let i = 0; i < 100; i++) {
    if (await answers(url, keyId, secretKey)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ShError('SH_ERR_BROKER_UNREACHABLE', `the paper venue started but does not answer at ${url}`, { where: 'broker.venue', received: url, fix: `See ${path.join(venueDir, 'venue.log')}.` });
}
