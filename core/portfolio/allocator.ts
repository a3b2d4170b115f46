/** How a plugin takes part in trading. Shadow plugins are evaluated and scored, never routed. */
export type PluginMode = 'disabled' | 'shadow' | 'canary' | 'live';

export const PLUGIN_MODES: readonly PluginMode[] = ['disabled', 'shadow', 'canary', 'live'];

export interface AllocatorConfig {
  /** Capital the allocator distributes among live and canary plugins. */
  readonly capital: number;
  /** Budget cap of a canary plugin, as a fraction of capital (default 0.02). */
  readonly canaryFraction: number;
  /** Budget cap of any plugin, as a fraction of capital (default 0.5). */
  readonly maxPluginFraction: number;
  /** Returns used to estimate each plugin's volatility (default 60). */
  readonly volatilityLookback: number;
  /** Below this many returns for any plugin, every plugin gets an equal capital budget (default 20). */
  readonly minHistory: number;
}

export const DEFAULT_ALLOCATOR: AllocatorConfig = { capital: 1_000_000, canaryFraction: 0.02, maxPluginFraction: 0.5, volatilityLookback: 60, minHistory: 20 };

export interface AllocationInput {
  readonly strategyId: string;
  readonly mode: PluginMode;
  /** Recent daily returns of the plugin's virtual book. */
  readonly returns: readonly number[];
}

/**
 * Equal risk budget per live plugin: budgets proportional to 1 / volatility of each plugin's virtual-book returns,
 * normalised to the capital; equal capital until every plugin has `minHistory` returns. Canary plugins are capped at
 * `canaryFraction` of capital, every plugin at `maxPluginFraction`. Capped excess is not redistributed: it stays
 * in cash, which is the conservative choice. Shadow and disabled plugins get nothing.
 */
export function allocate(inputs: readonly AllocationInput[], config: AllocatorConfig = DEFAULT_ALLOCATOR): Map<string, number> {
  const budgets = new Map<string, number>();
  const trading = inputs.filter((p) => p.mode === 'live' || p.mode === 'canary');
  for (const p of inputs) budgets.set(p.strategyId, 0);
  if (trading.length === 0) return budgets;
  const vols = trading.map((p) => volatility(p.returns.length > config.volatilityLookback ? p.returns.slice(-config.volatilityLookback) : p.returns));
  const enoughHistory = trading.every((p, i) => p.returns.length >= config.minHistory && (vols[i] as number) > 0);
  const raw = trading.map((_, i) => (enoughHistory ? 1 / (vols[i] as number) : 1));
  const total = raw.reduce((a, b) => a + b, 0);
  trading.forEach((p, i) => {
    let budget = (config.capital * (raw[i] as number)) / total;
    budget = Math.min(budget, config.capital * config.maxPluginFraction);
    if (p.mode === 'canary') budget = Math.min(budget, config.capital * config.canaryFraction);
    budgets.set(p.strategyId, budget);
  });
  return budgets;
}

function volatility(returns: readonly number[]): number {
  if (returns.length < 2) return 0;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance);
}
