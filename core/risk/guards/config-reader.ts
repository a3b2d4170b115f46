import { ShError } from '../../errors.js';

/** A guard's configuration: its name plus its own settings. */
export interface GuardConfig {
  readonly name: string;
  readonly [setting: string]: unknown;
}

/**
 * Reads one guard's settings and collects every problem instead of stopping at the first: each accessor returns a
 * value (the fallback when the setting is bad) and records what was wrong. `finish` then throws one
 * SH_ERR_RISK_GUARD_CONFIG listing every bad or unknown key, with `where` set to the key.
 *
 * @example
 * const read = new GuardConfigReader(config);
 * const settings = { maxDeviation: read.num('maxDeviation', 0.05, 0, 1) };
 * read.finish(); // throws when maxDeviation was bad or a key was misspelt
 */
export class GuardConfigReader {
  private readonly problems: ShError[] = [];
  private readonly seen = new Set<string>(['name']);

  constructor(private readonly config: GuardConfig) {}

  /** A finite number in [min, max]; `fallback` undefined makes the key required. */
  num(key: string, fallback: number | undefined, min: number, max = Number.POSITIVE_INFINITY): number {
    const value = this.take(key) ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      return this.bad(key, value, `a number in [${min}, ${max}]`, fallback ?? Number.NaN);
    }
    return value;
  }

  /** An optional finite number in [min, max]: undefined when absent. */
  optionalNum(key: string, min: number, max = Number.POSITIVE_INFINITY): number | undefined {
    if (this.take(key) === undefined) return undefined;
    return this.num(key, undefined, min, max);
  }

  /** A whole number in [min, max]. */
  int(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.take(key) ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.bad(key, value, `a whole number in [${min}, ${max}]`, fallback);
    }
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.take(key) ?? fallback;
    if (typeof value !== 'boolean') return this.bad(key, value, 'true or false', fallback);
    return value;
  }

  /** A non-empty string. */
  text(key: string, fallback: string): string {
    const value = this.take(key) ?? fallback;
    if (typeof value !== 'string' || value.length === 0) return this.bad(key, value, 'a non-empty string', fallback);
    return value;
  }

  /** An array of non-empty strings. */
  strings(key: string, fallback: readonly string[]): readonly string[] {
    const value = this.take(key) ?? fallback;
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && s.length > 0)) {
      return this.bad(key, value, 'an array of non-empty strings', fallback);
    }
    return value as string[];
  }

  /**
   * An object of numbers in [min, max], merged over `fallback`. When `allowedKeys` is given, other keys are errors.
   */
  numberRecord(key: string, fallback: Readonly<Record<string, number>>, min: number, allowedKeys?: readonly string[]): Readonly<Record<string, number>> {
    const value = this.take(key);
    if (value === undefined) return fallback;
    const expected = `an object of numbers in [${min}, Infinity)${allowedKeys ? ` with keys among ${allowedKeys.join(', ')}` : ''}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.bad(key, value, expected, fallback);
    const merged: Record<string, number> = { ...fallback };
    let ok = true;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if ((allowedKeys && !allowedKeys.includes(k)) || typeof v !== 'number' || !Number.isFinite(v) || v < min) {
        this.bad(`${key}.${k}`, v, expected, 0);
        ok = false;
      } else merged[k] = v;
    }
    return ok ? merged : fallback;
  }

  /** Throw every problem found, unknown keys included; return normally when there is none. */
  finish(): void {
    for (const key of Object.keys(this.config)) {
      if (!this.seen.has(key)) this.bad(key, this.config[key], `no such setting; known: ${[...this.seen].filter((k) => k !== 'name').join(', ') || 'none'}`, undefined);
    }
    if (this.problems.length === 0) return;
    const [first] = this.problems;
    if (this.problems.length === 1 && first) throw first;
    throw new ShError('SH_ERR_RISK_GUARD_CONFIG', `guard ${this.config.name}: ${this.problems.length} invalid settings`, { where: '' }, this.problems);
  }

  private take(key: string): unknown {
    this.seen.add(key);
    return this.config[key];
  }

  private bad<T>(key: string, received: unknown, expected: string, fallback: T): T {
    this.problems.push(new ShError('SH_ERR_RISK_GUARD_CONFIG', `guard ${this.config.name}: ${key} is invalid`, { where: key, received, expected }));
    return fallback;
  }
}
