import { ShError } from '../../errors.js';
import type { Frequency } from '../../model/series.js';
import type { Guard } from '../guard.js';
import { canaryCapsGuard } from './canary-caps.js';
import { concentrationGuard } from './concentration.js';
import { GuardConfigReader, type GuardConfig } from './config-reader.js';
import { dailyLossGuard } from './daily-loss.js';
import { drawdownGuard } from './drawdown.js';
import { duplicateIntentGuard } from './duplicate-intent.js';
import { grossExposureGuard } from './gross-exposure.js';
import { killSwitchGuard } from './kill-switch-guard.js';
import { maxOrderSizeGuard } from './max-order-size.js';
import { netExposureGuard } from './net-exposure.js';
import { orderRateGuard } from './order-rate.js';
import { positionLimitGuard } from './position-limit.js';
import { priceCollarGuard } from './price-collar.js';
import { restrictedListGuard } from './restricted-list.js';
import { DEFAULT_STALE_DATA, staleDataGuard } from './stale-data.js';
import { turnoverGuard } from './turnover.js';

export {
  canaryCapsGuard,
  concentrationGuard,
  dailyLossGuard,
  drawdownGuard,
  duplicateIntentGuard,
  grossExposureGuard,
  killSwitchGuard,
  maxOrderSizeGuard,
  netExposureGuard,
  orderRateGuard,
  positionLimitGuard,
  priceCollarGuard,
  restrictedListGuard,
  staleDataGuard,
  turnoverGuard,
};
export { DEFAULT_INTERVALS_MS, DEFAULT_STALE_DATA, dataAge, isStale, maxDataAge } from './stale-data.js';
export { reducesRisk, reducingQuantity } from './risk-reducing.js';
export { GuardConfigReader, type GuardConfig } from './config-reader.js';
export type { CanaryCapsConfig } from './canary-caps.js';
export type { ConcentrationConfig } from './concentration.js';
export type { DailyLossConfig } from './daily-loss.js';
export type { DrawdownConfig } from './drawdown.js';
export type { DuplicateIntentConfig } from './duplicate-intent.js';
export type { GrossExposureConfig } from './gross-exposure.js';
export type { KillSwitchGuardConfig } from './kill-switch-guard.js';
export type { MaxOrderSizeConfig } from './max-order-size.js';
export type { NetExposureConfig } from './net-exposure.js';
export type { OrderRateConfig } from './order-rate.js';
export type { PositionLimitConfig } from './position-limit.js';
export type { PriceCollarConfig } from './price-collar.js';
export type { RestrictedListConfig } from './restricted-list.js';
export type { StaleDataConfig } from './stale-data.js';
export type { TurnoverConfig } from './turnover.js';

/** Builds one guard from its validated settings; throws SH_ERR_RISK_GUARD_CONFIG listing every bad key. */
export type GuardFactory = (config: GuardConfig) => Guard;

const FREQUENCIES: readonly Frequency[] = ['intraday', 'daily', 'weekly', 'monthly', 'quarterly', 'irregular'];

/** A factory that reads every setting first, reports all problems at once, then builds the guard. */
function factory<T>(read: (settings: GuardConfigReader) => T, make: (settings: T) => Guard): GuardFactory {
  return (config) => {
    const reader = new GuardConfigReader(config);
    const settings = read(reader);
    reader.finish();
    return make(settings);
  };
}

/**
 * The registry of built-in guards by name, with each setting's default and bounds. A new guard plugs in here (and
 * in config) without touching the engine. Unknown settings are errors: a misspelt limit must not fall back to a
 * default silently.
 */
export const GUARD_FACTORIES: Readonly<Record<string, GuardFactory>> = {
  'kill-switch': factory((r) => ({ throttleSizeFactor: r.num('throttleSizeFactor', 0.5, 0, 1) }), killSwitchGuard),
  'restricted-list': factory((r) => ({ symbols: r.strings('symbols', []), allowReducing: r.bool('allowReducing', true) }), restrictedListGuard),
  'stale-data': factory(
    (r) => ({
      maxAgeMultiple: r.num('maxAgeMultiple', DEFAULT_STALE_DATA.maxAgeMultiple, 0),
      // Given intervals replace the defaults per frequency; the others keep theirs.
      intervalsMs: r.numberRecord('intervalsMs', DEFAULT_STALE_DATA.intervalsMs as Record<string, number>, 1, FREQUENCIES),
      holidayAllowanceMs: r.num('holidayAllowanceMs', DEFAULT_STALE_DATA.holidayAllowanceMs, 0),
      excludeWeekends: r.bool('excludeWeekends', DEFAULT_STALE_DATA.excludeWeekends),
    }),
    staleDataGuard,
  ),
  'price-collar': factory((r) => ({ maxDeviation: r.num('maxDeviation', 0.05, 0, 1) }), priceCollarGuard),
  'duplicate-intent': factory((r) => ({ windowMs: r.num('windowMs', 5_000, 0) }), duplicateIntentGuard),
  'order-rate': factory(
    (r) => ({ maxOrders: r.int('maxOrders', 50, 1), windowMs: r.num('windowMs', 60_000, 1), throttleFactor: r.num('throttleFactor', 0.5, 0, 1) }),
    orderRateGuard,
  ),
  'max-order-size': factory((r) => {
    const maxQuantity = r.optionalNum('maxQuantity', 0);
    return { maxNotional: r.num('maxNotional', 250_000, 0), ...(maxQuantity !== undefined ? { maxQuantity } : {}) };
  }, maxOrderSizeGuard),
  'position-limit': factory((r) => {
    const perSymbol = r.numberRecord('perSymbol', {}, 0);
    return { maxPositionNotional: r.num('maxPositionNotional', 400_000, 0), ...(Object.keys(perSymbol).length > 0 ? { perSymbol } : {}) };
  }, positionLimitGuard),
  'gross-exposure': factory((r) => ({ maxGrossLeverage: r.num('maxGrossLeverage', 2, 0) }), grossExposureGuard),
  'net-exposure': factory((r) => ({ maxNetLeverage: r.num('maxNetLeverage', 1, 0) }), netExposureGuard),
  concentration: factory((r) => ({ tag: r.text('tag', 'metal'), maxShare: r.num('maxShare', 0.6, 0) }), concentrationGuard),
  turnover: factory((r) => ({ maxDailyTurnover: r.num('maxDailyTurnover', 1, 0) }), turnoverGuard),
  'daily-loss': factory((r) => ({ maxLossFraction: r.num('maxLossFraction', 0.03, 0, 1) }), dailyLossGuard),
  drawdown: factory((r) => ({ maxDrawdown: r.num('maxDrawdown', 0.15, 0, 1) }), drawdownGuard),
  'canary-caps': factory(
    (r) => ({ maxInstrumentNotional: r.num('maxInstrumentNotional', 50_000, 0), maxPluginNotional: r.num('maxPluginNotional', 100_000, 0) }),
    canaryCapsGuard,
  ),
};

/**
 * The recommended chain, in order, with every default spelt out: the tier first (cheapest, and it decides what
 * may pass at all), then checks that reject erroneous or unwanted orders outright, then the rate and size limits,
 * then the exposure limits that clip, then the loss breakers and canary caps. See docs/risk-guards.md.
 */
export const DEFAULT_GUARD_CONFIGS: readonly GuardConfig[] = [
  { name: 'kill-switch', throttleSizeFactor: 0.5 },
  { name: 'restricted-list', symbols: [], allowReducing: true },
  { name: 'stale-data', maxAgeMultiple: DEFAULT_STALE_DATA.maxAgeMultiple, intervalsMs: { ...DEFAULT_STALE_DATA.intervalsMs }, holidayAllowanceMs: DEFAULT_STALE_DATA.holidayAllowanceMs, excludeWeekends: true },
  { name: 'price-collar', maxDeviation: 0.05 },
  { name: 'duplicate-intent', windowMs: 5_000 },
  { name: 'order-rate', maxOrders: 50, windowMs: 60_000, throttleFactor: 0.5 },
  { name: 'max-order-size', maxNotional: 250_000 },
  { name: 'position-limit', maxPositionNotional: 400_000 },
  { name: 'gross-exposure', maxGrossLeverage: 2 },
  { name: 'net-exposure', maxNetLeverage: 1 },
  { name: 'concentration', tag: 'metal', maxShare: 0.6 },
  { name: 'turnover', maxDailyTurnover: 1 },
  { name: 'daily-loss', maxLossFraction: 0.03 },
  { name: 'drawdown', maxDrawdown: 0.15 },
  { name: 'canary-caps', maxInstrumentNotional: 50_000, maxPluginNotional: 100_000 },
];

/**
 * Build guards from config, in order. Reports every problem at once (SH_ERR_RISK_GUARD_CONFIG): unknown guard
 * names, and every bad or unknown setting of every guard, each with `where` = `<path>[i].<key>`.
 *
 * @example
 * new RiskChain(buildGuards(DEFAULT_GUARD_CONFIGS))
 */
export function buildGuards(configs: readonly GuardConfig[], path = 'risk.guards'): Guard[] {
  const guards: Guard[] = [];
  const problems: ShError[] = [];
  configs.forEach((config, i) => {
    const build = GUARD_FACTORIES[config.name];
    if (!build) {
      problems.push(new ShError('SH_ERR_RISK_GUARD_CONFIG', `unknown guard ${JSON.stringify(config.name)}`, { where: `${path}[${i}].name`, received: config.name, expected: `one of ${Object.keys(GUARD_FACTORIES).join(', ')}` }));
      return;
    }
    try {
      guards.push(build(config));
    } catch (error) {
      if (!(error instanceof ShError)) throw error;
      for (const problem of error.problems.length > 0 ? error.problems : [error]) {
        problems.push(new ShError(problem.code, problem.message, { ...problem.details, where: `${path}[${i}].${String(problem.details.where)}` }));
      }
    }
  });
  if (problems.length > 0) throw new ShError('SH_ERR_RISK_GUARD_CONFIG', `${problems.length} guard configuration problem(s)`, { where: path }, problems);
  return guards;
}
