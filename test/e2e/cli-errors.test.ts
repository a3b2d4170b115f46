import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real CLI as a user runs it: `node bin/strategy-host.js ...` in a child process, from the repository root,
 * with none of the host's environment variables set. Errors must exit 2 with the code, the path and the value on
 * stderr, and never a stack trace.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STACK_LINE = /^\s+at\s/m;
const HOST_VARIABLES = /^(SH_|KILL_SWITCH$|ALLOW_SUBMIT$)/;

interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): CliResult {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !HOST_VARIABLES.test(key)));
  const result = spawnSync(process.execPath, ['bin/strategy-host.js', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let tempDir: string;
let dataDir: string;
let regularFile: string;
let csvConfig: string;

const SYMBOLS = ['GLD', 'SLV', 'PPLT', 'IAU', 'GDX'];
const HEADER = 'date,open,high,low,close,adj_close,volume,dividends';
const GOOD_ROWS = ['2018-01-02,41.5,42.0,41.2,41.8,41.8,1000,0.0', '2018-01-03,41.8,42.3,41.6,42.1,42.1,1200,0.0', '2018-01-04,42.1,42.2,41.0,41.3,41.3,1500,0.0'];
/** Line 5 of GDX.csv (the header is line 1): high 41.2 below low 41.5. */
const BAD_ROW = '2018-01-05,41.3,41.2,41.5,41.3,41.3,1500,0.0';

beforeAll(() => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-cli-'));
  dataDir = path.join(tempDir, 'data');
  regularFile = path.join(tempDir, 'not-a-directory.txt');
  fs.writeFileSync(regularFile, 'a regular file\n');

  // A csv catalog covering every bar the demo plugins read, one file with a bad row.
  const catalogDir = path.join(tempDir, 'catalog');
  fs.mkdirSync(catalogDir);
  for (const symbol of SYMBOLS) {
    const rows = symbol === 'GDX' ? [...GOOD_ROWS, BAD_ROW] : GOOD_ROWS;
    fs.writeFileSync(path.join(catalogDir, `${symbol}.csv`), `${[HEADER, ...rows].join('\n')}\n`);
  }
  const catalog = {
    root: '.',
    series: SYMBOLS.map((symbol) => ({ id: `bar:${symbol}`, file: `${symbol}.csv`, format: 'bar', availability: 'close' })),
  };
  fs.writeFileSync(path.join(catalogDir, 'catalog.json'), JSON.stringify(catalog, null, 2));
  csvConfig = path.join(tempDir, 'csv-config.json');
  // Only the foundation plugins, whose bars the small catalog covers: the error must come from the bad row.
  const paths = ['tsmom', 'gold-silver-ratio', 'mean-reversion'].map((id) => `plugins/${id}/index.ts`);
  fs.writeFileSync(csvConfig, JSON.stringify({ data: { source: 'csv', catalog: path.join(catalogDir, 'catalog.json') }, plugins: { dirs: [], paths } }));
});

afterAll(() => {
  fs.rmSync(tempDir, { recursive: true, force: true });
});

describe('strategy-host: errors exit 2 with the code, the path and the value, without a stack trace', () => {
  const cases: { name: string; args: () => string[]; code: string; stderr: () => string[] }[] = [
    {
      name: 'unknown profile',
      args: () => ['run', '--profile', 'nope', '--data-dir', dataDir],
      code: 'SH_ERR_CONFIG_PROFILE_UNKNOWN',
      stderr: () => ['unknown profile "nope"', 'at: --profile', 'received: "nope"', 'expected: one of backtest, demo, paper'],
    },
    {
      name: 'unknown command',
      args: () => ['frobnicate'],
      code: 'SH_ERR_CLI_USAGE',
      stderr: () => ['unknown command "frobnicate"', 'at: command', 'received: "frobnicate"', 'expected: run, plugins, new-plugin'],
    },
    {
      name: 'unknown plugins subcommand',
      args: () => ['plugins', 'remove'],
      code: 'SH_ERR_CLI_USAGE',
      stderr: () => ['unknown plugins subcommand "remove"', 'received: "remove"', 'expected: list [--json] | describe <id>'],
    },
    {
      name: 'unknown option',
      args: () => ['run', '--profile', 'demo', '--turbo'],
      code: 'SH_ERR_CLI_USAGE',
      stderr: () => ["'--turbo'", 'at: command line', 'received: "run --profile demo --turbo"'],
    },
    {
      name: 'run without --profile',
      args: () => ['run', '--data-dir', dataDir],
      code: 'SH_ERR_CLI_USAGE',
      stderr: () => ['run needs --profile', 'at: run', 'expected: --profile demo|backtest|paper'],
    },
    {
      name: '--set without a value',
      args: () => ['run', '--profile', 'demo', '--data-dir', dataDir, '--set', 'run.end'],
      code: 'SH_ERR_CLI_USAGE',
      stderr: () => ['at: --set', 'received: "run.end"'],
    },
    {
      name: '--http-port not a port',
      args: () => ['run', '--profile', 'demo', '--data-dir', dataDir, '--http-port', 'eighty'],
      code: 'SH_ERR_CLI_USAGE',
      stderr: () => ['at: --http-port', 'received: "eighty"', 'expected: an integer 0..65535'],
    },
    {
      name: 'bad config value',
      args: () => ['run', '--profile', 'demo', '--data-dir', dataDir, '--set', 'executor.kind=gpu', '--set', 'run.capital=-5'],
      code: 'SH_ERR_CONFIG_INVALID',
      stderr: () => ['2 configuration problem(s) in profile demo', 'at: executor.kind', 'received: "gpu"', 'at: run.capital', 'received: -5'],
    },
    {
      name: 'missing --config file',
      args: () => ['plugins', 'list', '--config', path.join(tempDir, 'missing.json')],
      code: 'SH_ERR_CONFIG_FILE_UNREADABLE',
      stderr: () => [`at: ${path.join(tempDir, 'missing.json')}`, 'ENOENT'],
    },
    {
      name: 'bad plugin param',
      args: () => ['run', '--profile', 'demo', '--data-dir', dataDir, '--set', 'plugins.settings.tsmom.params.lookbackDays=3'],
      code: 'SH_ERR_PLUGIN_PARAM_INVALID',
      stderr: () => ['at: plugins.settings.tsmom.params.lookbackDays', 'received: 3', 'expected: an integer >= 20 and <= 504'],
    },
    {
      name: 'unknown plugin id in settings',
      args: () => ['run', '--profile', 'demo', '--data-dir', dataDir, '--set', 'plugins.settings.nope.mode=live'],
      code: 'SH_ERR_PLUGIN_UNKNOWN',
      stderr: () => ['config names plugin nope', 'at: plugins.settings.nope', 'received: "nope"', 'gold-silver-ratio', 'mean-reversion', 'tsmom'],
    },
    {
      name: 'plugins describe of an unknown id',
      args: () => ['plugins', 'describe', 'nope'],
      code: 'SH_ERR_PLUGIN_UNKNOWN',
      stderr: () => ['no plugin with id nope', 'at: plugins describe', 'received: "nope"', 'tsmom'],
    },
    {
      name: '--data-dir pointing at a regular file',
      args: () => ['run', '--profile', 'demo', '--data-dir', regularFile],
      code: 'SH_ERR_DATA_DIR_UNWRITABLE',
      stderr: () => [`cannot use data dir ${regularFile}`, 'at: --data-dir', `received: ${JSON.stringify(regularFile)}`],
    },
    {
      name: 'malformed CSV row',
      args: () => ['run', '--profile', 'demo', '--config', csvConfig, '--data-dir', dataDir],
      code: 'SH_ERR_DATA_CSV_INVALID',
      stderr: () => ['GDX.csv line 5', 'rule high>=low', 'at: GDX.csv:5', 'received: {"high":41.2,"low":41.5}', 'expected: high >= low'],
    },
  ];

  it.each(cases)('$name -> exit 2, $code', ({ args, code, stderr }) => {
    const result = cli(...args());
    expect(result.status, result.stderr).toBe(2);
    // The error is the first line that is not an informational log line of the start-up.
    const firstError = result.stderr.split('\n').find((line) => line.startsWith('SH_ERR_'));
    expect(firstError?.startsWith(`${code}: `), result.stderr).toBe(true);
    for (const text of stderr()) expect(result.stderr).toContain(text);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stdout).toBe('');
  });
});

describe('strategy-host: commands that succeed', () => {
  it.each([[['--help']], [['-h']], [['help']], [[]]])('%j prints the usage and exits 0', (args) => {
    const result = cli(...args);
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith('strategy-host <command> [options]')).toBe(true);
    for (const text of ['run --profile <name>', 'plugins list [--json]', 'plugins describe <id>', 'new-plugin <id>', '--data-dir <dir>']) {
      expect(result.stdout).toContain(text);
    }
    expect(result.stderr).toBe('');
  });

  it('plugins list shows each demo plugin with its mode under the profile', () => {
    const result = cli('plugins', 'list');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^id\s+version\s+mode\s+summary$/m);
    expect(result.stdout).toMatch(/^tsmom\s+\d+\.\d+\.\d+\s+live\s+\S/m);
    expect(result.stdout).toMatch(/^gold-silver-ratio\s+\d+\.\d+\.\d+\s+live\s+\S/m);
    // The demo profile puts mean-reversion in shadow.
    expect(result.stdout).toMatch(/^mean-reversion\s+\d+\.\d+\.\d+\s+shadow\s+\S/m);
    expect(result.stdout).toMatch(/^\d+ plugins \(profile demo\)$/m);
  });

  it.each([
    { profile: 'demo', modes: { tsmom: 'live', 'gold-silver-ratio': 'live', 'mean-reversion': 'shadow' } },
    { profile: 'backtest', modes: { tsmom: 'live', 'gold-silver-ratio': 'live', 'mean-reversion': 'live' } },
  ])('plugins list --json --profile $profile is JSON with the ids and their modes', ({ profile, modes }) => {
    const result = cli('plugins', 'list', '--json', '--profile', profile);
    expect(result.status, result.stderr).toBe(0);
    const plugins = JSON.parse(result.stdout) as { id: string; version: string; api: number; mode: string; summary: string; modulePath: string }[];
    const byId = Object.fromEntries(plugins.map((p) => [p.id, p]));
    for (const [id, mode] of Object.entries(modes)) {
      expect(byId[id], id).toMatchObject({ id, mode, api: 1, modulePath: path.join(REPO_ROOT, 'plugins', id, 'index.ts') });
      expect(byId[id]!.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(byId[id]!.summary.length).toBeGreaterThan(0);
    }
  });

  it('plugins describe tsmom shows its params with bounds, defaults and the values in effect', () => {
    const result = cli('plugins', 'describe', 'tsmom');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^tsmom \d+\.\d+\.\d+ \(api 1\), mode live$/m);
    expect(result.stdout).toContain(`module: ${path.join(REPO_ROOT, 'plugins', 'tsmom', 'index.ts')}`);
    expect(result.stdout).toContain('\nparams:\n');
    expect(result.stdout).toContain('  lookbackDays: an integer >= 20 and <= 504; default 252; in effect 252');
    expect(result.stdout).toMatch(/^ {2}universe: an array of symbols.*; default \["GLD","SLV","PPLT","IAU"\]/m);
    expect(result.stdout).toMatch(/^needs:\n {2}bars: GLD, SLV, PPLT, IAU \(\d+ rows\)$/m);
  });

  it('plugins describe shows a value set on the command line as the one in effect', () => {
    const result = cli('plugins', 'describe', 'tsmom', '--set', 'plugins.settings.tsmom.params.lookbackDays=126', '--set', 'plugins.settings.tsmom.mode=canary');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^tsmom \S+ \(api 1\), mode canary$/m);
    expect(result.stdout).toContain('  lookbackDays: an integer >= 20 and <= 504; default 252; in effect 126');
  });
});
