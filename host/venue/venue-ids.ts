import { createHash, randomUUID } from 'node:crypto';

/**
 * A UUID-shaped id derived from a name (SHA-256, version nibble 5, RFC 4122 variant): the same name always gives the
 * same id, so a replay of the venue journal reproduces fill and asset ids without storing them first.
 * @example derivedUuid('fill:4f1c...:1') // 'a3c1...-....-5...-8...-............'
 */
export function derivedUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The id of a fill: the order id and the fill's number within the order (1, 2, ...). */
export function fillId(orderId: string, number: number): string {
  return derivedUuid(`fill:${orderId}:${number}`);
}

/** Alpaca's asset_id for a symbol; this venue has no asset master, so it is derived from the symbol. */
export function assetId(symbol: string): string {
  return derivedUuid(`asset:${symbol}`);
}

/** A paper account number in Alpaca's style (`PA` and ten digits), derived from the account id. */
export function accountNumber(accountId: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(accountId).digest('hex').slice(0, 15)}`) % 10_000_000_000n;
  return `PA${digits.toString().padStart(10, '0')}`;
}

export const newUuid: () => string = randomUUID;
