import { ShError } from '../../errors.js';
import type { Guard } from '../guard.js';
import { killSwitchGuard } from './kill-switch-guard.js';
import { maxOrderSizeGuard } from './max-order-size.js';
import { positionLimitGuard } from './position-limit.js';

export { killSwitchGuard, maxOrderSizeGuard, positionLimitGuard };

/** A guard's configuration: its name plus its own settings. */
export interface GuardConfig {
  readonly name: string;
  readonly [setting: string]: unknown;
}

type GuardFactory = (config: GuardConfig) => Guard;

/**
 * The registry of built-in guards by name. A new guard plugs in here (and in config) without touching the engine.
 */
export const GUARD_FACTORIES: Readonly<Record<string, GuardFactory>> = {
  'kill-switch': (c) => killSwitchGuard({ throttleSizeFactor: num(c, 'throttleSizeFactor', 0.5, 0, 1) }),
  'max-order-size': (c) => maxOrderSizeGuard({ maxNotional: num(c, 'maxNotional', undefined, 0), ...(c.maxQuantity !== undefined ? { maxQuantity: num(c, 'maxQuantity', undefined, 0) } : {}) }),
  'position-limit': (c) => positionLimitGuard({ maxPositionNotional: num(c, 'maxPositionNotional', undefined, 0), ...(c.perSymbol ? { perSymbol: c.perSymbol as Record<string, number> } : {}) }),
};

/** Build guards from config, in order. Reports every bad entry at once (SH_ERR_RISK_GUARD_CONFIG). */
export function buildGuards(configs: readonly GuardConfig[], path = 'risk.guards'): Guard[] {
  const guards: Guard[] = [];
  const problems: ShError[] = [];
  configs.forEach((config, i) => {
    const factory = GUARD_FACTORIES[config.name];
    if (!factory) {
      problems.push(new ShError('SH_ERR_RISK_GUARD_CONFIG', `unknown guard ${JSON.stringify(config.name)}`, { where: `${path}[${i}].name`, received: config.name, expected: `one of ${Object.keys(GUARD_FACTORIES).join(', ')}` }));
      return;
    }
    try {
      guards.push(factory(config));
    } catch (error) {
      if (error instanceof ShError) problems.push(new ShError(error.code, error.message, { ...error.details, where: `${path}[${i}].${String(error.details.where)}` }));
      else throw error;
    }
  });
  if (problems.length > 0) throw new ShError('SH_ERR_RISK_GUARD_CONFIG', `${problems.length} guard configuration problem(s)`, { where: path }, problems);
  return guards;
}

function num(config: GuardConfig, key: string, fallback: number | undefined, min: number, max = Number.POSITIVE_INFINITY): number {
  const value = config[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ShError('SH_ERR_RISK_GUARD_CONFIG', `guard ${config.name}: ${key} is invalid`, { where: key, received: value, expected: `a number in [${min}, ${max}]` });
  }
  return value;
}
