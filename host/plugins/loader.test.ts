import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShError, type PluginMode } from '../../core/index.js';
import type { PluginSetting } from '../../config/schema.js';
import { REPO_ROOT } from '../paths.js';
import { discoverModulePaths, loadPlugins, type LoadedPlugin } from './loader.js';

const FIXTURES = 'test/fixtures/plugins';
/** The absolute module path of a fixture, as the loader reports it. */
const modulePath = (subset: string, name: string): string => path.join(REPO_ROOT, FIXTURES, subset, name, 'index.ts');

interface Load {
  readonly subsets?: readonly string[];
  /** Extra modules, as `<subset>/<name>`. */
  readonly paths?: readonly string[];
  readonly settings?: Readonly<Record<string, PluginSetting>>;
  readonly defaultMode?: PluginMode;
}

function load({ subsets = [], paths = [], settings = {}, defaultMode = 'live' }: Load): Promise<LoadedPlugin[]> {
  return loadPlugins({
    dirs: subsets.map((s) => `${FIXTURES}/${s}`),
    paths: paths.map((p) => `${FIXTURES}/${p}/index.ts`),
    settings,
    defaultMode,
  });
}

async function loadError(options: Load): Promise<ShError> {
  try {
    await load(options);
  } catch (error) {
    if (error instanceof ShError) return error;
    throw error;
  }
  throw new Error('expected loadPlugins to throw an ShError');
}

const ALPHA_DEFAULTS = { lookbackDays: 100, threshold: 0.5, allowShort: false, indicator: 'zscore', universe: ['GLD', 'SLV'], label: 'alpha' };

describe('loadPlugins: valid plugins', () => {
  it('discovers <dir>/<name>/index.ts, sorted by folder, ignoring plain files', () => {
    expect(discoverModulePaths([`${FIXTURES}/good`])).toEqual([modulePath('good', 'alpha'), modulePath('good', 'beta')]);
  });

  it('loads each plugin with its defaults and the default mode', async () => {
    const plugins = await load({ subsets: ['good'] });
    expect(plugins.map((p) => [p.id, p.mode, p.modulePath])).toEqual([
      ['fixture-alpha', 'live', modulePath('good', 'alpha')],
      ['fixture-beta', 'live', modulePath('good', 'beta')],
    ]);
    const alpha = plugins[0]!;
    expect(alpha.definition.version).toBe('1.2.3');
    expect(alpha.params).toEqual(ALPHA_DEFAULTS);
    expect(alpha.prepared.needs).toEqual({ bars: ['GLD', 'SLV'], history: 101 });
    expect([...alpha.prepared.universe]).toEqual(['GLD', 'SLV']);
    expect(plugins[1]!.params).toEqual({ windowDays: 10 });
  });

  it('applies modes and params from settings over the defaults', async () => {
    const plugins = await load({
      subsets: ['good'],
      settings: { 'fixture-alpha': { mode: 'canary', params: { lookbackDays: 250, universe: ['IAU'], indicator: 'rsi' } }, 'fixture-beta': { mode: 'disabled' } },
      defaultMode: 'shadow',
    });
    const [alpha, beta] = plugins;
    expect(alpha!.mode).toBe('canary');
    expect(alpha!.params).toEqual({ ...ALPHA_DEFAULTS, lookbackDays: 250, universe: ['IAU'], indicator: 'rsi' });
    expect(alpha!.prepared.needs).toEqual({ bars: ['IAU'], history: 251 });
    expect(beta!.mode).toBe('disabled');
    expect(beta!.params).toEqual({ windowDays: 10 });
  });

  it.each<PluginMode>(['disabled', 'shadow', 'canary', 'live'])('defaultMode %s applies to a plugin without settings', async (mode) => {
    const plugins = await load({ subsets: ['good'], defaultMode: mode });
    expect(plugins.map((p) => p.mode)).toEqual([mode, mode]);
  });

  it('loads a module named both by a dir and by paths once', async () => {
    const plugins = await load({ subsets: ['good'], paths: ['good/alpha'] });
    expect(plugins.map((p) => p.id)).toEqual(['fixture-alpha', 'fixture-beta']);
  });

  it('does not share param arrays between loads', async () => {
    const [first] = await load({ subsets: ['good'] });
    (first!.params.universe as string[]).push('PPLT');
    const [second] = await load({ subsets: ['good'] });
    expect(second!.params.universe).toEqual(['GLD', 'SLV']);
  });
});

describe('loadPlugins: module and manifest problems', () => {
  it('refuses two modules with the same id (SH_ERR_PLUGIN_DUPLICATE_ID), naming both modules', async () => {
    const error = await loadError({ subsets: ['duplicate'] });
    expect(error.code).toBe('SH_ERR_PLUGIN_DUPLICATE_ID');
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem!.code).toBe('SH_ERR_PLUGIN_DUPLICATE_ID');
    expect(problem!.details.received).toBe('fixture-twin');
    expect(problem!.details.where).toBe(modulePath('duplicate', 'second'));
    expect(problem!.details.expected).toContain(modulePath('duplicate', 'first'));
  });

  it('refuses api: 2 with SH_ERR_PLUGIN_API_UNSUPPORTED', async () => {
    const error = await loadError({ subsets: ['api'] });
    expect(error.code).toBe('SH_ERR_PLUGIN_API_UNSUPPORTED');
    expect(error.problems.map((p) => [p.code, p.details.where, p.details.received, p.details.expected])).toEqual([
      ['SH_ERR_PLUGIN_API_UNSUPPORTED', `${modulePath('api', 'future')} (api)`, 2, 'one of the supported api versions: 1'],
    ]);
  });

  it('lists every manifest problem at once', async () => {
    const error = await loadError({ subsets: ['manifest'] });
    const where = modulePath('manifest', 'broken');
    expect(error.code).toBe('SH_ERR_PLUGIN_MANIFEST_INVALID');
    expect(error.message).toContain('4 plugin problem(s)');
    expect(error.problems).toHaveLength(4);
    expect(error.problems.every((p) => p.code === 'SH_ERR_PLUGIN_MANIFEST_INVALID')).toBe(true);
    expect(error.problems.map((p) => ({ where: p.details.where, received: p.details.received, expected: p.details.expected }))).toEqual([
      { where: `${where} (id)`, received: 'Broken_Plugin', expected: 'a kebab-case id such as "gold-silver-ratio"' },
      { where: `${where} (version)`, received: '1.0', expected: 'a semantic version such as "1.0.0"' },
      { where: `${where} (evaluate)`, received: 'undefined', expected: 'a function' },
      { where: `${where} (params.windowDays.default)`, received: 80, expected: 'an integer >= 5 and <= 50' },
    ]);
  });

  it('reports a module that throws at import as SH_ERR_PLUGIN_LOAD_FAILED with the module path', async () => {
    const error = await loadError({ subsets: ['throws'] });
    expect(error.code).toBe('SH_ERR_PLUGIN_LOAD_FAILED');
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem!.details.where).toBe(modulePath('throws', 'boom'));
    expect(problem!.details.received).toBe('TypeError');
    expect(problem!.message).toContain('fixture-boom cannot start: missing model file');
  });

  it('reports a module without a default export as a manifest problem', async () => {
    const error = await loadError({ subsets: ['no-default'] });
    expect(error.problems.map((p) => [p.code, p.details.where, p.details.received])).toEqual([
      ['SH_ERR_PLUGIN_MANIFEST_INVALID', `${modulePath('no-default', 'named')} (default export)`, 'undefined'],
    ]);
  });

  it('reports needs() throwing at load as a fault of that plugin and hook', async () => {
    const error = await loadError({ subsets: ['faulty'] });
    expect(error.problems.map((p) => [p.code, p.details.where])).toEqual([['SH_ERR_PLUGIN_FAULTED', 'fixture-needs-throws (needs)']]);
    expect(error.problems[0]!.message).toContain('no data plan for this fixture');
  });
});

describe('loadPlugins: settings and params', () => {
  it('refuses settings naming an unknown plugin id (SH_ERR_PLUGIN_UNKNOWN), listing the ids found', async () => {
    const error = await loadError({ subsets: ['good'], settings: { 'fixture-gamma': { mode: 'live' } } });
    expect(error.code).toBe('SH_ERR_PLUGIN_UNKNOWN');
    expect(error.problems.map((p) => [p.code, p.details.where, p.details.received, p.details.expected])).toEqual([
      ['SH_ERR_PLUGIN_UNKNOWN', 'plugins.settings.fixture-gamma', 'fixture-gamma', 'one of fixture-alpha, fixture-beta'],
    ]);
  });

  const where = (name: string): string => `plugins.settings.fixture-alpha.params.${name}`;
  it.each([
    { name: 'int below min', params: { lookbackDays: 5 }, at: 'lookbackDays', received: 5, expected: 'an integer >= 20 and <= 500' },
    { name: 'int above max', params: { lookbackDays: 501 }, at: 'lookbackDays', received: 501, expected: 'an integer >= 20 and <= 500' },
    { name: 'int not whole', params: { lookbackDays: 100.5 }, at: 'lookbackDays', received: 100.5, expected: 'an integer >= 20 and <= 500' },
    { name: 'int as a string', params: { lookbackDays: '100' }, at: 'lookbackDays', received: '100', expected: 'an integer >= 20 and <= 500' },
    { name: 'number out of bounds', params: { threshold: 1.5 }, at: 'threshold', received: 1.5, expected: 'a finite number >= 0 and <= 1' },
    { name: 'number NaN', params: { threshold: Number.NaN }, at: 'threshold', received: Number.NaN, expected: 'a finite number >= 0 and <= 1' },
    { name: 'boolean as text', params: { allowShort: 'yes' }, at: 'allowShort', received: 'yes', expected: 'true or false' },
    { name: 'enum value unknown', params: { indicator: 'macd' }, at: 'indicator', received: 'macd', expected: 'one of "zscore", "rsi"' },
    { name: 'symbols empty', params: { universe: [] }, at: 'universe', received: [], expected: 'an array of symbols (at least 1, at most 3)' },
    { name: 'symbols too many', params: { universe: ['A', 'B', 'C', 'D'] }, at: 'universe', received: ['A', 'B', 'C', 'D'], expected: 'an array of symbols (at least 1, at most 3)' },
    { name: 'symbols repeated', params: { universe: ['GLD', 'GLD'] }, at: 'universe', received: ['GLD', 'GLD'], expected: 'an array of symbols (at least 1, at most 3) without duplicates' },
    { name: 'symbols as a string', params: { universe: 'GLD' }, at: 'universe', received: 'GLD', expected: 'an array of symbols (at least 1, at most 3)' },
    { name: 'string not matching', params: { label: 'Alpha 2' }, at: 'label', received: 'Alpha 2', expected: 'a string matching /^[a-z]+$/' },
    {
      name: 'unknown name',
      params: { lookback: 30 },
      at: 'lookback',
      received: 30,
      expected: 'one of lookbackDays, threshold, allowShort, indicator, universe, label',
    },
  ])('$name -> SH_ERR_PLUGIN_PARAM_INVALID at the param path', async ({ params, at, received, expected }) => {
    const error = await loadError({ subsets: ['good'], settings: { 'fixture-alpha': { params } } });
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem!.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(problem!.details.where).toBe(where(at));
    expect(problem!.details.received).toEqual(received);
    expect(problem!.details.expected).toBe(expected);
  });

  it('reports a rule across params that needs() checks as SH_ERR_PLUGIN_PARAM_INVALID, not as a fault', async () => {
    const [loaded] = await load({ subsets: ['cross-param'], settings: { 'fixture-ordered': { params: { fastDays: 50 } } } });
    expect(loaded!.params).toEqual({ fastDays: 50, slowDays: 100 });
    const error = await loadError({ subsets: ['cross-param'], settings: { 'fixture-ordered': { params: { fastDays: 60, slowDays: 40 } } } });
    expect(error.code).toBe('SH_ERR_PLUGIN_PARAM_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.problems.map((p) => [p.code, p.details.where, p.details.received, p.details.expected])).toEqual([
      ['SH_ERR_PLUGIN_PARAM_INVALID', 'plugins.settings.fixture-ordered.params.fastDays', 60, 'an integer less than slowDays (40)'],
    ]);
  });

  it('lists every bad param of one plugin, not just the first', async () => {
    const error = await loadError({ subsets: ['good'], settings: { 'fixture-alpha': { params: { lookbackDays: 1, threshold: -1, indicator: 'macd', lookback: 30 } } } });
    expect(error.problems.map((p) => p.details.where).sort()).toEqual([where('indicator'), where('lookback'), where('lookbackDays'), where('threshold')]);
  });

  it('reports problems across different plugins and kinds in one error', async () => {
    const error = await loadError({
      subsets: ['good', 'duplicate'],
      paths: ['api/future', 'manifest/broken', 'throws/boom'],
      settings: {
        'fixture-alpha': { params: { lookbackDays: 5 } },
        'fixture-beta': { params: { windowDays: 99 } },
        'fixture-gamma': { mode: 'shadow' },
      },
    });
    expect(error.message).toContain('10 plugin problem(s); nothing was run');
    expect(error.details.where).toBe('plugins');
    // The error takes the code of its first problem; the order is: modules in discovery order, then settings, then params.
    expect(error.code).toBe(error.problems[0]!.code);
    const summary = error.problems.map((p) => [p.code, p.details.where]);
    expect(summary).toEqual([
      ['SH_ERR_PLUGIN_DUPLICATE_ID', modulePath('duplicate', 'second')],
      ['SH_ERR_PLUGIN_API_UNSUPPORTED', `${modulePath('api', 'future')} (api)`],
      ['SH_ERR_PLUGIN_MANIFEST_INVALID', `${modulePath('manifest', 'broken')} (id)`],
      ['SH_ERR_PLUGIN_MANIFEST_INVALID', `${modulePath('manifest', 'broken')} (version)`],
      ['SH_ERR_PLUGIN_MANIFEST_INVALID', `${modulePath('manifest', 'broken')} (evaluate)`],
      ['SH_ERR_PLUGIN_MANIFEST_INVALID', `${modulePath('manifest', 'broken')} (params.windowDays.default)`],
      ['SH_ERR_PLUGIN_LOAD_FAILED', modulePath('throws', 'boom')],
      ['SH_ERR_PLUGIN_UNKNOWN', 'plugins.settings.fixture-gamma'],
      ['SH_ERR_PLUGIN_PARAM_INVALID', 'plugins.settings.fixture-alpha.params.lookbackDays'],
      ['SH_ERR_PLUGIN_PARAM_INVALID', 'plugins.settings.fixture-beta.params.windowDays'],
    ]);
  });
});

describe('discoverModulePaths', () => {
  it('a configured plugin folder that does not exist is an error naming it, not silently empty', () => {
    let error: ShError | undefined;
    try {
      discoverModulePaths(['test/fixtures/plugins/does-not-exist']);
    } catch (thrown) {
      error = thrown as ShError;
    }
    expect(error?.code).toBe('SH_ERR_PLUGIN_LOAD_FAILED');
    expect(error?.details).toMatchObject({ where: 'plugins.dirs', received: 'test/fixtures/plugins/does-not-exist' });
  });
});
