import { ShError } from '../errors.js';

/** Declared parameter types. Bounds are inclusive. */
export type ParamSpec =
  | { readonly type: 'int'; readonly default: number; readonly min?: number; readonly max?: number; readonly description?: string }
  | { readonly type: 'number'; readonly default: number; readonly min?: number; readonly max?: number; readonly description?: string }
  | { readonly type: 'boolean'; readonly default: boolean; readonly description?: string }
  | { readonly type: 'string'; readonly default: string; readonly pattern?: string; readonly description?: string }
  | { readonly type: 'enum'; readonly default: string; readonly values: readonly string[]; readonly description?: string }
  | { readonly type: 'symbols'; readonly default: readonly string[]; readonly minItems?: number; readonly maxItems?: number; readonly description?: string };

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The spec of one declared type, e.g. `ParamSpecOf<'int'>`: for typing param specs built outside a plugin. */
export type ParamSpecOf<T extends ParamSpec['type']> = Extract<ParamSpec, { readonly type: T }>;

/** The TypeScript type of resolved params for a spec table. */
export type ParamValues<S extends ParamSpecs> = {
  readonly [K in keyof S]: S[K] extends { type: 'int' | 'number' }
    ? number
    : S[K] extends { type: 'boolean' }
      ? boolean
      : S[K] extends { type: 'symbols' }
        ? readonly string[]
        : string;
};

/** Describe what a spec expects, for error messages and `plugins describe`. */
export function describeParam(spec: ParamSpec): string {
  switch (spec.type) {
    case 'int':
    case 'number': {
      const kind = spec.type === 'int' ? 'an integer' : 'a finite number';
      const lo = spec.min !== undefined ? `>= ${spec.min}` : '';
      const hi = spec.max !== undefined ? `<= ${spec.max}` : '';
      return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
    }
    case 'boolean':
      return 'true or false';
    case 'string':
      return spec.pattern ? `a string matching /${spec.pattern}/` : 'a string';
    case 'enum':
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'symbols': {
      const n = [spec.minItems !== undefined ? `at least ${spec.minItems}` : '', spec.maxItems !== undefined ? `at most ${spec.maxItems}` : ''].filter(Boolean).join(', ');
      return `an array of symbols${n ? ` (${n})` : ''}`;
    }
  }
}

/** Check one value against its spec; returns an error message part, or undefined when valid. */
export function checkParamValue(spec: ParamSpec, value: unknown): string | undefined {
  const expected = describeParam(spec);
  switch (spec.type) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return expected;
      if (spec.type === 'int' && !Number.isInteger(value)) return expected;
      if (spec.min !== undefined && value < spec.min) return expected;
      if (spec.max !== undefined && value > spec.max) return expected;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : expected;
    case 'string':
      if (typeof value !== 'string') return expected;
      if (spec.pattern && !new RegExp(spec.pattern).test(value)) return expected;
      return undefined;
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value) ? undefined : expected;
    case 'symbols': {
      if (!Array.isArray(value) || value.some((s) => typeof s !== 'string' || !/^[A-Za-z0-9._\-/]+$/.test(s))) return expected;
      if (new Set(value).size !== value.length) return `${expected} without duplicates`;
      if (spec.minItems !== undefined && value.length < spec.minItems) return expected;
      if (spec.maxItems !== undefined && value.length > spec.maxItems) return expected;
      return undefined;
    }
  }
}

/**
 * Merge overrides over the declared defaults and validate every value. Every problem is reported, none is
 * thrown: the caller gathers problems across plugins and raises them all at once.
 *
 * @param path config path prefix for messages, e.g. `plugins.settings.tsmom.params`
 * @example resolveParams(def.params, { lookbackDays: 126 }, 'plugins.settings.tsmom.params')
 */
export function resolveParams(
  specs: ParamSpecs,
  overrides: Readonly<Record<string, unknown>> | undefined,
  path: string,
): { params: Record<string, unknown>; problems: ShError[] } {
  const params: Record<string, unknown> = {};
  const problems: ShError[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    params[name] = Array.isArray(spec.default) ? [...(spec.default as string[])] : spec.default;
  }
  for (const [name, value] of Object.entries(overrides ?? {})) {
    const spec = specs[name];
    if (!spec) {
      problems.push(
        new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `unknown parameter ${name}`, {
          where: `${path}.${name}`,
          received: value,
          expected: `one of ${Object.keys(specs).join(', ') || '(no parameters)'}`,
          fix: 'Remove the parameter or correct its name.',
        }),
      );
      continue;
    }
    const bad = checkParamValue(spec, value);
    if (bad) {
      problems.push(
        new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, {
          where: `${path}.${name}`,
          received: value,
          expected: bad,
          fix: `Set ${path}.${name} to ${bad}; the default is ${JSON.stringify(spec.default)}.`,
        }),
      );
      continue;
    }
    params[name] = Array.isArray(value) ? [...value] : value;
  }
  return { params, problems };
}

/** A rule across parameters that a plugin's params break: the parameter to change, its value, and what it should be. */
export interface ParamProblem {
  readonly name: string;
  readonly received: unknown;
  readonly expected: string;
}

/**
 * Throw SH_ERR_PLUGIN_PARAM_INVALID for a plugin whose params break rules that the per-parameter bounds cannot
 * express (`exitZ < entryZ`, two different symbols): one error listing each problem in `problems`, with its config
 * path `plugins.settings.<pluginId>.params.<name>`. Does nothing when there is no problem. Call it from `needs()`,
 * so that the host reports the problems when it prepares the plugin, before any evaluation.
 *
 * @example
 * throwIfParamProblems('gold-silver-ratio', p.exitZ < p.entryZ ? [] : [{ name: 'exitZ', received: p.exitZ, expected: `less than entryZ (${p.entryZ})` }]);
 */
export function throwIfParamProblems(pluginId: string, problems: readonly ParamProblem[]): void {
  if (problems.length === 0) return;
  const path = `plugins.settings.${pluginId}.params`;
  const causes = problems.map(({ name, received, expected }) => new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `parameter ${name} is invalid`, { where: `${path}.${name}`, received, expected }));
  throw new ShError('SH_ERR_PLUGIN_PARAM_INVALID', `${problems.length} inconsistent parameter(s) for ${pluginId}`, { where: path }, causes);
}
