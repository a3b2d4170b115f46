import { describe, expect, it } from 'vitest';
import { barsFromCloses, pricePath, seededNormals, seriesFromValues, weeklySeries } from '../plugin/test-kit-data.js';
import { barId, type SeriesData } from '../model/series.js';
import { SeriesStore, type BarWindow } from '../model/series-store.js';
import { ENSEMBLE_FEATURES, FEATURE_SETS, featureNeeds, featureRows, FORECAST_FEATURES, META_LABEL_FEATURES, movingAverageSide, REGIME_FEATURES, type FeatureView } from './feature-sets.js';
import { alignedLogRatio, lastAndLagged, levelChange, logChange, logReturn, movingAverageGap, realisedVolatility, speculatorNetShare, standardisedReturn, zScoreOfLast } from './features.js';
import { clipSymmetric, probabilityBetSize } from './sizing.js';

describe('feature primitives', () => {
  const closes = [100, 101, 99, 102, 104, 103];

  it('logReturn and realisedVolatility read the end of the window, NaN when it is short', () => {
    expect(logReturn(closes, 2)).toBeCloseTo(Math.log(103 / 102), 15);
    expect(logReturn(closes, 5)).toBeCloseTo(Math.log(103 / 100), 15);
    expect(logReturn(closes, 6)).toBeNaN();
    const r = [Math.log(102 / 99), Math.log(104 / 102), Math.log(103 / 104)];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    expect(realisedVolatility(closes, 3)).toBeCloseTo(Math.sqrt((r.reduce((a, x) => a + (x - mean) ** 2, 0) / 2) * 252), 12);
    expect(realisedVolatility(closes, 6)).toBeNaN();
    expect(standardisedReturn(closes, 2, 3)).toBeCloseTo(logReturn(closes, 2) / (realisedVolatility(closes, 3) * Math.sqrt(2 / 252)), 12);
    expect(movingAverageGap(closes, 2, 4)).toBeCloseTo(Math.log(((104 + 103) / 2) / ((99 + 102 + 104 + 103) / 4)), 12);
  });

  it('macro changes skip gaps (NaN) and need lag + 1 finite values', () => {
    const values = [1.0, Number.NaN, 1.2, 1.5, Number.NaN];
    expect(lastAndLagged(values, 2)).toEqual({ last: 1.5, lagged: 1.0 });
    expect(levelChange(values, 1)).toBeCloseTo(0.3, 12);
    expect(logChange(values, 2)).toBeCloseTo(Math.log(1.5), 12);
    expect(levelChange(values, 3)).toBeNaN();
  });

  it('zScoreOfLast uses the last count finite values, itself included', () => {
    expect(zScoreOfLast([5, 1, 2, 3], 3)).toBeCloseTo(1, 12);
    expect(zScoreOfLast([1, 1, 1], 3)).toBeNaN();
    expect(zScoreOfLast([1, 2], 3)).toBeNaN();
  });

  it('speculatorNetShare computes open interest as spec_long + comm_long + nonrept_long', () => {
    const cot = weeklySeries('cot:GC', [{ spec_long: 300, spec_short: 100, comm_long: 500, nonrept_long: 200 }]);
    const window = SeriesStore.build([cot]).full('cot:GC');
    expect(Array.from(speculatorNetShare(window))).toEqual([0.2]);
  });

  it('alignedLogRatio pairs closes of the same day only', () => {
    const a = barsFromCloses('GLD', [100, 110, 120, 130], { start: '2021-03-01' });
    const b = barsFromCloses('SLV', [10, 11, 12], { start: '2021-03-02' });
    const store = SeriesStore.build([a, b]);
    const ratio = alignedLogRatio(store.full(barId('GLD')) as BarWindow, store.full(barId('SLV')) as BarWindow, 10);
    expect(Array.from(ratio)).toEqual([Math.log(110 / 10), Math.log(120 / 11), Math.log(130 / 12)]);
  });

  it('bet size from probability (Lopez de Prado): 0 at one half, odd around it, NaN outside [0, 1]', () => {
    expect(probabilityBetSize(0.5)).toBe(0);
    expect(probabilityBetSize(0.7)).toBeCloseTo(0.3374, 3);
    expect(probabilityBetSize(0.3)).toBeCloseTo(-probabilityBetSize(0.7), 12);
    expect(probabilityBetSize(1)).toBe(1);
    expect(probabilityBetSize(1.2)).toBeNaN();
    expect(clipSymmetric(3)).toBe(1);
    expect(clipSymmetric(-0.4, 0.25)).toBe(-0.25);
  });
});

/** Two years of bars, macro and COT for GLD and SLV, built with the plugin test kit. */
function world(): SeriesData[] {
  const days = 520;
  return [
    barsFromCloses('GLD', pricePath(days, { drift: 0.0004, volatility: 0.01, seed: 1 })),
    barsFromCloses('SLV', pricePath(days, { drift: 0.0002, volatility: 0.017, seed: 2 })),
    seriesFromValues('macro:VIX', seededNormals(3, days).map((z) => 16 * Math.exp(0.1 * z))),
    seriesFromValues('macro:DFII10', seededNormals(4, days).map((z, i) => 0.5 + 0.001 * i + 0.05 * z)),
    seriesFromValues('macro:DTWEXBGS', seededNormals(5, days).map((z) => 110 + z)),
    ...['cot:GC', 'cot:SI'].map((id, k) => weeklySeries(id, seededNormals(6 + k, 160).map((z) => ({ spec_long: 200_000 + 20_000 * z, spec_short: 80_000, comm_long: 150_000, nonrept_long: 40_000 })), { start: '2019-01-01' })),
  ];
}

function viewAt(store: SeriesStore, now: number, rows: { bars: number; series: number }): FeatureView {
  return { bars: (s) => store.window(barId(s), now, rows.bars) as BarWindow, series: (id) => store.window(id, now, rows.series) };
}

describe('feature sets', () => {
  const data = world();
  const store = SeriesStore.build(data);
  const times = Array.from(store.full('bar:GLD').available);

  it.each(Object.values(FEATURE_SETS))('$id: a row per symbol with one value per name, once history suffices', (set) => {
    const now = times.at(-1)!;
    const rows = featureRows(set, viewAt(store, now, { bars: set.barHistory, series: set.seriesHistory }), ['GLD', 'SLV']);
    expect(rows.symbols).toEqual(['GLD', 'SLV']);
    for (const row of rows.rows) {
      expect(row).toHaveLength(set.names.length);
      expect(row.every(Number.isFinite)).toBe(true);
    }
    // With less bar history than the set reads: no row.
    expect(featureRows(set, viewAt(store, times[set.barHistory - 2]!, { bars: set.barHistory, series: set.seriesHistory }), ['GLD']).rows).toEqual([]);
  });

  it.each(Object.values(FEATURE_SETS))('$id: no look-ahead: the row at t is the same when every observation after t is removed', (set) => {
    for (const now of [times[300]!, times[401]!, times.at(-1)!]) {
      const truncated = SeriesStore.build(data.map((d) => {
        let end = 0;
        while (end < d.available.length && d.available[end]! <= now) end++;
        return { ...d, time: d.time.slice(0, end), available: d.available.slice(0, end), columns: Object.fromEntries(Object.entries(d.columns).map(([f, c]) => [f, c.slice(0, end)])) };
      }));
      const rows = { bars: set.barHistory, series: set.seriesHistory };
      expect(featureRows(set, viewAt(truncated, now, rows), ['GLD', 'SLV'])).toEqual(featureRows(set, viewAt(store, now, rows), ['GLD', 'SLV']));
    }
  });

  it('regime features are [20-day log return, log 20-day volatility, log VIX]', () => {
    const now = times.at(-1)!;
    const view = viewAt(store, now, { bars: 21, series: 10 });
    const close = view.bars('GLD').close;
    expect(REGIME_FEATURES.build(view, 'GLD')).toEqual([logReturn(close, 20), Math.log(realisedVolatility(close, 20)), Math.log(view.series('macro:VIX').last('value'))]);
  });

  it('meta-label features start with the MA side and sign the trend features by it', () => {
    const view = viewAt(store, times.at(-1)!, { bars: 200, series: 30 });
    const row = META_LABEL_FEATURES.build(view, 'SLV')!;
    const side = movingAverageSide(view.bars('SLV').close);
    expect(row[0]).toBe(side);
    expect(row[1]! * side).toBeCloseTo(movingAverageGap(view.bars('SLV').close, 50, 200) / realisedVolatility(view.bars('SLV').close, 60), 12);
    expect(row[1]).toBeGreaterThanOrEqual(0);
  });

  it('declares what it reads: needs for the ensemble include both metals, the macro series and each COT report', () => {
    expect(featureNeeds(ENSEMBLE_FEATURES, ['SLV'])).toEqual({ bars: ['SLV', 'GLD'], series: ['macro:VIX', 'macro:DFII10', 'macro:DTWEXBGS', 'cot:SI'], history: 251, seriesHistory: 60 });
    expect(featureNeeds(FORECAST_FEATURES, ['GLD', 'SLV'])).toEqual({ bars: ['GLD', 'SLV'], series: [], history: 251, seriesHistory: 1 });
    expect(ENSEMBLE_FEATURES.build(viewAt(store, times.at(-1)!, { bars: 251, series: 60 }), 'PPLT')).toBeUndefined();
  });
});
