import { barId, formatDate, SeriesStore, type EpochMs, type FeatureSet, type FeatureView, type SeriesData } from '../../core/index.js';

/** Training (or evaluation) rows of one feature set: one row per instrument and decision time with enough history. */
export interface Dataset {
  /** Feature rows, each value rounded to float32 (what the model's input tensor holds). */
  readonly rows: number[][];
  /** Per row: the log return of the instrument over the next `horizon` bars (NaN when horizon is 0). */
  readonly targets: number[];
  /** Per row: the instrument. */
  readonly symbols: string[];
  /** Per row: the decision time (the availability time of the instrument's bar). */
  readonly times: EpochMs[];
  /** Per row: the day of the bar that ends the label (the decision day when horizon is 0). */
  readonly labelEnds: EpochMs[];
  /** Per row: the index of its decision bar in the instrument's bar series (labels span bars index+1 .. index+horizon). */
  readonly barIndices: number[];
  readonly horizon: number;
}

export interface DatasetOptions {
  /** Instruments whose rows are pooled. */
  readonly symbols: readonly string[];
  /** Bars ahead of the label (0: unsupervised, no label). */
  readonly horizon: number;
  /**
   * The cutoff: only observations that describe a time before it AND were available before it are used, for
   * features and labels alike, so a label's horizon ends before the cutoff too.
   */
  readonly until: EpochMs;
  /** Rows at decision times before this are left out (their history is still read). Default: none. */
  readonly from?: EpochMs;
}

/** The observations of a series that describe a time before `until` and were available before it. */
export function truncateSeries(data: SeriesData, until: EpochMs): SeriesData {
  let end = 0;
  while (end < data.time.length && (data.time[end] as number) < until && (data.available[end] as number) < until) end++;
  const columns: Record<string, Float64Array> = {};
  for (const [field, column] of Object.entries(data.columns)) columns[field] = column.slice(0, end);
  return { spec: data.spec, time: data.time.slice(0, end), available: data.available.slice(0, end), columns };
}

/**
 * Rows of a feature set at every past decision time of each instrument, computed exactly as a plugin computes them:
 * from the windows a SeriesStore gives at that time. Labels are the log return from the decision bar to the bar
 * `horizon` bars later, and exist only when that bar lies before the cutoff: nothing at or after `until` is read.
 * Rows are ordered by time, then by the order of `symbols`.
 */
export function buildDataset(data: readonly SeriesData[], set: FeatureSet, options: DatasetOptions): Dataset {
  const { symbols, horizon, until, from = Number.NEGATIVE_INFINITY } = options;
  const store = SeriesStore.build(data.map((d) => truncateSeries(d, until)));
  const collected: { row: number[]; target: number; symbol: string; time: EpochMs; labelEnd: EpochMs; barIndex: number; order: number }[] = [];
  symbols.forEach((symbol, order) => {
    const bars = store.full(barId(symbol));
    const close = bars.field('close');
    for (let i = 0; i + horizon < bars.length; i++) {
      const now = bars.available[i] as number;
      if (now < from) continue;
      const view: FeatureView = {
        bars: (s) => store.window(barId(s), now, set.barHistory) as ReturnType<FeatureView['bars']>,
        series: (id) => store.window(id, now, set.seriesHistory),
      };
      const row = set.build(view, symbol);
      if (!row) continue;
      const target = horizon > 0 ? Math.log((close[i + horizon] as number) / (close[i] as number)) : Number.NaN;
      collected.push({ row: row.map((v) => Math.fround(v)), target, symbol, time: now, labelEnd: bars.time[i + horizon] as number, barIndex: i, order });
    }
  });
  collected.sort((a, b) => a.time - b.time || a.order - b.order);
  return {
    rows: collected.map((c) => c.row),
    targets: collected.map((c) => c.target),
    symbols: collected.map((c) => c.symbol),
    times: collected.map((c) => c.time),
    labelEnds: collected.map((c) => c.labelEnd),
    barIndices: collected.map((c) => c.barIndex),
    horizon,
  };
}

/**
 * Average uniqueness of each row's label (Lopez de Prado 2018, §4.4): labels of one instrument that span the same
 * bars share them, so a row's weight is the mean over its label's bars of 1 / (labels of that instrument spanning the
 * bar). Overlapping 20-day labels weigh about 1/20 each: the weights sum to about the number of independent label
 * periods. All 1 without labels.
 */
export function labelUniqueness(dataset: Dataset): number[] {
  const h = dataset.horizon;
  if (h <= 0) return dataset.rows.map(() => 1);
  const concurrency = new Map<string, Map<number, number>>();
  dataset.symbols.forEach((symbol, r) => {
    const counts = concurrency.get(symbol) ?? new Map<number, number>();
    concurrency.set(symbol, counts);
    const start = dataset.barIndices[r] as number;
    for (let t = start + 1; t <= start + h; t++) counts.set(t, (counts.get(t) ?? 0) + 1);
  });
  return dataset.symbols.map((symbol, r) => {
    const counts = concurrency.get(symbol) as Map<number, number>;
    const start = dataset.barIndices[r] as number;
    let sum = 0;
    for (let t = start + 1; t <= start + h; t++) sum += 1 / (counts.get(t) as number);
    return sum / h;
  });
}

/** The dates a dataset covers: first decision day and last day read by a label (or a feature, without labels). */
export function datasetWindow(dataset: Dataset): { from: string; to: string } {
  const first = dataset.times.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const last = dataset.labelEnds.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  return { from: formatDate(first), to: formatDate(last) };
}
