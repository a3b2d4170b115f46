import { describe, expect, it } from 'vitest';
import type { BarWindow, SeriesWindow } from '../model/series-store.js';
import { MS_PER_DAY } from '../model/time.js';
import type { StrategyContext } from '../plugin/context.js';
import { COT_MARKET_PARAMS, cotMarketNeeds, describeWeight, evaluateCotMarkets, marketsProblems, staleReportReason, unknownMarkets, waitingForHistoryReason, type CotMarketOutcome, type CotMarketView } from './cot-markets.js';

const MARKETS = {
  GC: { cot: 'cot:GC', symbol: 'GLD' },
  SI: { cot: 'cot:SI', symbol: 'SLV' },
};

describe('unknownMarkets and marketsProblems', () => {
  it.each([
    { selected: ['GC', 'SI'], unknown: [] },
    { selected: ['SI'], unknown: [] },
    { selected: ['HG', 'GC', 'PL'], unknown: ['HG', 'PL'] },
  ])('$selected: unknown $unknown', ({ selected, unknown }) => {
    expect(unknownMarkets(MARKETS, selected)).toEqual(unknown);
    expect(marketsProblems(MARKETS, selected)).toEqual(unknown.length === 0 ? [] : [{ name: 'markets', received: selected, expected: 'markets among GC, SI' }]);
  });
});

describe('COT_MARKET_PARAMS', () => {
  it('declares the sizing and staleness params with their defaults', () => {
    expect(Object.keys(COT_MARKET_PARAMS)).toEqual(['volTarget', 'volDays', 'maxReportAgeDays']);
    expect([COT_MARKET_PARAMS.volTarget.default, COT_MARKET_PARAMS.volDays.default, COT_MARKET_PARAMS.maxReportAgeDays.default]).toEqual([0.1, 60, 21]);
  });
});

describe('cotMarketNeeds', () => {
  it("declares the selected markets' ETF bars for the volatility and their COT series", () => {
    expect(cotMarketNeeds(MARKETS, ['SI'], 60, 160)).toEqual({ bars: ['SLV'], series: ['cot:SI'], history: 61, seriesHistory: 160 });
    expect(cotMarketNeeds(MARKETS, ['GC', 'SI'], 20, 52)).toEqual({ bars: ['GLD', 'SLV'], series: ['cot:GC', 'cot:SI'], history: 21, seriesHistory: 52 });
  });
});

describe('evaluateCotMarkets', () => {
  interface Held {
    readonly weight: number;
    readonly report: number | null;
  }
  const FLAT: Held = { weight: 0, report: null };
  const tuesday = Date.UTC(2024, 0, 2);
  const closes: Record<string, Float64Array> = { GLD: Float64Array.of(1, 2), SLV: Float64Array.of(3, 4, 5) };
  /** cot:GC has 7 weekly reports, cot:SI 9; the last of each on `tuesday`. */
  const reports = (id: string): SeriesWindow => {
    const length = id === 'cot:GC' ? 7 : 9;
    return { id, length, time: Float64Array.from({ length }, (_, i) => tuesday - (length - 1 - i) * 7 * MS_PER_DAY) } as unknown as SeriesWindow;
  };
  const ctxAt = (now: number): Pick<StrategyContext, 'now' | 'bars' | 'series'> => ({ now, series: reports, bars: (symbol: string): BarWindow => ({ close: closes[symbol] }) as unknown as BarWindow });
  const selection = { markets: ['SI', 'GC'], maxReportAgeDays: 21 };

  it('evaluates each market on its own data and previous position, one signal per ETF, positions for the state', () => {
    const seen: string[] = [];
    const evaluate = (market: CotMarketView, previous: Held): CotMarketOutcome<Held> => {
      seen.push(`${market.cot.id} ${market.cot.length} ${market.close.length} ${JSON.stringify(previous)}`);
      const weight = market.cot.id === 'cot:GC' ? 0.5 : -0.25;
      return { position: { weight, report: market.cot.length }, confidence: Math.abs(weight), reason: `weight ${weight}` };
    };
    const { signals, positions } = evaluateCotMarkets(ctxAt(tuesday + 3 * MS_PER_DAY), MARKETS, selection, { GC: { weight: 0.1, report: 3 } }, FLAT, 'cot', evaluate);
    expect(seen).toEqual(['cot:SI 9 3 {"weight":0,"report":null}', 'cot:GC 7 2 {"weight":0.1,"report":3}']);
    expect(signals).toEqual([
      { symbol: 'SLV', weight: -0.25, confidence: 0.25, reason: 'cot SI weight -0.25' },
      { symbol: 'GLD', weight: 0.5, confidence: 0.5, reason: 'cot GC weight 0.5' },
    ]);
    expect(positions).toEqual({ SI: { weight: -0.25, report: 9 }, GC: { weight: 0.5, report: 7 } });
  });

  it('leaves a market whose series has stopped flat, without evaluating it', () => {
    const held = { GC: { weight: 0.4, report: tuesday }, SI: { weight: -0.2, report: tuesday } };
    const { signals, positions } = evaluateCotMarkets(ctxAt(tuesday + 22 * MS_PER_DAY), MARKETS, selection, held, FLAT, 'hp', () => {
      throw new Error('a stale market is not evaluated');
    });
    expect(signals).toEqual([
      { symbol: 'SLV', weight: 0, confidence: 0, reason: 'hp SI stale: last report 2024-01-02, older than 21d' },
      { symbol: 'GLD', weight: 0, confidence: 0, reason: 'hp GC stale: last report 2024-01-02, older than 21d' },
    ]);
    expect(positions).toEqual({ SI: FLAT, GC: FLAT });
  });

  it('cuts the reason, label and market included, to 200 characters', () => {
    const { signals } = evaluateCotMarkets(ctxAt(tuesday), MARKETS, { markets: ['GC'], maxReportAgeDays: 21 }, {}, FLAT, 'hp', () => ({ position: FLAT, confidence: 0, reason: 'x'.repeat(300) }));
    expect(signals[0]?.reason).toBe(`hp GC ${'x'.repeat(194)}`);
  });
});

describe('staleReportReason', () => {
  const tuesday = Date.UTC(2026, 2, 10);
  const cot = { length: 2, time: Float64Array.of(tuesday - 7 * MS_PER_DAY, tuesday) };
  it.each([
    { now: tuesday + 21 * MS_PER_DAY, reason: undefined },
    { now: tuesday + 22 * MS_PER_DAY, reason: 'stale: last report 2026-03-10, older than 21d' },
  ])('at day $now: $reason', ({ now, reason }) => {
    expect(staleReportReason(now, cot, 21)).toBe(reason);
  });

  it('is undefined without a report (waiting, not stale)', () => {
    expect(staleReportReason(tuesday, { length: 0, time: new Float64Array(0) }, 7)).toBeUndefined();
  });
});

describe('waitingForHistoryReason', () => {
  it.each([
    { reports: 80, bars: 61, text: 'waiting for history: 80 of 156 reports' },
    { reports: 156, bars: 30, text: 'waiting for history: 156 of 156 reports, 30 of 61 bars' },
  ])('$text', ({ reports, bars, text }) => {
    expect(waitingForHistoryReason(reports, 156, bars, 61)).toBe(text);
  });
});

describe('describeWeight', () => {
  it.each([
    { weight: 0.356, side: undefined, text: 'long 0.36' },
    { weight: -0.356, side: undefined, text: 'short 0.36' },
    { weight: 0, side: undefined, text: 'flat' },
    { weight: -0, side: undefined, text: 'flat' },
    { weight: 0, side: 1, text: 'long 0.00' },
    { weight: 0.5, side: 0, text: 'flat' },
  ])('weight $weight, side $side: $text', ({ weight, side, text }) => {
    expect(describeWeight(weight, side)).toBe(text);
  });
});
