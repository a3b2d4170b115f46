import { describe, expect, it } from 'vitest';
import { BAR_FIELDS, MS_PER_DAY, MS_PER_HOUR, SeriesStore, dayOfWeek, isShError } from '../../../core/index.js';
import type { SeriesData } from '../../../core/index.js';
import { DEFAULT_GENERATORS, SyntheticDataAdapter, silverManagedMoneyGenerator } from './index.js';
import type { World } from './index.js';

const ALL = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };

async function everything(adapter: SyntheticDataAdapter): Promise<Map<string, SeriesData>> {
  const ids = (await adapter.catalog()).map((s) => s.id);
  const data = await adapter.history({ ids, ...ALL });
  return new Map(data.map((d) => [d.spec.id, d]));
}

function column(data: Map<string, SeriesData>, id: string, field: string): Float64Array {
  const series = data.get(id);
  if (!series) throw new Error(`missing ${id}`);
  return series.columns[field] as Float64Array;
}

function logReturns(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) out[i - 1] = Math.log((values[i] as number) / (values[i - 1] as number));
  return out;
}

function differences(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) out[i - 1] = (values[i] as number) - (values[i - 1] as number);
  return out;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

function covariance(x: Float64Array, y: Float64Array): number {
  const mx = mean(x);
  const my = mean(y);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += ((x[i] as number) - mx) * ((y[i] as number) - my);
  return sum / (x.length - 1);
}

const annualVolatility = (r: Float64Array): number => Math.sqrt(covariance(r, r) * 252);
const correlation = (x: Float64Array, y: Float64Array): number => covariance(x, y) / Math.sqrt(covariance(x, x) * covariance(y, y));

function expectWithin(label: string, value: number, low: number, high: number): void {
  expect(value, label).toBeGreaterThanOrEqual(low);
  expect(value, label).toBeLessThanOrEqual(high);
}

describe('SyntheticDataAdapter: determinism', () => {
  it('gives bit-identical data for the same seed and different data for another seed', async () => {
    const first = await everything(new SyntheticDataAdapter({ seed: 42 }));
    const again = await everything(new SyntheticDataAdapter({ seed: 42 }));
    const other = await everything(new SyntheticDataAdapter({ seed: 43 }));
    expect([...first.keys()]).toEqual([...again.keys()]);
    for (const [id, series] of first) {
      const twin = again.get(id) as SeriesData;
      expect(Array.from(twin.time)).toEqual(Array.from(series.time));
      for (const field of series.spec.fields) {
        expect(Array.from(twin.columns[field] as Float64Array), `${id}.${field}`).toEqual(Array.from(series.columns[field] as Float64Array));
      }
    }
    expect(Array.from(column(other, 'bar:GLD', 'close'))).not.toEqual(Array.from(column(first, 'bar:GLD', 'close')));
    expect(Array.from(column(other, 'macro:VIX', 'value'))).not.toEqual(Array.from(column(first, 'macro:VIX', 'value')));
  });

  it('generates 5 years of every series well under a second', () => {
    const started = performance.now();
    const series = new SyntheticDataAdapter({ seed: 7 }).series();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(series.size).toBe(24);
  });
});

describe('SyntheticDataAdapter: shape', () => {
  it('has business days only, OHLC consistency and positive volume on every bar series', async () => {
    const adapter = new SyntheticDataAdapter({ seed: 42 });
    const data = await everything(adapter);
    const bars = [...data.values()].filter((d) => d.spec.kind === 'bar');
    expect(bars.map((b) => b.spec.id).sort()).toEqual(
      ['GC', 'GDX', 'GLD', 'IAU', 'PPLT', 'SI', 'SLV', 'SPY', 'TLT', 'UUP'].map((s) => `bar:${s}`),
    );
    for (const bar of bars) {
      expect(bar.spec.fields).toEqual(BAR_FIELDS);
      const [open, high, low, close, volume] = BAR_FIELDS.map((f) => bar.columns[f] as Float64Array) as Float64Array[];
      expect(bar.time.length).toBe(1304);
      for (let i = 0; i < bar.time.length; i++) {
        const weekday = dayOfWeek(bar.time[i] as number);
        expect(weekday >= 1 && weekday <= 5, `${bar.spec.id} weekday at row ${i}`).toBe(true);
        const o = open![i] as number;
        const h = high![i] as number;
        const l = low![i] as number;
        const c = close![i] as number;
        if (!(l > 0 && l <= Math.min(o, c) && h >= Math.max(o, c) && volume![i]! > 0)) {
          throw new Error(`${bar.spec.id} row ${i}: o=${o} h=${h} l=${l} c=${c} v=${volume![i]}`);
        }
      }
    }
  });

  it('describes its instruments with tags, futures multipliers and ticks', async () => {
    const instruments = await new SyntheticDataAdapter().instruments();
    const by = new Map(instruments.map((i) => [i.symbol, i]));
    expect(by.get('GLD')?.tags).toEqual({ metal: 'gold', sector: 'precious-metals' });
    expect(by.get('GDX')?.tags).toEqual({ metal: 'gold', sector: 'gold-miners' });
    expect(by.get('SLV')?.tags.metal).toBe('silver');
    expect(by.get('PPLT')?.tags.metal).toBe('platinum');
    expect(by.get('TLT')?.tags.sector).toBe('rates');
    expect(by.get('UUP')?.tags.sector).toBe('fx');
    expect(by.get('GC')).toMatchObject({ assetClass: 'future', multiplier: 100, tickSize: 0.1 });
    expect(by.get('SI')).toMatchObject({ assetClass: 'future', multiplier: 5000, tickSize: 0.005 });
  });

  it('loads into the series store and slices history by [from, to] inclusive', async () => {
    const adapter = new SyntheticDataAdapter({ seed: 42 });
    const ids = (await adapter.catalog()).map((s) => s.id);
    const store = SeriesStore.build(await adapter.history({ ids, ...ALL }));
    expect(store.ids()).toEqual(ids);
    expect(store.length('bar:GLD')).toBe(1304);
    const from = Date.UTC(2016, 0, 4);
    const to = Date.UTC(2016, 0, 8);
    const [week] = await adapter.history({ ids: ['bar:GLD'], from, to });
    expect(Array.from(week!.time)).toEqual([0, 1, 2, 3, 4].map((d) => from + d * MS_PER_DAY));
  });

  it('rejects an unknown series id with SH_ERR_DATA_SERIES_UNKNOWN listing what is available', async () => {
    const adapter = new SyntheticDataAdapter();
    const error = await adapter.history({ ids: ['bar:GLD', 'bar:NOPE'], ...ALL }).catch((e: unknown) => e);
    expect(isShError(error, 'SH_ERR_DATA_SERIES_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('bar:NOPE');
    expect((error as Error).message).toContain('macro:DFII10');
  });

  it('rejects malformed options with every problem at once', () => {
    try {
      new SyntheticDataAdapter({ seed: 1.5, start: '2015-02-30', end: 'soon' });
      expect.unreachable();
    } catch (error) {
      expect(isShError(error, 'SH_ERR_CONFIG_INVALID')).toBe(true);
      expect((error as { problems: unknown[] }).problems).toHaveLength(3);
    }
  });
});

describe('SyntheticDataAdapter: availability', () => {
  it('publishes COT on the Friday after each Tuesday at 20:30 UTC, FRED next morning, LBMA AM at 10:30, bars at 21:00', async () => {
    const data = await everything(new SyntheticDataAdapter({ seed: 42 }));
    for (const id of ['cot:GC', 'cot:SI', 'cot:GC-MM', 'cot:SI-MM']) {
      const cot = data.get(id) as SeriesData;
      expect(cot.time.length).toBeGreaterThan(250);
      for (let i = 0; i < cot.time.length; i++) {
        const t = cot.time[i] as number;
        expect(dayOfWeek(t)).toBe(2);
        expect(cot.available[i]).toBe(t + 3 * MS_PER_DAY + 20.5 * MS_PER_HOUR);
      }
    }
    const real = data.get('macro:DFII10') as SeriesData;
    expect(real.available[0]! - real.time[0]!).toBe(37 * MS_PER_HOUR);
    const fix = data.get('macro:LBMA-GOLD-AM') as SeriesData;
    expect(fix.available[10]! - fix.time[10]!).toBe(10.5 * MS_PER_HOUR);
    const silver = data.get('macro:LBMA-SILVER') as SeriesData;
    expect(silver.available[10]! - silver.time[10]!).toBe(12 * MS_PER_HOUR);
    const gld = data.get('bar:GLD') as SeriesData;
    expect(gld.available[10]! - gld.time[10]!).toBe(21 * MS_PER_HOUR);
    const vix = data.get('macro:VIX') as SeriesData;
    expect(vix.available[10]! - vix.time[10]!).toBe(21 * MS_PER_HOUR);
  });
});

describe.each([42, 7])('SyntheticDataAdapter: realistic statistics (seed %i)', (seed) => {
  it('matches the target volatilities, betas and correlations', async () => {
    const data = await everything(new SyntheticDataAdapter({ seed }));
    const r = (symbol: string): Float64Array => logReturns(column(data, `bar:${symbol}`, 'close'));
    const gold = r('GLD');
    const stats = (symbol: string): { vol: number; corr: number; beta: number } => {
      const x = r(symbol);
      return { vol: annualVolatility(x), corr: correlation(x, gold), beta: covariance(x, gold) / covariance(gold, gold) };
    };
    expectWithin('GLD vol', annualVolatility(gold), 0.12, 0.19);
    expect(stats('IAU').corr).toBeGreaterThan(0.97);
    expect(stats('GC').corr).toBeGreaterThan(0.97);
    const slv = stats('SLV');
    expectWithin('SLV vol', slv.vol, 0.22, 0.34);
    expectWithin('SLV corr with GLD', slv.corr, 0.72, 0.88);
    const pplt = stats('PPLT');
    expectWithin('PPLT vol', pplt.vol, 0.17, 0.27);
    expectWithin('PPLT corr with GLD', pplt.corr, 0.45, 0.65);
    const gdx = stats('GDX');
    expectWithin('GDX vol', gdx.vol, 0.29, 0.42);
    expectWithin('GDX beta to GLD', gdx.beta, 1.7, 2.3);
    const spy = stats('SPY');
    expectWithin('SPY vol', spy.vol, 0.12, 0.21);
    expectWithin('SPY corr with GLD', spy.corr, -0.25, 0.25);
    expectWithin('TLT vol', stats('TLT').vol, 0.11, 0.17);
    expectWithin('TLT corr with SPY', correlation(r('TLT'), r('SPY')), -0.45, -0.05);
    const uup = stats('UUP');
    expectWithin('UUP vol', uup.vol, 0.05, 0.11);
    expectWithin('UUP corr with GLD', uup.corr, -0.5, -0.1);
    // Gold falls when real yields rise.
    expect(correlation(differences(column(data, 'macro:DFII10', 'value')), gold)).toBeLessThan(-0.2);
  });

  it('keeps levels in realistic ranges and links related series', async () => {
    const adapter = new SyntheticDataAdapter({ seed });
    const data = await everything(adapter);
    const gld = column(data, 'bar:GLD', 'close');
    const ratio = (a: Float64Array, b: Float64Array): number => mean(a) / mean(b);
    expect(gld[0]).toBeCloseTo(125, -1);
    expectWithin('IAU/GLD', ratio(column(data, 'bar:IAU', 'close'), gld), 0.18, 0.22);
    expectWithin('GC/GLD', ratio(column(data, 'bar:GC', 'close'), gld), 9.8, 10.6);
    expectWithin('LBMA AM/GC', ratio(column(data, 'macro:LBMA-GOLD-AM', 'value'), column(data, 'bar:GC', 'close')), 0.98, 1.01);
    const range = (id: string): [number, number] => {
      const v = column(data, id, 'value');
      return [Math.min(...v), Math.max(...v)];
    };
    const [vixLow, vixHigh] = range('macro:VIX');
    expect(vixLow).toBeGreaterThanOrEqual(8);
    expect(vixHigh).toBeLessThanOrEqual(80);
    const [realLow, realHigh] = range('macro:DFII10');
    expect(realLow).toBeGreaterThanOrEqual(-1.2);
    expect(realHigh).toBeLessThanOrEqual(3.2);
    const [dxyLow, dxyHigh] = range('macro:DXY');
    expectWithin('DXY low', dxyLow, 75, 100);
    expectWithin('DXY high', dxyHigh, 92, 125);
    // T10YIE is DGS10 - DFII10 up to rounding.
    const gap = differences(column(data, 'macro:DGS10', 'value')).map((_, i) =>
      Math.abs(column(data, 'macro:DGS10', 'value')[i]! - column(data, 'macro:DFII10', 'value')[i]! - column(data, 'macro:T10YIE', 'value')[i]!),
    );
    expect(Math.max(...gap)).toBeLessThanOrEqual(0.0100001);
    expect(correlation(logReturns(column(data, 'macro:DXY', 'value')), logReturns(column(data, 'bar:UUP', 'close')))).toBeGreaterThan(0.9);
    // VIX is higher in the stressed regime.
    const { regime } = adapter.world().latent;
    const vix = column(data, 'macro:VIX', 'value');
    const average = (stressed: number): number => mean(vix.filter((_, i) => regime[i] === stressed));
    expect(average(1) - average(0)).toBeGreaterThan(5);
  });

  it('keeps COT identities and makes speculators follow the trailing gold trend', async () => {
    const data = await everything(new SyntheticDataAdapter({ seed }));
    for (const id of ['cot:GC', 'cot:SI']) {
      const c = (field: string): Float64Array => column(data, id, field);
      for (let k = 0; k < c('spec_long').length; k++) {
        const row = (field: string): number => c(field)[k] as number;
        expect(row('spec_net')).toBe(row('spec_long') - row('spec_short'));
        expect(row('comm_net')).toBe(row('comm_long') - row('comm_short'));
        expect(row('small_spec_net')).toBe(row('nonrept_long') - row('nonrept_short'));
        expect(row('open_interest')).toBe(row('spec_long') + row('comm_long') + row('nonrept_long'));
        expect(row('open_interest')).toBe(row('spec_short') + row('comm_short') + row('nonrept_short'));
        for (const field of ['spec_long', 'spec_short', 'comm_long', 'comm_short', 'nonrept_long', 'nonrept_short']) {
          expect(row(field), `${id} ${field} week ${k}`).toBeGreaterThan(0);
        }
      }
    }
    const cot = data.get('cot:GC') as SeriesData;
    const gld = data.get('bar:GLD') as SeriesData;
    const trend: number[] = [];
    const net: number[] = [];
    for (let k = 0; k < cot.time.length; k++) {
      const i = gld.time.indexOf(cot.time[k] as number);
      if (i < 63) continue;
      trend.push(Math.log(gld.columns.close![i]! / gld.columns.close![i - 63]!));
      net.push(cot.columns.spec_net![k]!);
    }
    expect(correlation(Float64Array.from(trend), Float64Array.from(net))).toBeGreaterThan(0.5);
    for (const id of ['cot:GC-MM', 'cot:SI-MM']) {
      const mm = data.get(id) as SeriesData;
      for (let k = 0; k < mm.time.length; k++) {
        const expected = ((mm.columns.mm_long![k]! - mm.columns.mm_short![k]!) / mm.columns.open_interest![k]!) * 100;
        expect(mm.columns.net_pct_oi![k], `${id} week ${k}`).toBeCloseTo(expected, 1);
        expect(mm.columns.mm_long![k], `${id} week ${k}`).toBeGreaterThan(0);
        expect(mm.columns.mm_short![k], `${id} week ${k}`).toBeGreaterThan(0);
      }
    }
  });

  it('makes silver managed money follow the trailing silver trend, in a realistic range of open interest', async () => {
    const data = await everything(new SyntheticDataAdapter({ seed }));
    const mm = data.get('cot:SI-MM') as SeriesData;
    const legacy = data.get('cot:SI') as SeriesData;
    const slv = data.get('bar:SLV') as SeriesData;
    expect(Array.from(mm.time)).toEqual(Array.from(legacy.time));
    expect(Array.from(mm.columns.open_interest!)).toEqual(Array.from(legacy.columns.open_interest!));
    const trend: number[] = [];
    const share: number[] = [];
    for (let k = 0; k < mm.time.length; k++) {
      const i = slv.time.indexOf(mm.time[k] as number);
      if (i < 63) continue;
      trend.push(Math.log(slv.columns.close![i]! / slv.columns.close![i - 63]!));
      share.push(mm.columns.net_pct_oi![k]!);
    }
    expect(correlation(Float64Array.from(trend), Float64Array.from(share))).toBeGreaterThan(0.5);
    // Managed money holds most, not all, of the speculators' net position, and never more than 60% of open interest.
    expect(correlation(mm.columns.net_pct_oi!, legacy.columns.spec_net!.map((net, k) => net / legacy.columns.open_interest![k]!))).toBeGreaterThan(0.8);
    expectWithin('SI-MM net % of OI, min', Math.min(...mm.columns.net_pct_oi!), -60, 20);
    expectWithin('SI-MM net % of OI, max', Math.max(...mm.columns.net_pct_oi!), 20, 60);
  });
});

describe('SyntheticDataAdapter: cot:SI-MM was added without changing any other series', () => {
  /** The stream names each default generator module asks the world for. */
  function streamsOf(seed: number): Map<string, string[]> {
    const world = new SyntheticDataAdapter({ seed }).world();
    const byModule = new Map<string, string[]>();
    for (const generator of DEFAULT_GENERATORS) {
      const names: string[] = [];
      const recording: World = { ...world, stream: (name) => (names.push(name), world.stream(name)) };
      generator.generate(recording);
      byModule.set(generator.name, names);
    }
    return byModule;
  }

  it('publishes cot:SI-MM weekly as of Tuesday, available the Friday after, with the managed-money fields', async () => {
    const adapter = new SyntheticDataAdapter({ seed: 42 });
    const spec = (await adapter.catalog()).find((s) => s.id === 'cot:SI-MM');
    expect(spec).toMatchObject({ kind: 'cot', frequency: 'weekly', fields: ['mm_long', 'mm_short', 'open_interest', 'net_pct_oi'], availability: { rule: 'next-weekday', weekday: 5, atHourUtc: 20.5 } });
    const [mm] = await adapter.history({ ids: ['cot:SI-MM'], ...ALL });
    for (let k = 0; k < mm!.time.length; k++) {
      expect(dayOfWeek(mm!.time[k]!)).toBe(2);
      expect(dayOfWeek(mm!.available[k]!)).toBe(5);
    }
  });

  it('draws its noise from a stream of its own that no other module uses', () => {
    const streams = streamsOf(42);
    const own = streams.get(silverManagedMoneyGenerator.name);
    expect(own).toContain('cot:SI-MM');
    for (const [module, names] of streams) {
      if (module !== silverManagedMoneyGenerator.name) expect(names, module).not.toContain('cot:SI-MM');
    }
  });

  it.each([42, 7])('gives every other series bit-identical values with or without the module (seed %i)', async (seed) => {
    const withModule = await everything(new SyntheticDataAdapter({ seed }));
    const without = await everything(new SyntheticDataAdapter({ seed, generators: DEFAULT_GENERATORS.filter((g) => g !== silverManagedMoneyGenerator) }));
    expect([...withModule.keys()].filter((id) => !without.has(id))).toEqual(['cot:SI-MM']);
    for (const [id, series] of without) {
      const twin = withModule.get(id) as SeriesData;
      expect(Array.from(twin.time), id).toEqual(Array.from(series.time));
      expect(Array.from(twin.available), id).toEqual(Array.from(series.available));
      for (const field of series.spec.fields) expect(Array.from(twin.columns[field]!), `${id}.${field}`).toEqual(Array.from(series.columns[field]!));
    }
  });
});
