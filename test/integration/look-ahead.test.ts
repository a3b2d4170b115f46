import { describe, expect, it } from 'vitest';
import {
  availableAt,
  COT_AVAILABILITY,
  DAILY_CLOSE_LAG_MS,
  defineStrategy,
  evaluateOnce,
  parseDate,
  prepareStrategy,
  SeriesStore,
  type SeriesData,
} from '../../core/index.js';
import { SyntheticDataAdapter } from '../../adapters/data/synthetic/index.js';

const HOUR = 3_600_000;

/** A plugin that reports the last COT spec_net it can see as its GLD weight: a window onto what it is shown. */
const peeker = defineStrategy({
  id: 'cot-peeker',
  version: '1.0.0',
  api: 1,
  summary: 'reports the last visible COT value',
  params: {},
  needs: () => ({ bars: ['GLD'], series: ['cot:GC'], history: 5 }),
  init: () => ({}),
  evaluate: (ctx, _p, state) => {
    const cot = ctx.series('cot:GC');
    return { signals: [{ symbol: 'GLD', weight: cot.length === 0 ? 0 : cot.last('spec_net') / 1000, confidence: 1, reason: `seen ${cot.length}` }], state };
  },
});

function cotSeries(): SeriesData {
  // Tuesdays 2024-01-02, 01-09, 01-16 with spec_net 100, 200, 300 (as thousandths so weights stay in [-1, 1]).
  const days = ['2024-01-02', '2024-01-09', '2024-01-16'].map(parseDate);
  return {
    spec: { id: 'cot:GC', kind: 'cot', fields: ['spec_net'], frequency: 'weekly', availability: COT_AVAILABILITY },
    time: Float64Array.from(days),
    available: Float64Array.from(days.map((d) => availableAt(d, COT_AVAILABILITY))),
    columns: { spec_net: Float64Array.from([100, 200, 300]) },
  };
}

function gldBars(): SeriesData {
  const days: number[] = [];
  for (let t = parseDate('2024-01-01'); t <= parseDate('2024-01-20'); t += 86_400_000) if (![0, 6].includes(new Date(t).getUTCDay())) days.push(t);
  const n = days.length;
  const ones = new Float64Array(n).fill(100);
  return {
    spec: { id: 'bar:GLD', kind: 'bar', fields: ['open', 'high', 'low', 'close', 'volume'], frequency: 'daily', availability: { rule: 'lag', lagMs: DAILY_CLOSE_LAG_MS } },
    time: Float64Array.from(days),
    available: Float64Array.from(days.map((d) => d + DAILY_CLOSE_LAG_MS)),
    columns: { open: ones, high: ones, low: ones, close: ones, volume: ones },
  };
}

describe('look-ahead is impossible', () => {
  const store = SeriesStore.build([gldBars(), cotSeries()]);
  const prepared = prepareStrategy(peeker, {});
  const seen = (iso: string): number => {
    const result = evaluateOnce(prepared, store, Date.parse(iso), {}, () => 0);
    if (!result.ok) throw new Error(result.fault.message);
    return result.signals[0]!.weight * 1000;
  };

  it.each([
    ['2024-01-05T20:29:59Z', 0, 'Friday before the 20:30 UTC release: the Tuesday 01-02 report is invisible'],
    ['2024-01-05T20:30:00Z', 100, 'at release it appears'],
    ['2024-01-09T21:00:00Z', 100, 'on the Tuesday the next report describes, it is not yet known'],
    ['2024-01-11T23:00:00Z', 100, 'Thursday: still the previous report'],
    ['2024-01-12T20:31:00Z', 200, 'Friday after release: the 01-09 report'],
    ['2024-01-19T20:31:00Z', 300, 'the 01-16 report'],
  ])('at %s the plugin sees spec_net %d (%s)', (iso, expected) => {
    expect(seen(iso)).toBeCloseTo(expected, 9);
  });

  it('a window never holds an observation available after the decision time, for every series of the synthetic world', async () => {
    const adapter = new SyntheticDataAdapter({ seed: 3, start: '2018-01-01', end: '2018-12-31' });
    const ids = (await adapter.catalog()).map((s) => s.id);
    const world = SeriesStore.build(await adapter.history({ ids, from: parseDate('2018-01-01'), to: parseDate('2019-01-01') }));
    for (const now of [parseDate('2018-03-01') + 12 * HOUR, parseDate('2018-06-15') + 20 * HOUR, parseDate('2018-11-30') + 23 * HOUR]) {
      for (const id of ids) {
        const w = world.window(id, now, 10_000);
        if (w.length > 0) expect(w.available[w.length - 1]!, id).toBeLessThanOrEqual(now);
        // The next observation, if any, is not yet available: the window is as long as it may be.
        const next = w.length;
        if (world.countAvailable(id, now) !== next) throw new Error(`${id}: window shorter than what is available`);
        if (next < world.length(id)) expect(world.availableAtIndex(id, next), id).toBeGreaterThan(now);
      }
    }
    expect(ids).toContain('cot:GC');
    expect(ids).toContain('macro:DFII10');
  });
});
