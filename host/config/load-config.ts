import convict from 'convict';
import fs from 'node:fs';
import path from 'node:path';
import { ShError } from '../../core/index.js';
import { addFormats, checkPluginSettings, schema, type PluginSetting } from '../../config/schema.js';
import { REPO_ROOT } from '../paths.js';

type ConvictConfig = ReturnType<typeof makeConvict>;
/** The validated configuration, as a plain object. */
export type HostConfig = ReturnType<ConvictConfig['getProperties']> & {
  readonly plugins: { readonly settings: Readonly<Record<string, PluginSetting>> };
};

export const PROFILES_DIR = path.join(REPO_ROOT, 'config', 'profiles');

function makeConvict() {
  addFormats();
  return convict(schema);
}

/** Profiles available: the file names in config/profiles. */
export function listProfiles(): string[] {
  return fs
    .readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export interface LoadConfigOptions {
  readonly profile: string;
  /** A JSON file merged over the profile. */
  readonly configFile?: string;
  /** Dotted-path overrides from the command line, applied last (`executor.kind` -> `inline`). */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Environment (defaults to process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Load and validate the configuration: defaults < profile < --config file < environment < command-line flags.
 * Every problem is listed at once in one ShError (SH_ERR_CONFIG_INVALID) with the path and the value received.
 */
export function loadConfig(options: LoadConfigOptions): HostConfig {
  const profiles = listProfiles();
  if (!profiles.includes(options.profile)) {
    throw new ShError('SH_ERR_CONFIG_PROFILE_UNKNOWN', `unknown profile ${JSON.stringify(options.profile)}`, {
      where: '--profile',
      received: options.profile,
      expected: `one of ${profiles.join(', ')}`,
      fix: `Use --profile ${profiles.join('|')}, or add config/profiles/${options.profile}.json.`,
    });
  }
  addFormats();
  const config = convict(schema, { env: options.env ?? process.env, args: [] });
  const settings: Record<string, Record<string, unknown>> = {};
  const problems: ShError[] = [];
  const layer = (file: string, label: string): void => {
    const json = readJson(file, label);
    const plugins = json.plugins as Record<string, unknown> | undefined;
    if (plugins && typeof plugins === 'object' && 'settings' in plugins) {
      const { settings: layerSettings, ...rest } = plugins;
      for (const p of checkPluginSettings(layerSettings)) {
        problems.push(new ShError('SH_ERR_CONFIG_INVALID', `${p.path} is invalid (in ${label})`, { where: p.path, received: p.received, expected: p.expected }));
      }
      if (layerSettings && typeof layerSettings === 'object' && !Array.isArray(layerSettings)) mergeSettings(settings, layerSettings as Record<string, unknown>);
      json.plugins = rest;
    }
    config.load(json);
  };
  layer(path.join(PROFILES_DIR, `${options.profile}.json`), `config/profiles/${options.profile}.json`);
  if (options.configFile) layer(options.configFile, options.configFile);
  // Environment wins over files: convict applies env at construction, so re-apply it after the loads.
  const env = options.env ?? process.env;
  for (const [key, value] of envOverrides(env)) config.set(key as never, value as never);
  config.set('profile', options.profile as never);
  const overridden: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (key.startsWith('plugins.settings.')) {
      const [id, field, ...rest] = key.slice('plugins.settings.'.length).split('.');
      const entry = (settings[id as string] ??= {});
      if (field === 'params' && rest.length > 0) entry.params = { ...(entry.params as object), [rest.join('.')]: value };
      else entry[field as string] = value;
      overridden[id as string] = entry;
    } else {
      config.set(key as never, value as never);
    }
  }
  // Checked once after all overrides: checking per override would list a bad entry once per flag naming it.
  for (const p of checkPluginSettings(overridden)) {
    problems.push(new ShError('SH_ERR_CONFIG_INVALID', `${p.path} is invalid (command line)`, { where: p.path, received: p.received, expected: p.expected }));
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    problems.push(...configError(error, options, config).problems);
  }
  if (problems.length > 0) {
    const source = options.configFile ? `profile ${options.profile} + ${options.configFile}` : `profile ${options.profile}`;
    throw new ShError('SH_ERR_CONFIG_INVALID', `${problems.length} configuration problem(s) in ${source}`, { where: source }, problems);
  }
  const properties = config.getProperties();
  return { ...properties, plugins: { ...properties.plugins, settings } } as HostConfig;
}

function mergeSettings(into: Record<string, Record<string, unknown>>, layer: Record<string, unknown>): void {
  for (const [id, value] of Object.entries(layer)) {
    if (typeof value !== 'object' || value === null) continue;
    const entry = (into[id] ??= {});
    const { mode, params } = value as { mode?: unknown; params?: unknown };
    if (mode !== undefined) entry.mode = mode;
    if (params && typeof params === 'object') entry.params = { ...(entry.params as object), ...(params as object) };
  }
}

function envOverrides(env: NodeJS.ProcessEnv): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (env.SH_HTTP_PORT !== undefined) out.push(['http.port', Number(env.SH_HTTP_PORT)]);
  if (env.KILL_SWITCH !== undefined) out.push(['killSwitch.initialTier', env.KILL_SWITCH.trim().toUpperCase()]);
  if (env.ALLOW_SUBMIT !== undefined) out.push(['allowSubmit', !['0', 'false', 'no', 'off'].includes(env.ALLOW_SUBMIT.trim().toLowerCase())]);
  return out;
}

function readJson(file: string, label: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ShError('SH_ERR_CONFIG_FILE_UNREADABLE', `cannot read ${label}: ${(error as Error).message}`, { where: label, received: file, expected: 'a readable JSON file' });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the top level must be an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ShError('SH_ERR_CONFIG_FILE_UNREADABLE', `${label} is not valid JSON: ${(error as Error).message}`, { where: label, received: `${text.length} characters (content not shown: the file may hold operator tokens)`, expected: 'a JSON object', fix: 'Fix the JSON syntax at the position named.' });
  }
}

/** Turn convict's newline-joined messages into one ShError with a problem per line. */
function configError(error: unknown, options: LoadConfigOptions, config: ConvictConfig): ShError {
  const source = options.configFile ? `profile ${options.profile} + ${options.configFile}` : `profile ${options.profile}`;
  const lines = String((error as Error).message ?? error)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const problems = lines.map((line) => {
    const strict = /^configuration param '([^']+)' not declared in the schema$/.exec(line);
    if (strict) {
      return new ShError('SH_ERR_CONFIG_INVALID', `unknown setting ${strict[1]}`, { where: strict[1], received: strict[1], expected: 'a setting of the schema (docs/configuration.md)', fix: 'Remove it or correct its name.' });
    }
    const m = /^([\w.]+): (.*?)(?:: value was (.*))?$/.exec(line);
    if (m) {
      // The value itself, not convict's text of it ("-5", '"gpu"'), so that received renders once, typed.
      // Operators carry tokens: their values are never echoed.
      const received = (m[1] ?? '').startsWith('operators') ? '[redacted]' : config.has(m[1] as never) ? config.get(m[1] as never) : (m[3] ?? '(see message)');
      return new ShError('SH_ERR_CONFIG_INVALID', `${m[1]}: ${m[2]}`, { where: m[1], received, expected: m[2], fix: `Set ${m[1]} to a valid value (docs/configuration.md).` });
    }
    return new ShError('SH_ERR_CONFIG_INVALID', line, { where: source });
  });
  return new ShError('SH_ERR_CONFIG_INVALID', `${problems.length} configuration problem(s) in ${source}`, { where: source }, problems);
}
