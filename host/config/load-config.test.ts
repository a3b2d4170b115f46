import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ShError } from '../../core/index.js';
import { listProfiles, loadConfig, type LoadConfigOptions } from './load-config.js';

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-config-'));
afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));

let fileCount = 0;
/** Write a --config file into the temp dir and return its path. */
function configFile(content: unknown): string {
  fileCount += 1;
  const file = path.join(tempDir, `config-${fileCount}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Load with an empty environment unless one is given, so the machine's variables never leak in. */
function load(options: Partial<LoadConfigOptions> = {}): ReturnType<typeof loadConfig> {
  return loadConfig({ profile: 'demo', env: {}, ...options });
}

function shErrorOf(fn: () => unknown): ShError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShError) return error;
    throw error;
  }
  throw new Error('expected an ShError, nothing was thrown');
}

describe('loadConfig: profiles', () => {
  it('lists the profile files, sorted', () => {
    const profiles = listProfiles();
    expect(profiles).toEqual([...profiles].sort());
    expect(profiles).toEqual(expect.arrayContaining(['backtest', 'demo', 'paper']));
  });

  it.each([
    { profile: 'demo', mode: 'backtest', start: '2017-01-01', end: '2019-12-31', seed: 42, executor: 'auto', snapshotEvery: 20, settings: { 'mean-reversion': { mode: 'shadow' } } },
    { profile: 'backtest', mode: 'backtest', start: '2012-01-01', end: '2019-12-31', seed: 42, executor: 'pool', snapshotEvery: 50, settings: {} },
    { profile: 'paper', mode: 'paper', start: '2019-01-01', end: '2019-12-31', seed: 7, executor: 'auto', snapshotEvery: 1, settings: {} },
  ])('profile $profile loads over the defaults', ({ profile, mode, start, end, seed, executor, snapshotEvery, settings }) => {
    const config = load({ profile });
    expect(config.profile).toBe(profile);
    expect(config.run.mode).toBe(mode);
    expect(config.run.start).toBe(start);
    expect(config.run.end).toBe(end);
    expect(config.run.stateSnapshotEvery).toBe(snapshotEvery);
    expect(config.data.seed).toBe(seed);
    expect(config.executor.kind).toBe(executor);
    expect(config.plugins.settings).toEqual(settings);
    // Untouched by every profile: the schema defaults.
    expect(config.run.capital).toBe(1_000_000);
    expect(config.run.warmupDays).toBe(800);
    expect(config.http.port).toBe(0);
    expect(config.killSwitch.initialTier).toBe('ACTIVE');
    expect(config.allowSubmit).toBe(true);
    expect(config.plugins.dirs).toEqual(['plugins']);
  });

  it('refuses an unknown profile with SH_ERR_CONFIG_PROFILE_UNKNOWN, listing the profiles available', () => {
    const error = shErrorOf(() => load({ profile: 'production' }));
    expect(error.code).toBe('SH_ERR_CONFIG_PROFILE_UNKNOWN');
    expect(error.exitCode).toBe(2);
    expect(error.details.where).toBe('--profile');
    expect(error.details.received).toBe('production');
    for (const name of ['backtest', 'demo', 'paper']) expect(error.details.expected).toContain(name);
    expect(error.details.expected).toBe(`one of ${listProfiles().join(', ')}`);
    expect(error.details.fix).toContain('config/profiles/production.json');
  });
});

describe('loadConfig: precedence defaults < profile < --config file < env < overrides', () => {
  // The profile (demo) sets run.start 2017-01-01 and leaves http.port, killSwitch and allowSubmit at their defaults.
  const file = configFile({ run: { start: '2018-01-01', capital: 2_000_000 }, http: { port: 1111 }, killSwitch: { initialTier: 'WARN' }, allowSubmit: true });

  it.each([
    { name: 'profile over defaults', useFile: false, env: {}, overrides: {}, expected: { start: '2017-01-01', capital: 1_000_000, port: 0, tier: 'ACTIVE', allowSubmit: true } },
    { name: 'file over profile', useFile: true, env: {}, overrides: {}, expected: { start: '2018-01-01', capital: 2_000_000, port: 1111, tier: 'WARN', allowSubmit: true } },
    {
      name: 'env over file',
      useFile: true,
      env: { SH_HTTP_PORT: '2222', KILL_SWITCH: 'no_new', ALLOW_SUBMIT: '0' },
      overrides: {},
      expected: { start: '2018-01-01', capital: 2_000_000, port: 2222, tier: 'NO_NEW', allowSubmit: false },
    },
    {
      name: 'overrides over env',
      useFile: true,
      env: { SH_HTTP_PORT: '2222', KILL_SWITCH: 'NO_NEW', ALLOW_SUBMIT: '0' },
      overrides: { 'http.port': 3333, 'killSwitch.initialTier': 'FLATTEN_ALL', allowSubmit: true, 'run.start': '2018-06-01', 'run.capital': 5_000 },
      expected: { start: '2018-06-01', capital: 5_000, port: 3333, tier: 'FLATTEN_ALL', allowSubmit: true },
    },
    {
      name: 'env over profile without a file',
      useFile: false,
      env: { SH_HTTP_PORT: '9100', KILL_SWITCH: ' throttle ' },
      overrides: {},
      expected: { start: '2017-01-01', capital: 1_000_000, port: 9100, tier: 'THROTTLE', allowSubmit: true },
    },
  ])('$name', ({ useFile, env, overrides, expected }) => {
    const config = load({ ...(useFile ? { configFile: file } : {}), env, overrides });
    expect({
      start: config.run.start,
      capital: config.run.capital,
      port: config.http.port,
      tier: config.killSwitch.initialTier,
      allowSubmit: config.allowSubmit,
    }).toEqual(expected);
  });

  it.each([
    ['0', false],
    ['false', false],
    [' No ', false],
    ['off', false],
    ['1', true],
    ['true', true],
    ['yes', true],
  ])('ALLOW_SUBMIT=%j gives allowSubmit %s', (value, expected) => {
    expect(load({ env: { ALLOW_SUBMIT: value } }).allowSubmit).toBe(expected);
  });

  it('ignores environment variables it does not know', () => {
    const config = load({ env: { HTTP_PORT: '1234', SH_PORT: '4321' } });
    expect(config.http.port).toBe(0);
  });

  it('the profile override cannot be changed by a file: profile is the name asked for', () => {
    const config = load({ configFile: configFile({ profile: 'paper' }) });
    expect(config.profile).toBe('demo');
  });
});

describe('loadConfig: validation lists every problem at once', () => {
  it('reports four bad values as one SH_ERR_CONFIG_INVALID with one problem each', () => {
    const error = shErrorOf(() =>
      load({ overrides: { 'run.capital': -5, 'executor.kind': 'gpu', 'run.colour': 'blue', 'plugins.settings.x.mode': 'on' } }),
    );
    expect(error.code).toBe('SH_ERR_CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('4 configuration problem(s)');
    expect(error.problems).toHaveLength(4);
    expect(error.problems.every((p) => p.code === 'SH_ERR_CONFIG_INVALID')).toBe(true);
    const byWhere = Object.fromEntries(error.problems.map((p) => [p.details.where, p.details]));
    expect(Object.keys(byWhere).sort()).toEqual(['executor.kind', 'plugins.settings.x.mode', 'run.capital', 'run.colour']);
    expect(byWhere['run.capital']).toMatchObject({ received: -5, expected: expect.stringContaining('positive') });
    expect(byWhere['executor.kind']).toMatchObject({ received: 'gpu', expected: expect.stringContaining('"inline"') });
    expect(byWhere['run.colour']).toMatchObject({ received: 'run.colour', expected: expect.stringContaining('setting of the schema') });
    expect(byWhere['plugins.settings.x.mode']).toMatchObject({ received: 'on', expected: 'one of disabled, shadow, canary, live' });
  });

  it('renders the received values once, not quoted twice', () => {
    const error = shErrorOf(() => load({ overrides: { 'executor.kind': 'gpu', 'run.capital': -5 } }));
    const text = error.render();
    expect(text).toContain('received: "gpu"');
    expect(text).toContain('received: -5');
    expect(text).not.toContain('\\"gpu\\"');
  });

  it('gathers problems from the --config file and the command line into one error naming both sources', () => {
    const file = configFile({
      run: { capital: -5, end: 'yesterday', capitol: 3 },
      plugins: { settings: { tsmom: { mode: 'sometimes', weight: 2 }, gold: 7 } },
    });
    const error = shErrorOf(() => load({ configFile: file, overrides: { 'executor.kind': 'gpu' } }));
    expect(error.code).toBe('SH_ERR_CONFIG_INVALID');
    expect(error.details.where).toBe(`profile demo + ${file}`);
    const problems = error.problems.map((p) => [p.details.where, p.details.received]);
    expect(problems).toEqual(
      expect.arrayContaining([
        ['plugins.settings.tsmom.mode', 'sometimes'],
        ['plugins.settings.tsmom.weight', 'weight'],
        ['plugins.settings.gold', 7],
        ['run.capital', -5],
        ['run.end', 'yesterday'],
        ['run.capitol', 'run.capitol'],
        ['executor.kind', 'gpu'],
      ]),
    );
    expect(error.problems).toHaveLength(7);
  });

  it('lists a bad plugin entry once even when several flags name it', () => {
    const error = shErrorOf(() => load({ overrides: { 'plugins.settings.tsmom.mode': 'on', 'plugins.settings.tsmom.params.lookbackDays': 100 } }));
    expect(error.problems.map((p) => p.details.where)).toEqual(['plugins.settings.tsmom.mode']);
  });

  it.each([
    { name: 'run.mode not an allowed value', overrides: { 'run.mode': 'live' }, where: 'run.mode', received: 'live' },
    { name: 'allocator fraction above 1', overrides: { 'allocator.maxPluginFraction': 1.5 }, where: 'allocator.maxPluginFraction', received: 1.5 },
    { name: 'http.port out of range', overrides: { 'http.port': 70_000 }, where: 'http.port', received: 70_000 },
    { name: 'kill-switch tier unknown', overrides: { 'killSwitch.initialTier': 'PANIC' }, where: 'killSwitch.initialTier', received: 'PANIC' },
    { name: 'plugin params not an object', overrides: { 'plugins.settings.tsmom.params': 5 }, where: 'plugins.settings.tsmom.params', received: 5 },
  ])('$name -> where $where', ({ overrides, where, received }) => {
    const error = shErrorOf(() => load({ overrides }));
    expect(error.code).toBe('SH_ERR_CONFIG_INVALID');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.details.where).toBe(where);
    expect(error.problems[0]!.details.received).toEqual(received);
  });
});

describe('loadConfig: the --config file', () => {
  it.each([
    { name: 'missing', file: () => path.join(tempDir, 'does-not-exist.json'), message: 'cannot read' },
    { name: 'a directory', file: () => tempDir, message: 'cannot read' },
    { name: 'invalid JSON', file: () => configFile('{ "run": { "capital": 5, } }'), message: 'is not valid JSON' },
    { name: 'JSON but not an object', file: () => configFile('[1, 2]'), message: 'the top level must be an object' },
  ])('$name -> SH_ERR_CONFIG_FILE_UNREADABLE naming the file', ({ file, message }) => {
    const configPath = file();
    const error = shErrorOf(() => load({ configFile: configPath }));
    expect(error.code).toBe('SH_ERR_CONFIG_FILE_UNREADABLE');
    expect(error.exitCode).toBe(2);
    expect(error.details.where).toBe(configPath);
    expect(error.message).toContain(configPath);
    expect(error.message).toContain(message);
  });
});

describe('loadConfig: plugins.settings merge across profile, file and overrides', () => {
  it('merges modes and params per plugin, key by key, the later layer winning', () => {
    const file = configFile({
      plugins: {
        settings: {
          tsmom: { mode: 'canary', params: { lookbackDays: 126, volDays: 30 } },
          'mean-reversion': { params: { meanDays: 15 } },
        },
      },
    });
    const config = load({
      configFile: file,
      overrides: { 'plugins.settings.tsmom.params.lookbackDays': 200, 'plugins.settings.gold-silver-ratio.mode': 'disabled' },
    });
    expect(config.plugins.settings).toEqual({
      // mode from the demo profile, params from the file
      'mean-reversion': { mode: 'shadow', params: { meanDays: 15 } },
      // lookbackDays from the command line, volDays kept from the file
      tsmom: { mode: 'canary', params: { lookbackDays: 200, volDays: 30 } },
      'gold-silver-ratio': { mode: 'disabled' },
    });
  });

  it('a file can change the mode the profile set without dropping other entries', () => {
    const config = load({ configFile: configFile({ plugins: { settings: { 'mean-reversion': { mode: 'live' } }, defaultMode: 'shadow' } }) });
    expect(config.plugins.settings).toEqual({ 'mean-reversion': { mode: 'live' } });
    expect(config.plugins.defaultMode).toBe('shadow');
  });

  it('leaves the profile alone between loads (no shared state)', () => {
    load({ overrides: { 'plugins.settings.tsmom.mode': 'disabled' } });
    expect(load().plugins.settings).toEqual({ 'mean-reversion': { mode: 'shadow' } });
  });
});
