import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  prepareStrategy,
  resolveParams,
  ShError,
  validateManifest,
  type AnyStrategy,
  type PluginMode,
  type PreparedStrategy,
} from '../../core/index.js';
import type { PluginSetting } from '../../config/schema.js';
import { fromRoot } from '../paths.js';

/** A plugin found on disk or named in config, with its module path and definition. */
export interface DiscoveredPlugin {
  readonly modulePath: string;
  readonly definition: AnyStrategy;
}

/** A plugin ready to run: mode and params resolved and validated. */
export interface LoadedPlugin extends DiscoveredPlugin {
  readonly id: string;
  readonly mode: PluginMode;
  readonly params: Readonly<Record<string, unknown>>;
  readonly prepared: PreparedStrategy;
}

export interface LoaderOptions {
  readonly dirs: readonly string[];
  readonly paths: readonly string[];
  readonly settings: Readonly<Record<string, PluginSetting>>;
  readonly defaultMode: PluginMode;
}

/** The module file of each plugin folder under the given dirs: <dir>/<id>/index.ts. */
export function discoverModulePaths(dirs: readonly string[]): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    const root = fromRoot(dir);
    if (!fs.existsSync(root)) {
      throw new ShError('SH_ERR_PLUGIN_LOAD_FAILED', `plugin folder ${dir} does not exist`, { where: 'plugins.dirs', received: dir, expected: 'an existing folder, relative to the repository root or absolute' });
    }
    for (const entry of fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      for (const name of ['index.ts', 'index.js']) {
        const file = path.join(root, entry.name, name);
        if (fs.existsSync(file)) {
          found.push(file);
          break;
        }
      }
    }
  }
  return found;
}

/** Import a plugin module and return its default export. */
export async function importPlugin(modulePath: string): Promise<unknown> {
  const mod = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
  return mod.default;
}

/**
 * Discover and import every plugin, validate every manifest, refuse duplicate ids and unknown api versions,
 * then resolve modes and params from settings. Every problem across all plugins is reported at once.
 */
export async function loadPlugins(options: LoaderOptions): Promise<LoadedPlugin[]> {
  const modulePaths = [...discoverModulePaths(options.dirs), ...options.paths.map((p) => fromRoot(p))];
  const problems: ShError[] = [];
  const discovered: DiscoveredPlugin[] = [];
  const byId = new Map<string, string>();
  for (const modulePath of [...new Set(modulePaths)]) {
    let definition: unknown;
    try {
      definition = await importPlugin(modulePath);
    } catch (error) {
      problems.push(new ShError('SH_ERR_PLUGIN_LOAD_FAILED', `cannot import plugin module: ${(error as Error).message.split('\n')[0]}`, { where: modulePath, received: (error as Error).name, expected: 'a module that default-exports defineStrategy({...})' }));
      continue;
    }
    const manifestProblems = validateManifest(definition, modulePath);
    if (manifestProblems.length > 0) {
      problems.push(...manifestProblems);
      continue;
    }
    const d = definition as AnyStrategy;
    const previous = byId.get(d.id);
    if (previous) {
      problems.push(new ShError('SH_ERR_PLUGIN_DUPLICATE_ID', `plugin id ${d.id} is declared twice`, { where: modulePath, received: d.id, expected: `an id not already used by ${previous}` }));
      continue;
    }
    byId.set(d.id, modulePath);
    discovered.push({ modulePath, definition: d });
  }
  for (const id of Object.keys(options.settings)) {
    if (!byId.has(id)) {
      problems.push(new ShError('SH_ERR_PLUGIN_UNKNOWN', `config names plugin ${id}, which no module defines`, {
        where: `plugins.settings.${id}`,
        received: id,
        expected: `one of ${[...byId.keys()].sort().join(', ') || '(no plugins found)'}`,
      }));
    }
  }
  const loaded: LoadedPlugin[] = [];
  for (const { modulePath, definition } of discovered) {
    const setting = options.settings[definition.id] ?? {};
    const mode = setting.mode ?? options.defaultMode;
    const { params, problems: paramProblems } = resolveParams(definition.params, setting.params, `plugins.settings.${definition.id}.params`);
    if (paramProblems.length > 0) {
      problems.push(...paramProblems);
      continue;
    }
    try {
      loaded.push({ id: definition.id, modulePath, definition, mode, params, prepared: prepareStrategy(definition, params) });
    } catch (error) {
      if (error instanceof ShError) problems.push(error);
      else throw error;
    }
  }
  if (problems.length > 0) {
    throw new ShError(problems[0]!.code, `${problems.length} plugin problem(s); nothing was run`, { where: 'plugins' }, problems);
  }
  return loaded;
}
