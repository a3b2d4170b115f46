import { describe, expect, it } from 'vitest';
import { SeriesStore } from '../model/series-store.js';
import { weeklySeries } from '../plugin/test-kit-data.js';
import { MS_PER_DAY, parseDate } from '../model/time.js';
import { legacyOpenInterest, netShare, reportIsStale } from './cot.js';

const ROWS = [
  { spec_long: 300, spec_short: 100, comm_long: 500, comm_short: 750, nonrept_long: 200, nonrept_short: 150 },
  { spec_long: 0, spec_short: 0, comm_long: 0, comm_short: 0, nonrept_long: 0, nonrept_short: 0 },
  { spec_long: 100, spec_short: 400, comm_long: 600, comm_short: 250, nonrept_long: 100, nonrept_short: 150 },
];

function cotWindow(): ReturnType<SeriesStore['window']> {
  const data = weeklySeries('cot:GC', ROWS, { start: '2024-01-01' });
  return SeriesStore.build([data]).window('cot:GC', parseDate('2024-12-31'), 10);
}

describe('legacyOpenInterest', () => {
  it('sums the long sides of every report', () => {
    expect([...legacyOpenInterest(cotWindow())]).toEqual([1000, 0, 800]);
  });
});

describe('netShare', () => {
  it.each([
    { long: [300], short: [100], base: [1000], share: 0.2 },
    { long: [100], short: [400], base: [800], share: -0.375 },
    { long: [30], short: [70], base: undefined, share: -0.4 },
    { long: [750], short: [500], base: undefined, share: 0.2 },
  ])('($long - $short) / $base = $share', ({ long, short, base, share }) => {
    expect(netShare(long, short, base)[0]).toBeCloseTo(share, 15);
  });

  it('is NaN without a positive base', () => {
    expect([...netShare([1, 1, 1], [0, 0, 0], [0, -5, Number.NaN])].every(Number.isNaN)).toBe(true);
    expect(netShare([0], [0])[0]).toBeNaN();
  });

  it("gives the speculators' net share of legacy open interest", () => {
    const cot = cotWindow();
    const shares = netShare(cot.field('spec_long'), cot.field('spec_short'), legacyOpenInterest(cot));
    expect(shares[0]).toBeCloseTo(0.2, 15);
    expect(shares[1]).toBeNaN();
    expect(shares[2]).toBeCloseTo(-0.375, 15);
  });
});

describe('reportIsStale', () => {
  const tuesday = Date.UTC(2024, 0, 2);
  const cot = { length: 2, time: Float64Array.from([tuesday - 7 * MS_PER_DAY, tuesday]) };
  it.each([
    { now: tuesday + 3 * MS_PER_DAY, max: 21, stale: false },
    { now: tuesday + 21 * MS_PER_DAY, max: 21, stale: false },
    { now: tuesday + 22 * MS_PER_DAY, max: 21, stale: true },
    { now: tuesday + 8 * MS_PER_DAY, max: 7, stale: true },
  ])('report age at $now, max $max days: $stale', ({ now, max, stale }) => {
    expect(reportIsStale(now, cot, max)).toBe(stale);
  });

  it('is never stale without a report', () => {
    expect(reportIsStale(tuesday + 1e12, { length: 0, time: new Float64Array(0) }, 7)).toBe(false);
  });
});
