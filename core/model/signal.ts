import type { EpochMs } from './time.js';

/**
 * A plugin's opinion on one instrument: a target weight in [-1, 1] of the plugin's capital budget.
 * The signals a plugin returns at a decision time are its complete target: an instrument of its universe
 * that it does not mention has target weight 0.
 */
export interface Signal {
  readonly symbol: string;
  readonly weight: number;
  /** 0..1, how sure the plugin is; informative, the allocator may use it. */
  readonly confidence: number;
  /** Short, human-readable (<= 200 characters): why. */
  readonly reason: string;
  /**
   * Optional target weight to hold after the next close, when it differs from `weight` (the target after the next
   * open). The host trades the open leg market-on-open and the close leg market-on-close. A plugin that holds only
   * overnight returns `weight: 0, closeWeight: 1`: flat through the day, long from the close to the next open.
   */
  readonly closeWeight?: number;
}

/** A signal as the host records it: stamped with plugin and time. */
export interface RecordedSignal extends Signal {
  readonly strategyId: string;
  readonly time: EpochMs;
}

export const MAX_REASON_LENGTH = 200;
