import { ShError } from '../errors.js';
import { checkParamValue } from './params.js';
import { SUPPORTED_API_VERSIONS, type AnyStrategy } from './define-strategy.js';

export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * Validate a plugin definition and return every problem (empty when valid). `where` names the module path.
 * Checks: id, version, api, summary, param specs and their defaults, hooks present.
 */
export function validateManifest(definition: unknown, where: string): ShError[] {
  const problems: ShError[] = [];
  const add = (field: string, received: unknown, expected: string, code: 'SH_ERR_PLUGIN_MANIFEST_INVALID' | 'SH_ERR_PLUGIN_API_UNSUPPORTED' = 'SH_ERR_PLUGIN_MANIFEST_INVALID'): void => {
    problems.push(new ShError(code, `plugin manifest field ${field} is invalid`, { where: `${where} (${field})`, received, expected }));
  };
  if (typeof definition !== 'object' || definition === null) {
    add('default export', typeof definition, 'the result of defineStrategy({...})');
    return problems;
  }
  const d = definition as Partial<AnyStrategy>;
  if (typeof d.id !== 'string' || !PLUGIN_ID_PATTERN.test(d.id)) add('id', d.id, 'a kebab-case id such as "gold-silver-ratio"');
  if (typeof d.version !== 'string' || !SEMVER.test(d.version)) add('version', d.version, 'a semantic version such as "1.0.0"');
  if (typeof d.api !== 'number' || !SUPPORTED_API_VERSIONS.includes(d.api)) {
    add('api', d.api, `one of the supported api versions: ${SUPPORTED_API_VERSIONS.join(', ')}`, 'SH_ERR_PLUGIN_API_UNSUPPORTED');
  }
  if (typeof d.summary !== 'string' || d.summary.trim() === '') add('summary', d.summary, 'a non-empty one-line summary');
  for (const hook of ['needs', 'init', 'evaluate'] as const) {
    if (typeof d[hook] !== 'function') add(hook, typeof d[hook], 'a function');
  }
  for (const hook of ['models', 'features'] as const) {
    if (d[hook] !== undefined && typeof d[hook] !== 'function') add(hook, typeof d[hook], 'absent, or a function');
  }
  if (d.timeBudgetMs !== undefined && !(typeof d.timeBudgetMs === 'number' && d.timeBudgetMs > 0)) add('timeBudgetMs', d.timeBudgetMs, 'a positive number of milliseconds');
  if (typeof d.params !== 'object' || d.params === null) {
    add('params', d.params, 'an object of parameter specs (may be empty)');
  } else {
    for (const [name, spec] of Object.entries(d.params)) {
      if (!/^[a-z][A-Za-z0-9]*$/.test(name)) add(`params.${name}`, name, 'a camelCase parameter name');
      const types = ['int', 'number', 'boolean', 'string', 'enum', 'symbols'];
      if (typeof spec !== 'object' || spec === null || !types.includes((spec as { type?: string }).type ?? '')) {
        add(`params.${name}.type`, (spec as { type?: unknown } | null)?.type, `one of ${types.join(', ')}`);
        continue;
      }
      if (spec.type === 'enum' && (!Array.isArray(spec.values) || spec.values.length === 0)) {
        add(`params.${name}.values`, spec.values, 'a non-empty array of strings');
        continue;
      }
      if ((spec.type === 'int' || spec.type === 'number') && spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
        add(`params.${name}`, { min: spec.min, max: spec.max }, 'min <= max');
        continue;
      }
      const bad = checkParamValue(spec, spec.default);
      if (bad) add(`params.${name}.default`, spec.default, bad);
    }
  }
  return problems;
}
