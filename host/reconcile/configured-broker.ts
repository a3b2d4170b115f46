import { ShError, type BrokerAdapter, type Order } from '../../core/index.js';
import { PaperBroker } from '../../adapters/brokers/paper/index.js';
import { orderFromAlpaca, VenueBroker, VenueHttp, type AlpacaOrder } from '../../adapters/brokers/venue/index.js';
import type { HostConfig } from '../config/load-config.js';

/** A position the broker liquidated: the order it placed for it, as it stands. */
export interface Liquidation {
  readonly symbol: string;
  readonly order: Order;
}

/** The broker of a config, for a process that is not the host (the reconcile CLI, the watchdog). */
export interface ConfiguredBroker {
  readonly broker: BrokerAdapter;
  readonly kind: 'paper' | 'venue';
  /** Where it is, for messages: `venue at http://127.0.0.1:8790`, `in-process paper broker`. */
  readonly where: string;
  /**
   * Cancel every working order and close every position now, when the broker offers it (the venue's
   * `DELETE /v2/positions?cancel_orders=true`, filled at once on a liquidation print). Absent for the paper broker.
   */
  readonly liquidateAll?: () => Promise<Liquidation[]>;
}

export interface ConfiguredBrokerOptions {
  /** Use the venue at this URL whatever broker.kind says (`--venue-url`). */
  readonly venueUrl?: string;
}

const LIQUIDATE_TIMEOUT_MS = 10_000;

/**
 * The broker adapter `broker.kind` names, built as the host builds it: `paper` is a fresh in-process simulator (it only
 * exists inside the host, so another process sees an empty one), `venue` a VenueBroker on `broker.venue.url` with the
 * configured key pair. Not connected yet.
 * @example const { broker, liquidateAll } = configuredBroker(config, { venueUrl: 'http://127.0.0.1:8790' });
 */
export function configuredBroker(config: HostConfig, options: ConfiguredBrokerOptions = {}): ConfiguredBroker {
  const settings = config.broker as { kind: string; venue?: { url?: string; keyId?: string; secretKey?: string; submitTimeoutMs?: number } };
  const venue = settings.venue ?? {};
  const url = options.venueUrl ?? (settings.kind === 'venue' ? venue.url : undefined);
  if (url !== undefined) {
    const keyId = venue.keyId ?? process.env.SH_VENUE_KEY_ID;
    const secretKey = venue.secretKey ?? process.env.SH_VENUE_SECRET_KEY;
    const broker = new VenueBroker({
      baseUrl: url,
      ...(keyId === undefined ? {} : { keyId }),
      ...(secretKey === undefined ? {} : { secretKey }),
      ...(venue.submitTimeoutMs === undefined ? {} : { submitTimeoutMs: venue.submitTimeoutMs }),
    });
    const http = new VenueHttp({
      baseUrl: url,
      keyId: keyId ?? 'venue-key-id',
      secretKey: secretKey ?? 'venue-secret-key',
      fetch: (input, init) => fetch(input, init),
      brokerId: broker.id,
    });
    return { broker, kind: 'venue', where: `venue at ${url}`, liquidateAll: () => liquidateAll(http, broker.id) };
  }
  if (settings.kind === 'paper') {
    return { broker: new PaperBroker({ initialCash: config.run.capital, ...config.broker.paper }), kind: 'paper', where: 'in-process paper broker' };
  }
  throw new ShError('SH_ERR_CONFIG_INVALID', `broker.kind ${JSON.stringify(settings.kind)} cannot be reached from outside the host`, {
    where: 'broker.kind',
    received: settings.kind,
    expected: 'paper or venue',
  });
}

/** DELETE /v2/positions?cancel_orders=true: 207 with one entry per position closed. */
async function liquidateAll(http: VenueHttp, brokerId: string): Promise<Liquidation[]> {
  const answer = await http.call('DELETE', '/v2/positions?cancel_orders=true', { timeoutMs: LIQUIDATE_TIMEOUT_MS });
  if (answer.status !== 207 && answer.status !== 200) {
    throw new ShError('SH_ERR_BROKER_REJECTED', `the ${brokerId} broker refused to liquidate: HTTP ${answer.status}`, {
      where: `broker ${brokerId}`,
      received: `HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
      expected: 'HTTP 207 with one entry per position',
    });
  }
  const entries = Array.isArray(answer.body) ? (answer.body as { symbol: string; status: number; body: unknown }[]) : [];
  const failed = entries.filter((entry) => entry.status !== 200);
  if (failed.length > 0) {
    // The others are liquidated; a retry liquidates what is left (there is nothing twice to close).
    throw new ShError('SH_ERR_BROKER_REJECTED', `the ${brokerId} broker could not liquidate ${failed.map((e) => e.symbol).join(', ')}`, {
      where: `broker ${brokerId}`,
      received: JSON.stringify(failed).slice(0, 300),
      expected: 'status 200 for every position',
    });
  }
  return entries.map((entry) => ({ symbol: entry.symbol, order: orderFromAlpaca(entry.body as AlpacaOrder, brokerId) }));
}
