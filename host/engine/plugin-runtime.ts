import {
  formatDate,
  OverrunCounter,
  seriesOf,
  VirtualBook,
  type DataDependency,
  type PluginFault,
  type PluginMode,
  type RecordedSignal,
  type SeriesStore,
  type Signal,
} from '../../core/index.js';
import type { LoadedPlugin } from '../plugins/loader.js';

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
  /** Each input's last observation in the store: after it, the input can only go stale. */
  readonly inputEnds: readonly DataDependency[];
}

export function makeRuntime(plugin: LoadedPlugin, state: unknown, book: VirtualBook, store: SeriesStore): PluginRuntime {
  const inputEnds = seriesOf(plugin.prepared.needs)
    .filter((id) => store.has(id) && store.length(id) > 0)
    .map((seriesId) => ({ seriesId, lastAvailable: store.availableAtIndex(seriesId, store.length(seriesId) - 1), frequency: store.spec(seriesId).frequency }))
    .sort((a, b) => a.lastAvailable - b.lastAvailable);
  return { plugin, mode: plugin.mode, state, signals: [], weights: new Map(), signalChanges: 0, book, overruns: new OverrunCounter(), inputEnds };
}

/**
 * The first input that has ended by `now`, as a message; undefined while every input is live. An input has ended
 * when the store holds nothing after its last observation and it is stale by the stale-data rule: the same moment
 * the stale-data guard starts blocking the instruments that depend on it.
 */
export function endedInput(r: PluginRuntime, now: number, isStale: (dependency: DataDependency, now: number) => boolean): string | undefined {
  for (const input of r.inputEnds) {
    if (input.lastAvailable > now) return undefined;
    if (isStale(input, now)) return `input ${input.seriesId} ended ${formatDate(input.lastAvailable)}: ${r.plugin.id} stops trading`;
  }
  return undefined;
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
  const combined = combinedWeights(next, closeLeg ? nextClose : undefined);
  const changes: RecordedSignal[] = [];
  for (const k of changedKeys(combined, r.weights)) {
    const symbol = k.endsWith(CLOSE_SUFFIX) ? k.slice(0, -CLOSE_SUFFIX.length) : k;
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

const CLOSE_SUFFIX = '@close';

/** Open-leg weights by symbol and close-leg weights by `<symbol>@close`, in one map (module level: no closure per call). */
function combinedWeights(open: ReadonlyMap<string, number>, close: ReadonlyMap<string, number> | undefined): Map<string, number> {
  const out = new Map<string, number>(open);
  if (close) for (const [symbol, w] of close) out.set(`${symbol}${CLOSE_SUFFIX}`, w);
  return out;
}

/** Keys whose weight differs between two weight maps (absent counts as 0), new keys first, then dropped ones. */
function changedKeys(next: ReadonlyMap<string, number>, previous: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [k, w] of next) if (w !== (previous.get(k) ?? 0)) out.push(k);
  for (const [k, w] of previous) if (!next.has(k) && w !== 0) out.push(k);
  return out;
}

function dedupe(changes: RecordedSignal[]): RecordedSignal[] {
  const seen = new Set<string>();
  return changes.filter((c) => (seen.has(c.symbol) ? false : (seen.add(c.symbol), true)));
}
