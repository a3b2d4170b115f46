import path from 'node:path';
import { ShError } from '../../core/index.js';
import { untilSignal } from '../until-signal.js';
import { PaperVenue } from './paper-venue.js';
import { DEFAULT_VENUE_KEY_ID, DEFAULT_VENUE_SECRET_KEY, startVenueServer } from './venue-server.js';

/** Environment variables holding the key pair clients must send; the defaults are for local use only. */
export const VENUE_KEY_ID_ENV = 'SH_VENUE_KEY_ID';
export const VENUE_SECRET_KEY_ENV = 'SH_VENUE_SECRET_KEY';

export interface VenueCommandOptions {
  /** --port: 0..65535; 0 or absent picks a free port (printed). */
  readonly port?: string;
  /** --data-dir: required, so a venue never shares a host's directory by accident. */
  readonly dataDir?: string;
  /** --initial-cash, for a new data dir (an existing one keeps its own). */
  readonly initialCash?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Lines for stderr. */
  readonly log: (line: string) => void;
  /** Resolves when the venue should stop. Default: the first SIGTERM or SIGINT. */
  readonly stopped?: Promise<unknown>;
}

/**
 * `strategy-host venue --port <n> --data-dir <dir> [--initial-cash <amount>]`: open the venue of the data dir (replaying
 * its journal), serve it on 127.0.0.1 until SIGTERM or SIGINT, then stop accepting, finish what is in flight and close
 * the database. Answers the exit code.
 */
export async function venueCommand(options: VenueCommandOptions): Promise<number> {
  const env = options.env ?? process.env;
  if (options.dataDir === undefined || options.dataDir === '') {
    throw new ShError('SH_ERR_CLI_USAGE', 'venue needs --data-dir', { where: '--data-dir', received: undefined, expected: 'a directory of its own for venue.sqlite, e.g. --data-dir var/venue' });
  }
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535) || options.port?.trim() === '') {
    throw new ShError('SH_ERR_CLI_USAGE', '--port needs a port number', { where: '--port', received: options.port, expected: 'an integer 0..65535 (0: any free port)' });
  }
  let initialCash: number | undefined;
  if (options.initialCash !== undefined) {
    initialCash = Number(options.initialCash);
    if (options.initialCash.trim() === '' || !(Number.isFinite(initialCash) && initialCash > 0)) {
      throw new ShError('SH_ERR_CLI_USAGE', '--initial-cash needs an amount', { where: '--initial-cash', received: options.initialCash, expected: 'a positive number, e.g. 100000' });
    }
  }
  const venue = await PaperVenue.open({ dataDir: path.resolve(options.dataDir), settings: initialCash === undefined ? {} : { initialCash } });
  try {
    const orders = (await venue.orders()).length;
    const fills = (await venue.fills()).length;
    options.log(`venue data ${venue.filePath}: ${orders} orders and ${fills} fills recovered, clock ${new Date(venue.clock).toISOString()}`);
    const server = await startVenueServer({
      venue,
      port,
      keyId: env[VENUE_KEY_ID_ENV] ?? DEFAULT_VENUE_KEY_ID,
      secretKey: env[VENUE_SECRET_KEY_ENV] ?? DEFAULT_VENUE_SECRET_KEY,
      log: options.log,
    });
    const stopped = options.stopped ?? untilSignal();
    options.log(`venue listening on ${server.url}`);
    await stopped;
    options.log('venue stopping');
    await server.close();
  } finally {
    await venue.close();
  }
  options.log('venue stopped');
  return 0;
}
