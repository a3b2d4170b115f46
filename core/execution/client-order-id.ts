import { shError } from '../errors.js';

/**
 * Client order ids: deterministic and unique forever, one per (run, cycle, symbol, sequence) (DESIGN.md §6).
 *
 * Scheme: `sh-<run>-<cycle>-<symbol>-<sequence>`, for example `sh-a3hv0g81-2s-GLD-0`.
 * - `sh` marks the host's orders at the broker, so reconciliation can tell them from manual ones.
 * - `<run>`: 8 base36 characters, FNV-1a 64 of the run id's UTF-8 bytes modulo 36^8 (41 bits). Not reversible; compare
 *   with `runTag(runId)`. Two runs share a tag with probability about k² / 5.6e12 for k runs (2e-5 for 10 000 runs).
 * - `<cycle>`: the decision cycle in base36, no leading zeros, 0 <= cycle < 36^6 (2.18e9: a cycle a second for 69 years).
 * - `<symbol>`: the symbol itself when it is 1 to 13 letters and digits (GLD, BTCUSDT, ESZ5), otherwise its first up
 *   to 4 letters and digits (`x` when it has none), a dash and 8 base36 characters of the symbol's FNV-1a 64 hash
 *   (`BTC/USDT` -> `BTCU-ahmcf0ap`). Verbatim fields have no dash and hashed fields exactly one, so the two never meet;
 *   two long symbols collide only if prefix and 41-bit hash both agree (about n² / 5.6e12 for n such symbols).
 * - `<sequence>`: the order's number within (run, cycle, symbol) in base36, 0 <= sequence < 36^3 (46 656).
 *
 * The longest id is 3 + 8 + 1 + 6 + 1 + 13 + 1 + 3 = 36 characters of [A-Za-z0-9-], inside every venue's rules:
 * Binance newClientOrderId (^[.A-Z:/a-z0-9_-]{1,36}$), Alpaca client_order_id (128), IBKR orderRef.
 * Injective for cycle, symbol (verbatim) and sequence; for the hashed parts, up to the collision odds above. Brokers
 * reject a reused id, so a collision is refused, never a silent double order.
 */

export const CLIENT_ORDER_ID_PREFIX = 'sh';
export const CLIENT_ORDER_ID_MAX_LENGTH = 36;
export const MAX_CYCLE = 36 ** 6 - 1;
export const MAX_SEQUENCE = 36 ** 3 - 1;
const HASH_LENGTH = 8;
const HASH_MODULUS = 36n ** 8n;
const VERBATIM_SYMBOL = /^[A-Za-z0-9]{1,13}$/;
const CLIENT_ORDER_ID = /^sh-([0-9a-z]{8})-([0-9a-z]{1,6})-([A-Za-z0-9]{1,13}|[A-Za-z0-9]{1,4}-[0-9a-z]{8})-([0-9a-z]{1,3})$/;

export interface ClientOrderIdParts {
  readonly runId: string;
  /** Decision cycle number, an integer in [0, MAX_CYCLE]. */
  readonly cycle: number;
  readonly symbol: string;
  /** The order's number within (run, cycle, symbol), an integer in [0, MAX_SEQUENCE]. */
  readonly sequence: number;
}

/** What can be read back from a client order id. */
export interface ParsedClientOrderId {
  /** `runTag(runId)` of the run that created it. */
  readonly runTag: string;
  readonly cycle: number;
  /** The symbol field as written: the symbol itself, or prefix-hash for a long or punctuated symbol. */
  readonly symbolTag: string;
  /** The symbol, when it was written verbatim; undefined when only its hash is there (compare with symbolTag(symbol)). */
  readonly symbol: string | undefined;
  readonly sequence: number;
}

/**
 * The client order id of (runId, cycle, symbol, sequence). Throws SH_ERR_EXEC_ID_INVALID for an empty run id or
 * symbol, or a cycle or sequence that is not an integer in range.
 * @example clientOrderId({ runId: 'r20260101t120000-ab12', cycle: 100, symbol: 'GLD', sequence: 0 }) // 'sh-a3hv0g81-2s-GLD-0'
 */
export function clientOrderId(parts: ClientOrderIdParts): string {
  const { runId, cycle, symbol, sequence } = parts;
  if (runId.length === 0) throw invalid('runId', runId, 'a non-empty run id, as newRunId makes');
  if (symbol.length === 0) throw invalid('symbol', symbol, 'a non-empty symbol');
  if (!Number.isInteger(cycle) || cycle < 0 || cycle > MAX_CYCLE) throw invalid('cycle', cycle, `an integer from 0 to ${MAX_CYCLE}`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_SEQUENCE) {
    throw invalid('sequence', sequence, `an integer from 0 to ${MAX_SEQUENCE} (orders per run, cycle and symbol)`);
  }
  return `${CLIENT_ORDER_ID_PREFIX}-${runTag(runId)}-${cycle.toString(36)}-${symbolTag(symbol)}-${sequence.toString(36)}`;
}

/**
 * Read back what a client order id holds; undefined when it is not one of ours (another system's id, a manual order)
 * or not in canonical form.
 * @example parseClientOrderId('sh-a3hv0g81-2s-GLD-0') // { runTag: 'a3hv0g81', cycle: 100, symbolTag: 'GLD', symbol: 'GLD', sequence: 0 }
 */
export function parseClientOrderId(id: string): ParsedClientOrderId | undefined {
  const match = CLIENT_ORDER_ID.exec(id);
  if (!match) return undefined;
  const [, run, cycleText, symbolField, sequenceText] = match as unknown as [string, string, string, string, string];
  const cycle = Number.parseInt(cycleText, 36);
  const sequence = Number.parseInt(sequenceText, 36);
  // Canonical form only (no leading zeros), so that id <-> parts stays one to one.
  if (cycle.toString(36) !== cycleText || sequence.toString(36) !== sequenceText) return undefined;
  return { runTag: run, cycle, symbolTag: symbolField, symbol: symbolField.includes('-') ? undefined : symbolField, sequence };
}

/**
 * The 8-character tag of a run inside its client order ids.
 * @example parseClientOrderId(id)?.runTag === runTag(runId) // the order belongs to this run
 */
export function runTag(runId: string): string {
  // A run makes many ids with one run id: remember the last tag (a cache, so still a pure function).
  if (runId !== lastRunId) {
    lastRunTag = hash36(runId);
    lastRunId = runId;
  }
  return lastRunTag;
}

let lastRunId: string | undefined;
let lastRunTag = '';

/**
 * The symbol field of a client order id: the symbol when it is 1 to 13 letters and digits, else prefix-hash.
 * @example symbolTag('GLD') // 'GLD'; symbolTag('BTC/USDT') // 'BTCU-ahmcf0ap'
 */
export function symbolTag(symbol: string): string {
  if (VERBATIM_SYMBOL.test(symbol)) return symbol;
  const prefix = symbol.replace(/[^A-Za-z0-9]/g, '').slice(0, 4);
  return `${prefix.length > 0 ? prefix : 'x'}-${hash36(symbol)}`;
}

/**
 * A sortable run id from the run's start time and a salt: `r<yyyymmdd>t<hhmmss>-<4 base36>`, UTC.
 * Pure: the caller passes the clock and the randomness (a non-negative integer, reduced modulo 36^4, or a string,
 * hashed). Two runs started in the same second differ by salt. Throws SH_ERR_EXEC_ID_INVALID for a time outside
 * years 1970-9999 or a negative or fractional salt.
 * @example newRunId(Date.UTC(2026, 0, 1, 12, 0, 0), 13_368) // 'r20260101t120000-0abc'
 */
export function newRunId(startTimeMs: number, salt: number | string): string {
  if (!Number.isFinite(startTimeMs) || startTimeMs < 0 || startTimeMs >= 253_402_300_800_000) {
    throw invalid('startTimeMs', startTimeMs, 'epoch milliseconds from 1970 to the end of 9999');
  }
  let saltValue: bigint;
  if (typeof salt === 'string') saltValue = fnv1a64(salt);
  else if (Number.isSafeInteger(salt) && salt >= 0) saltValue = BigInt(salt);
  else throw invalid('salt', salt, 'a non-negative safe integer or a string');
  const digits = new Date(startTimeMs).toISOString().replace(/[-:]/g, '');
  const saltText = (saltValue % 36n ** 4n).toString(36).padStart(4, '0');
  return `r${digits.slice(0, 8)}t${digits.slice(9, 15)}-${saltText}`;
}

function hash36(text: string): string {
  return (fnv1a64(text) % HASH_MODULUS).toString(36).padStart(HASH_LENGTH, '0');
}

const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** FNV-1a 64 over the UTF-8 bytes of `text` (so any language can recompute a tag). */
function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET_BASIS;
  const step = (byte: number): void => {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  };
  for (const character of text) {
    const code = character.codePointAt(0) as number;
    if (code < 0x80) step(code);
    else if (code < 0x800) {
      step(0xc0 | (code >> 6));
      step(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      step(0xe0 | (code >> 12));
      step(0x80 | ((code >> 6) & 0x3f));
      step(0x80 | (code & 0x3f));
    } else {
      step(0xf0 | (code >> 18));
      step(0x80 | ((code >> 12) & 0x3f));
      step(0x80 | ((code >> 6) & 0x3f));
      step(0x80 | (code & 0x3f));
    }
  }
  return hash;
}

function invalid(field: string, received: unknown, expected: string): Error {
  return shError('SH_ERR_EXEC_ID_INVALID', `cannot build an id: ${field} ${JSON.stringify(received)} is out of range`, {
    where: field,
    received: typeof received === 'number' && !Number.isFinite(received) ? String(received) : received,
    expected,
  });
}
