import v8 from 'node:v8';
import vm from 'node:vm';

/** A young-generation collection on demand: V8's `gc({ type: 'minor' })`. */
type MinorGc = () => void;

let cached: MinorGc | null | undefined;

/**
 * V8's gc function, without starting node with --expose-gc: the flag is set for a moment to build the function in
 * a fresh context, then unset, so no code of ours or of a plugin sees a global `gc`. Undefined where V8 refuses.
 */
function minorGc(): MinorGc | undefined {
  if (cached === undefined) {
    try {
      const existing = (globalThis as { gc?: unknown }).gc;
      let gc = typeof existing === 'function' ? (existing as (options: unknown) => void) : undefined;
      if (gc === undefined) {
        v8.setFlagsFromString('--expose-gc');
        try {
          const made: unknown = vm.runInNewContext('gc');
          if (typeof made === 'function') gc = made as (options: unknown) => void;
        } finally {
          v8.setFlagsFromString('--no-expose-gc');
        }
      }
      cached = gc === undefined ? null : () => gc({ type: 'minor' });
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/** How full the young generation is, in bytes (V8's new space). */
function youngGeneration(): { used: number; capacity: number } {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space ? { used: space.space_used_size, capacity: space.space_used_size + space.space_available_size } : { used: 0, capacity: 0 };
}

/**
 * Collects the young generation between decision cycles once it is more than `fill` full, so that V8's own
 * scavenge (1 to 5 ms on this kind of machine, with a few MB live) does not land inside the next cycle, between a
 * market event and its orders. It moves the collection to a point where no order waits on it; it does not remove it.
 * V8 scavenges by itself when about half of the reported new-space capacity is used, so the default fill of 0.25
 * leaves a cycle about a quarter of it (4 MB at the default 16 MB capacity) before V8 would have to step in.
 */
export class SafePointGc {
  private readonly gc: MinorGc | undefined;
  /** Collections run, and the time they took in all, ms. */
  collections = 0;
  collectMs = 0;

  constructor(private readonly fill = 0.25) {
    this.gc = minorGc();
  }

  /** False where V8 gave no gc function: afterCycle then does nothing. */
  get available(): boolean {
    return this.gc !== undefined;
  }

  /** Collect if the young generation is more than `fill` full. Returns the time taken, ms, or undefined if it did not. */
  afterCycle(): number | undefined {
    if (this.gc === undefined) return undefined;
    const { used, capacity } = youngGeneration();
    if (capacity === 0 || used < capacity * this.fill) return undefined;
    const started = performance.now();
    this.gc();
    const ms = performance.now() - started;
    this.collections += 1;
    this.collectMs += ms;
    return ms;
  }
}
