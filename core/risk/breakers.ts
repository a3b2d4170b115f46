import { ShError } from '../errors.js';
import type { EpochMs } from '../model/time.js';
import { KILL_TIERS, tierRank, type KillTier } from './kill-switch.js';

/** A level of a breaker: at or past `atLeast`, escalate to `tier`. */
export interface BreakerThreshold {
  readonly atLeast: number;
  readonly tier: KillTier;
}

export interface BreakerConfig {
  /** Loss since the day start, (dayStartEquity - equity) / dayStartEquity. Default: 3% -> NO_NEW. */
  readonly dailyLoss: readonly BreakerThreshold[];
  /** Drawdown from the peak, (peakEquity - equity) / peakEquity. Default: 15% -> NO_NEW, 25% -> FLATTEN_ALL. */
  readonly drawdown: readonly BreakerThreshold[];
  /** Faulted plugins trip when faulted >= max(faultedMinimum, faultedFraction x enabled). Default 2. */
  readonly faultedMinimum: number;
  /** Default 0.25. */
  readonly faultedFraction: number;
  /** Default NO_NEW. */
  readonly faultedTier: KillTier;
  /** Tier when any series some instrument depends on is stale. Default WARN; ACTIVE turns the breaker off. */
  readonly staleDataTier: KillTier;
}

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = {
  dailyLoss: [{ atLeast: 0.03, tier: 'NO_NEW' }],
  drawdown: [
    { atLeast: 0.15, tier: 'NO_NEW' },
    { atLeast: 0.25, tier: 'FLATTEN_ALL' },
  ],
  faultedMinimum: 2,
  faultedFraction: 0.25,
  faultedTier: 'NO_NEW',
  staleDataTier: 'WARN',
};

/** What the engine knows once per cycle. */
export interface BreakerInput {
  readonly time: EpochMs;
  readonly equity: number;
  readonly dayStartEquity: number;
  readonly peakEquity: number;
  /** Plugins quarantined after a fault. */
  readonly faultedPlugins: number;
  /** Plugins not disabled by config, faulted ones included. */
  readonly enabledPlugins: number;
  /** Series that are stale now (see `isStale` in guards/stale-data.ts). */
  readonly staleSeries: readonly string[];
}

/** One tripped breaker: the tier it asks for and why. */
export interface BreakerTrip {
  readonly breaker: 'daily-loss' | 'drawdown' | 'faulted-plugins' | 'stale-data';
  readonly tier: KillTier;
  readonly reason: string;
}

/** A fraction computed from two equities can land a hair under the threshold it equals. */
const EPSILON = 1e-12;

/**
 * Evaluate the automatic breakers once per cycle. Returns every tripped breaker with the highest tier it asks
 * for (an empty list when none trips); the engine escalates the kill switch to the strongest (see `strongestTrip`)
 * and journals each. A breaker trips at its threshold exactly. Escalation only: breakers never lower the tier.
 * Inputs that are not usable numbers (no day start yet, NaN equity) trip nothing: the loss guards of the chain
 * already fail closed order by order, and a breaker trip is sticky (de-escalation needs two operators).
 *
 * @example
 * evaluateBreakers({ time, equity: 84_000, dayStartEquity: 85_000, peakEquity: 100_000, faultedPlugins: 0, enabledPlugins: 5, staleSeries: [] }, DEFAULT_BREAKER_CONFIG)
 * // [{ breaker: 'drawdown', tier: 'NO_NEW', reason: 'drawdown 16.00% >= 15.00%' }]
 */
export function evaluateBreakers(input: BreakerInput, config: BreakerConfig = DEFAULT_BREAKER_CONFIG): BreakerTrip[] {
  const trips: BreakerTrip[] = [];
  const lossTrip = fractionTrip('daily-loss', 'daily loss', input.dayStartEquity, input.equity, config.dailyLoss);
  if (lossTrip) trips.push(lossTrip);
  const drawdownTrip = fractionTrip('drawdown', 'drawdown', input.peakEquity, input.equity, config.drawdown);
  if (drawdownTrip) trips.push(drawdownTrip);
  const faultedLimit = Math.max(config.faultedMinimum, config.faultedFraction * input.enabledPlugins);
  if (config.faultedTier !== 'ACTIVE' && input.faultedPlugins > 0 && input.faultedPlugins >= faultedLimit) {
    trips.push({ breaker: 'faulted-plugins', tier: config.faultedTier, reason: `${input.faultedPlugins} of ${input.enabledPlugins} plugins faulted (limit ${faultedLimit})` });
  }
  if (config.staleDataTier !== 'ACTIVE' && input.staleSeries.length > 0) {
    const shown = input.staleSeries.slice(0, 5).join(', ') + (input.staleSeries.length > 5 ? ` and ${input.staleSeries.length - 5} more` : '');
    trips.push({ breaker: 'stale-data', tier: config.staleDataTier, reason: `stale series: ${shown}` });
  }
  return trips;
}

/** The trip asking for the highest tier (the first such on ties), or undefined when none tripped. */
export function strongestTrip(trips: readonly BreakerTrip[]): BreakerTrip | undefined {
  let best: BreakerTrip | undefined;
  for (const trip of trips) if (!best || tierRank(trip.tier) > tierRank(best.tier)) best = trip;
  return best;
}

/**
 * Validate a breaker configuration (partial: missing keys take DEFAULT_BREAKER_CONFIG's) and return it whole.
 * Throws SH_ERR_RISK_BREAKER_CONFIG listing every bad or unknown key at once.
 *
 * @example
 * resolveBreakerConfig({ drawdown: [{ atLeast: 0.1, tier: 'NO_NEW' }] }, 'risk.breakers')
 */
export function resolveBreakerConfig(partial: unknown, path = 'risk.breakers'): BreakerConfig {
  const problems: ShError[] = [];
  const bad = (key: string, received: unknown, expected: string): void => {
    problems.push(new ShError('SH_ERR_RISK_BREAKER_CONFIG', `breaker setting ${key} is invalid`, { where: `${path}.${key}`, received, expected }));
  };
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new ShError('SH_ERR_RISK_BREAKER_CONFIG', 'breaker configuration is not an object', { where: path, received: partial, expected: 'an object' });
  }
  const given = partial as Record<string, unknown>;
  const pick = <K extends keyof BreakerConfig>(key: K): unknown => given[key] ?? DEFAULT_BREAKER_CONFIG[key];
  const isTier = (value: unknown): value is KillTier => typeof value === 'string' && (KILL_TIERS as readonly string[]).includes(value);
  const thresholds = (key: 'dailyLoss' | 'drawdown'): readonly BreakerThreshold[] => {
    const value = pick(key);
    const ok = Array.isArray(value) && value.every((t: unknown) => {
      const level = t as Partial<BreakerThreshold> | null;
      return typeof level === 'object' && level !== null && typeof level.atLeast === 'number' && level.atLeast > 0 && level.atLeast <= 1 && isTier(level.tier);
    });
    if (!ok) bad(key, value, 'an array of { atLeast: a fraction in (0, 1], tier: a kill-switch tier }');
    return ok ? (value as BreakerThreshold[]) : DEFAULT_BREAKER_CONFIG[key];
  };
  const number = (key: 'faultedMinimum' | 'faultedFraction', min: number, max: number): number => {
    const value = pick(key);
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    bad(key, value, `a number in [${min}, ${max}]`);
    return DEFAULT_BREAKER_CONFIG[key];
  };
  const tier = (key: 'faultedTier' | 'staleDataTier'): KillTier => {
    const value = pick(key);
    if (isTier(value)) return value;
    bad(key, value, `one of ${KILL_TIERS.join(', ')}`);
    return DEFAULT_BREAKER_CONFIG[key];
  };
  const config: BreakerConfig = {
    dailyLoss: thresholds('dailyLoss'),
    drawdown: thresholds('drawdown'),
    faultedMinimum: number('faultedMinimum', 1, Number.MAX_SAFE_INTEGER),
    faultedFraction: number('faultedFraction', 0, 1),
    faultedTier: tier('faultedTier'),
    staleDataTier: tier('staleDataTier'),
  };
  for (const key of Object.keys(given)) if (!(key in DEFAULT_BREAKER_CONFIG)) bad(key, given[key], `no such setting; known: ${Object.keys(DEFAULT_BREAKER_CONFIG).join(', ')}`);
  if (problems.length > 0) throw new ShError('SH_ERR_RISK_BREAKER_CONFIG', `${problems.length} breaker configuration problem(s)`, { where: path }, problems);
  return config;
}

/** The highest threshold a fraction (base - equity) / base reaches, as a trip; undefined when none or unusable. */
function fractionTrip(breaker: 'daily-loss' | 'drawdown', label: string, base: number, equity: number, levels: readonly BreakerThreshold[]): BreakerTrip | undefined {
  if (!(base > 0) || !Number.isFinite(base) || !Number.isFinite(equity)) return undefined;
  const fraction = (base - equity) / base;
  let hit: BreakerThreshold | undefined;
  for (const level of levels) {
    if (level.tier === 'ACTIVE' || fraction < level.atLeast - EPSILON) continue;
    if (!hit || tierRank(level.tier) > tierRank(hit.tier)) hit = level;
  }
  if (!hit) return undefined;
  return { breaker, tier: hit.tier, reason: `${label} ${(fraction * 100).toFixed(2)}% >= ${(hit.atLeast * 100).toFixed(2)}%` };
}
