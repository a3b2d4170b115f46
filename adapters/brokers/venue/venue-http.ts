import { ShError } from '../../../core/index.js';

/** The fetch this client needs: the global one by default, an injected one in tests. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** An HTTP answer the venue gave: status and JSON body (undefined when empty). */
export interface VenueAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface VenueHttpOptions {
  readonly baseUrl: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly fetch: FetchFunction;
  /** Broker id, for error messages. */
  readonly brokerId: string;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/**
 * A JSON-over-HTTP client of the venue with Alpaca's authentication headers. It answers every HTTP status except
 * 401/403 (SH_ERR_BROKER_AUTH_FAILED); no answer in time, a network failure or an unreadable body throws
 * SH_ERR_BROKER_UNREACHABLE, since the caller cannot know what the venue did.
 */
export class VenueHttp {
  private readonly options: VenueHttpOptions;
  private readonly baseUrl: string;

  constructor(options: VenueHttpOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async call(method: 'GET' | 'POST' | 'DELETE', path: string, call: CallOptions): Promise<VenueAnswer> {
    const where = `${method} ${this.baseUrl}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          'APCA-API-KEY-ID': this.options.keyId,
          'APCA-API-SECRET-KEY': this.options.secretKey,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(call.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw unreachable(this.options.brokerId, where, describe(error, call.timeoutMs));
    }
    if (response.status === 401 || response.status === 403) {
      throw new ShError('SH_ERR_BROKER_AUTH_FAILED', `the ${this.options.brokerId} broker refused the key pair (HTTP ${response.status})`, {
        where,
        received: `HTTP ${response.status} ${text.slice(0, 200)}`,
        expected: 'the key id and secret the venue was started with',
      });
    }
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw unreachable(this.options.brokerId, where, `an answer that is not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
      }
    }
    if (response.status >= 500) throw unreachable(this.options.brokerId, where, `HTTP ${response.status} ${messageOf(body) ?? ''}`.trim());
    return { status: response.status, body };
  }
}

/** Alpaca's error message in a body, when there is one. */
export function messageOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : undefined;
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

function unreachable(brokerId: string, where: string, why: string): ShError {
  return new ShError('SH_ERR_BROKER_UNREACHABLE', `the ${brokerId} broker gave no usable answer: ${why}`, {
    where,
    received: why,
    expected: 'an HTTP answer from a running venue within the timeout',
  });
}
