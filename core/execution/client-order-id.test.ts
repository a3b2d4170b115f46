import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_MAX_LENGTH,
  clientOrderId,
  MAX_CYCLE,
  MAX_SEQUENCE,
  newRunId,
  parseClientOrderId,
  runTag,
  symbolTag,
} from './client-order-id.js';

const RUN = 'r20260101t120000-ab12';
/** The strictest venue rule (Binance newClientOrderId) intersected with ours. */
const BROKER_SAFE = /^[A-Za-z0-9-]{1,36}$/;

describe('clientOrderId', () => {
  it('is deterministic and readable', () => {
    const parts = { runId: RUN, cycle: 100, symbol: 'GLD', sequence: 0 };
    expect(clientOrderId(parts)).toBe(clientOrderId({ ...parts }));
    expect(clientOrderId(parts)).toBe(`sh-${runTag(RUN)}-2s-GLD-0`);
    expect(clientOrderId(parts)).toBe('sh-a3hv0g81-2s-GLD-0');
  });

  it('tags runs with FNV-1a 64 of the UTF-8 bytes, modulo 36^8', () => {
    // Published FNV-1a 64 test vectors: "a" -> af63dc4c8601ec8c, "foobar" -> 85944171f73967e8.
    expect(runTag('a')).toBe((0xaf63dc4c8601ec8cn % 36n ** 8n).toString(36).padStart(8, '0'));
    expect(runTag('foobar')).toBe((0x85944171f73967e8n % 36n ** 8n).toString(36).padStart(8, '0'));
    expect(runTag(RUN)).not.toBe(runTag('r20260101t120000-ab13'));
  });

  it('is unique, at most 36 characters and broker-safe across 100 000 combinations', () => {
    const symbols = ['GLD', 'SLV', 'GC', 'BTC/USDT', 'BTCUSDT', 'BTC-USDT', 'BRK.B', 'ESZ5', 'GLD   251219C00200000', 'GLD   251219P00200000'];
    const seen = new Set<string>();
    const unsafe: string[] = [];
    let longest = 0;
    for (let cycle = 0; cycle < 1000; cycle++) {
      const bigCycle = cycle < 500 ? cycle : MAX_CYCLE - cycle;
      for (const symbol of symbols) {
        for (let sequence = 0; sequence < 10; sequence++) {
          const id = clientOrderId({ runId: RUN, cycle: bigCycle, symbol, sequence: sequence < 5 ? sequence : MAX_SEQUENCE - sequence });
          if (!BROKER_SAFE.test(id)) unsafe.push(id);
          longest = Math.max(longest, id.length);
          seen.add(id);
        }
      }
    }
    expect(seen.size).toBe(100_000);
    expect(unsafe).toEqual([]);
    expect(longest).toBeLessThanOrEqual(CLIENT_ORDER_ID_MAX_LENGTH);
  });

  it('reaches exactly 36 characters at the widest fields', () => {
    const id = clientOrderId({ runId: RUN, cycle: MAX_CYCLE, symbol: 'ABCDEFGHIJKLM', sequence: MAX_SEQUENCE });
    expect(id).toBe(`sh-${runTag(RUN)}-zzzzzz-ABCDEFGHIJKLM-zzz`);
    expect(id).toHaveLength(36);
    expect(clientOrderId({ runId: RUN, cycle: MAX_CYCLE, symbol: 'GLD   251219C00200000', sequence: MAX_SEQUENCE })).toHaveLength(36);
  });

  it('differs between runs for the same cycle, symbol and sequence', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => clientOrderId({ runId: newRunId(Date.UTC(2026, 0, 1) + i * 1000, i), cycle: 1, symbol: 'GLD', sequence: 0 })));
    expect(ids.size).toBe(1000);
  });

  it.each([
    ['an empty run id', { runId: '', cycle: 0, symbol: 'GLD', sequence: 0 }],
    ['an empty symbol', { runId: RUN, cycle: 0, symbol: '', sequence: 0 }],
    ['a negative cycle', { runId: RUN, cycle: -1, symbol: 'GLD', sequence: 0 }],
    ['a fractional cycle', { runId: RUN, cycle: 1.5, symbol: 'GLD', sequence: 0 }],
    ['a cycle past 36^6 - 1', { runId: RUN, cycle: MAX_CYCLE + 1, symbol: 'GLD', sequence: 0 }],
    ['a sequence past 36^3 - 1', { runId: RUN, cycle: 0, symbol: 'GLD', sequence: MAX_SEQUENCE + 1 }],
  ])('refuses %s with SH_ERR_EXEC_ID_INVALID', (_name, parts) => {
    expect(() => clientOrderId(parts)).toThrow(expect.objectContaining({ code: 'SH_ERR_EXEC_ID_INVALID' }));
  });
});

describe('symbolTag', () => {
  it.each([
    ['GLD', 'GLD'],
    ['BTCUSDT', 'BTCUSDT'],
    ['ABCDEFGHIJKLM', 'ABCDEFGHIJKLM'],
  ])('keeps %s verbatim', (symbol, tag) => {
    expect(symbolTag(symbol)).toBe(tag);
  });

  it.each([['BTC/USDT', 'BTCU'], ['BTC-USDT', 'BTCU'], ['BRK.B', 'BRKB'], ['ABCDEFGHIJKLMN', 'ABCD'], ['/', 'x']])(
    'hashes %s behind the prefix %s',
    (symbol, prefix) => {
      expect(symbolTag(symbol)).toMatch(new RegExp(`^${prefix}-[0-9a-z]{8}$`));
    },
  );

  it('keeps symbols that differ only in punctuation apart', () => {
    const tags = ['BTC/USDT', 'BTC-USDT', 'BTC_USDT', 'BTCUSDT'].map(symbolTag);
    expect(new Set(tags).size).toBe(4);
  });
});

describe('parseClientOrderId', () => {
  it.each([
    { runId: RUN, cycle: 0, symbol: 'GLD', sequence: 0 },
    { runId: RUN, cycle: 123_456, symbol: 'ESZ5', sequence: 35 },
    { runId: 'another run', cycle: MAX_CYCLE, symbol: 'BTC/USDT', sequence: MAX_SEQUENCE },
  ])('reads back cycle $cycle, $symbol, sequence $sequence', (parts) => {
    const parsed = parseClientOrderId(clientOrderId(parts));
    expect(parsed).toEqual({
      runTag: runTag(parts.runId),
      cycle: parts.cycle,
      symbolTag: symbolTag(parts.symbol),
      symbol: symbolTag(parts.symbol) === parts.symbol ? parts.symbol : undefined,
      sequence: parts.sequence,
    });
  });

  it.each(['', 'manual-order-1', 'sh-a3hv0g81-2s-GLD', 'sh-A3HV0G81-2s-GLD-0', 'sh-a3hv0g81-02s-GLD-0', 'sh-a3hv0g81-2s-GLD-00', 'sh-a3hv0g81-2s-G/D-0', 'xx-a3hv0g81-2s-GLD-0'])(
    'returns undefined for %j, which is not one of ours',
    (id) => {
      expect(parseClientOrderId(id)).toBeUndefined();
    },
  );
});

describe('newRunId', () => {
  it('formats the UTC start time and the salt', () => {
    expect(newRunId(Date.UTC(2026, 0, 1, 12, 0, 0), 13_368)).toBe('r20260101t120000-0abc');
    expect(newRunId(Date.UTC(2026, 0, 1, 12, 0, 0), 36 ** 4 + 1)).toBe('r20260101t120000-0001');
    expect(newRunId(0, 'seed')).toMatch(/^r19700101t000000-[0-9a-z]{4}$/);
    expect(newRunId(0, 'seed')).toBe(newRunId(0, 'seed'));
  });

  it('sorts by start time', () => {
    const times = [Date.UTC(2025, 11, 31, 23, 59, 59), Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 1), Date.UTC(2026, 9, 1)];
    const ids = times.map((time, i) => newRunId(time, 46_655 - i));
    expect([...ids].sort()).toEqual(ids);
  });

  it.each([
    ['NaN time', Number.NaN, 1],
    ['negative time', -1, 1],
    ['a year past 9999', Date.UTC(10000, 0, 1), 1],
    ['a negative salt', 0, -1],
    ['a fractional salt', 0, 0.5],
  ])('refuses %s', (_name, time, salt) => {
    expect(() => newRunId(time, salt)).toThrow(expect.objectContaining({ code: 'SH_ERR_EXEC_ID_INVALID' }));
  });
});
