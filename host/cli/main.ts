import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isShError, ShError } from '../../core/index.js';
import { loadConfig, type HostConfig } from '../config/load-config.js';
import { renderSummary } from '../engine/summary.js';
import { runHost } from '../run-host.js';
import { describePlugin, listPlugins } from './plugins-command.js';
import { newPlugin } from './new-plugin.js';
import { killCommand, statusCommand } from './kill-command.js';
import { venueCommand } from '../venue/venue-command.js';
import { describeModel, fitModelCommand, listModels } from '../models/models-command.js';
import { reconcileCommand } from '../reconcile/reconcile-command.js';
import { watchdogCommand } from '../watchdog/watchdog-command.js';

export const USAGE = `strategy-host <command> [options]

Commands:
  run --profile <name>        run a profile (demo, backtest, paper): a backtest or paper trading on a replayed clock
      [--summary <file>]      also write the summary as JSON
      [--http-port <n>]       serve /metrics and /healthz while running
      [--executor pool|inline|auto]
      [--set <path>=<value>]  override any setting (repeatable), e.g. --set run.end=2018-12-31
  plugins list [--json]       list the plugins found, with their mode under the profile
  plugins describe <id>       show a plugin's summary, params (bounds, defaults) and data needs
  new-plugin <id>             copy plugin-template/ to plugins/<id>, ready to load
  models list [--json]        the registered models: id, version, training window, features, sha256 (checked)
  models describe <id>        a registered model's card
  models fit <model-id> --until <date> [--data synthetic|real] [--as <id>]
                              fit a model on data strictly before the cutoff, write ONNX + card into the registry's
                              folder and register it (docs/models.md)
  kill --tier <tier> --operator <name> --reason <text>
                              raise (or, with a second operator, lower) the kill-switch tier of --data-dir
  kill reset --operator <name> [--reason <text>]
                              approve a reset to ACTIVE: from NO_NEW or FLATTEN_ALL two distinct operators must
  status [--json]             the kill-switch tier, its history and pending reset approvals
  venue --port <n> --data-dir <dir> [--initial-cash <amount>]
                              run the paper venue (Alpaca trading REST subset on 127.0.0.1, durable state) until
                              SIGTERM/SIGINT; key pair from SH_VENUE_KEY_ID / SH_VENUE_SECRET_KEY (docs/venue.md)
  reconcile [--json] [--policy adopt|halt] [--tolerance <notional>] [--venue-url <url>]
                              one reconciliation pass of the configured broker against the journal of --data-dir;
                              exit 0 within tolerance, 1 beyond (and the kill switch goes to NO_NEW)
  watchdog [--deadline-ms 10000] [--poll-ms 500] [--venue-url <url>]
                              watch the heartbeat of the host on --data-dir; when it goes stale, cancel and flatten
                              through the broker directly and raise the kill switch to FLATTEN_ALL (docs/execution.md)

Global options:
  --data-dir <dir>            journal and state (default: .data in the working directory)
  --config <file>             a JSON file merged over the profile, validated like the rest
  --profile <name>            profile for plugins list/describe too (default demo)
  --help`;

const OPTIONS = {
  profile: { type: 'string' },
  summary: { type: 'string' },
  'http-port': { type: 'string' },
  executor: { type: 'string' },
  set: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  tier: { type: 'string' },
  operator: { type: 'string' },
  reason: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  'initial-cash': { type: 'string' },
  policy: { type: 'string' },
  tolerance: { type: 'string' },
  'venue-url': { type: 'string' },
  'deadline-ms': { type: 'string' },
  'poll-ms': { type: 'string' },
  config: { type: 'string' },
  until: { type: 'string' },
  data: { type: 'string' },
  as: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Run the CLI with argv (without node and script); returns the exit code. Output goes through the writers. */
export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new ShError('SH_ERR_CLI_USAGE', (error as Error).message, { where: 'command line', received: argv.join(' '), expected: 'see strategy-host --help' });
    }
    const { values, positionals } = parsed;
    const [command, sub, arg] = positionals;
    if (values.help || command === undefined || command === 'help') {
      out(`${USAGE}\n`);
      return 0;
    }
    const dataDir = path.resolve(values['data-dir'] ?? '.data');
    const config = (): HostConfig => loadConfig({ profile: values.profile ?? 'demo', ...(values.config ? { configFile: values.config } : {}), overrides: overrides(values) });
    switch (command) {
      case 'run': {
        if (!values.profile) throw new ShError('SH_ERR_CLI_USAGE', 'run needs --profile', { where: 'run', received: undefined, expected: '--profile demo|backtest|paper' });
        const summary = await runHost({ config: config(), dataDir, log: (line) => err(`${line}\n`) });
        out(`${renderSummary(summary)}\n`);
        if (values.summary) {
          fs.mkdirSync(path.dirname(path.resolve(values.summary)), { recursive: true });
          fs.writeFileSync(values.summary, `${JSON.stringify(summary, null, 2)}\n`);
          err(`summary written to ${values.summary}\n`);
        }
        return 0;
      }
      case 'plugins': {
        if (sub === 'list') {
          out(await listPlugins(config(), values.json ?? false));
          return 0;
        }
        if (sub === 'describe' && arg) {
          out(await describePlugin(config(), arg));
          return 0;
        }
        throw new ShError('SH_ERR_CLI_USAGE', `unknown plugins subcommand ${JSON.stringify(sub ?? '')}`, { where: 'plugins', received: sub, expected: 'list [--json] | describe <id>' });
      }
      case 'models': {
        if (sub === 'list') {
          out(await listModels(config(), values.json ?? false));
          return 0;
        }
        if (sub === 'describe' && arg) {
          out(await describeModel(config(), arg));
          return 0;
        }
        if (sub === 'fit') {
          out(await fitModelCommand(config(), arg, { until: values.until, data: values.data, as: values.as }, (line) => err(`${line}\n`)));
          return 0;
        }
        throw new ShError('SH_ERR_CLI_USAGE', `unknown models subcommand ${JSON.stringify(sub ?? '')}`, { where: 'models', received: sub, expected: 'list [--json] | describe <id> | fit <model-id> --until <date>' });
      }
      case 'new-plugin': {
        if (!sub) throw new ShError('SH_ERR_CLI_USAGE', 'new-plugin needs an id', { where: 'new-plugin', received: undefined, expected: 'a kebab-case id, e.g. new-plugin copper-trend' });
        out(await newPlugin(sub, config()));
        return 0;
      }
      case 'kill': {
        if (sub !== undefined && sub !== 'reset') throw new ShError('SH_ERR_CLI_USAGE', `unknown kill subcommand ${JSON.stringify(sub)}`, { where: 'kill', received: sub, expected: 'kill --tier <tier> ... | kill reset --operator <name>' });
        out(killCommand(config(), dataDir, { reset: sub === 'reset', ...pick(values, ['tier', 'operator', 'reason']) }));
        return 0;
      }
      case 'status':
        out(statusCommand(config(), dataDir, values.json ?? false));
        return 0;
      case 'venue':
        return await venueCommand({ port: values.port, dataDir: values['data-dir'], initialCash: values['initial-cash'], log: (line) => err(`${line}\n`) });
      case 'reconcile': {
        const result = await reconcileCommand(config(), dataDir, { json: values.json ?? false, ...pick(values, ['policy', 'tolerance']), ...(values['venue-url'] ? { venueUrl: values['venue-url'] } : {}), log: (line) => err(`${line}\n`) });
        out(result.output);
        return result.exitCode;
      }
      case 'watchdog':
        return await watchdogCommand(config(), dataDir, { ...(values['deadline-ms'] ? { deadlineMs: values['deadline-ms'] } : {}), ...(values['poll-ms'] ? { pollMs: values['poll-ms'] } : {}), ...(values['venue-url'] ? { venueUrl: values['venue-url'] } : {}), log: (line) => err(`${line}\n`) });
      default:
        throw new ShError('SH_ERR_CLI_USAGE', `unknown command ${JSON.stringify(command)}`, { where: 'command', received: command, expected: 'run, plugins, new-plugin, kill, status, venue, reconcile, watchdog, models' });
    }
  } catch (error) {
    if (isShError(error)) {
      err(`${error.render()}\n`);
      return error.exitCode;
    }
    err(`internal error: ${(error as Error).message}\n`);
    if (process.env.SH_DEBUG) err(`${(error as Error).stack}\n`);
    else err('(set SH_DEBUG=1 for the stack trace; please report this)\n');
    return 1;
  }
}

function pick<K extends string>(values: Partial<Record<K, unknown>>, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) if (typeof values[k] === 'string') out[k] = values[k] as string;
  return out;
}

function overrides(values: { 'http-port'?: string; executor?: string; set?: string[] }): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (values['http-port'] !== undefined) result['http.port'] = cliNumber('--http-port', values['http-port']);
  if (values.executor !== undefined) result['executor.kind'] = values.executor;
  for (const item of values.set ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new ShError('SH_ERR_CLI_USAGE', `--set needs <path>=<value>`, { where: '--set', received: item, expected: 'e.g. --set run.end=2018-12-31' });
    const raw = item.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    result[item.slice(0, at)] = value;
  }
  return result;
}

function cliNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ShError('SH_ERR_CLI_USAGE', `${flag} needs a port number`, { where: flag, received: text, expected: 'an integer 0..65535' });
  return n;
}

const invokedDirectly = process.argv[1] !== undefined && /main\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
