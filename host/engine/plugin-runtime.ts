import {
  formatDate,
  MS_PER_DAY,
  OverrunCounter,
  seriesOf,
  VirtualBook,
  type Frequency,
  type PluginFault,
  type PluginMode,
  type RecordedSignal,
  type SeriesStore,
  type Signal,
} from '../../core/index.js';
import type { LoadedPlugin } from '../plugins/loader.js';

/** How long after its last observation a series counts as ended, by frequency (holidays and publication gaps allowed). */
const ENDED_AFTER_MS: Readonly<Record<Frequency, number>> = {
  intraday: 3 * MS_PER_DAY,
  daily: 10 * MS_PER_DAY,
  weekly: 24 * MS_PER_DAY,
  monthly: 70 * MS_PER_DAY,
  quarterly: 200 * MS_PER_DAY,
  irregular: Number.POSITIVE_INFINITY,
};

/** A plugin as the engine runs it: its state, last signals, virtual book and health. */
export interface PluginRuntime {
  readonly plugin: LoadedPlugin;
  readonly mode: PluginMode;
  state: unknown;
  signals: readonly Signal[];
  /** Last open-leg and close-leg weights, for change detection. */
  weights: Map<string, number>;
  signalChanges: number;
  fault?: PluginFault;
  /** Set when an input series has ended: the plugin stops trading and the run goes on. */
  ended?: string;
  readonly book: VirtualBook;
  readonly overruns: OverrunCounter;
  /** Time after which each input counts as ended, earliest first. */
  readonly inputEnds: readonly { seriesId: string; last: number; endedAfter: number }[];
}

export function makeRuntime(plugin: LoadedPlugin, state: unknown, book: VirtualBook, store: SeriesStore): PluginRuntime {
  const inputEnds = seriesOf(plugin.prepared.needs)
    .filter((id) => store.has(id) && store.length(id) > 0)
    .map((seriesId) => {
      const last = store.availableAtIndex(seriesId, store.length(seriesId) - 1);
      return { seriesId, last, endedAfter: last + ENDED_AFTER_MS[store.spec(seriesId).frequency] };
    })
    .sort((a, b) => a.endedAfter - b.endedAfter);
  return { plugin, mode: plugin.mode, state, signals: [], weights: new Map(), signalChanges: 0, book, overruns: new OverrunCounter(), inputEnds };
}

/** The first input that has ended by `now`, as a message; undefined while every input is live. */
export function endedInput(r: PluginRuntime, now: number): string | undefined {
  const first = r.inputEnds[0];
  if (!first || now <= first.endedAfter) return undefined;
  return `input ${first.seriesId} ended ${formatDate(first.last)}: ${r.plugin.id} stops trading`;
}

/** Whether a plugin's signals count: not faulted (or faulted with policy hold), inputs live. */
export function effectiveSignals(r: PluginRuntime, faultPolicy: 'hold' | 'flatten'): readonly Signal[] {
  if (r.ended) return [];
  if (r.fault) return faultPolicy === 'hold' ? r.signals : [];
  return r.signals;
}

/**
 * Take a plugin's new signals: update its runtime and virtual book, and return the changes of target (a signal is
 * a change of target weight, open or close leg) for the journal.
 */
export function acceptSignals(r: PluginRuntime, signals: readonly Signal[], state: unknown, time: number): RecordedSignal[] {
  r.state = state;
  r.signals = signals;
  const next = new Map<string, number>();
  const nextClose = new Map<string, number>();
  let closeLeg = false;
  for (const s of signals) {
    if (s.weight !== 0) next.set(s.symbol, s.weight);
    const close = s.closeWeight ?? s.weight;
    if (close !== 0) nextClose.set(s.symbol, close);
    if (s.closeWeight !== undefined && s.closeWeight !== s.weight) closeLeg = true;
  }
  const key = (m: Map<string, number>, c: Map<string, number>): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [sym, w] of m) out.set(sym, w);
    for (const [sym, w] of c) out.set(`${sym}@close`, w);
    return out;
  };
  const combined = key(next, closeLeg ? nextClose : new Map());
  const changes: RecordedSignal[] = [];
  for (const k of new Set([...combined.keys(), ...r.weights.keys()])) {
    if ((combined.get(k) ?? 0) === (r.weights.get(k) ?? 0)) continue;
    const symbol = k.replace(/@close$/, '');
    const s = signals.find((x) => x.symbol === symbol);
    changes.push({
      strategyId: r.plugin.id,
      time,
      symbol,
      weight: next.get(symbol) ?? 0,
      ...(closeLeg && nextClose.has(symbol) ? { closeWeight: nextClose.get(symbol) } : {}),
      confidence: s?.confidence ?? 0,
      reason: s?.reason ?? 'no longer targeted',
    });
  }
  r.weights = combined;
  r.signalChanges += new Set(changes.map((c) => c.symbol)).size;
  r.book.setTargets(next, closeLeg ? nextClose : undefined);
  return dedupe(changes);
}

function dedupe(changes: RecordedSignal[]): RecordedSignal[] {
  const seen = new Set<string>();
  return changes.filter((c) => (seen.has(c.symbol) ? false : (seen.add(c.symbol), true)));
}
