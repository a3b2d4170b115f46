import path from 'node:path';
import { formatTime, parseTier, ShError, type KillTier } from '../../core/index.js';
import type { HostConfig } from '../config/load-config.js';
import { statusOf } from '../http/control-api.js';
import { SqliteJournal } from '../journal/sqlite-journal.js';
import { openKillSwitch } from '../kill-switch/open-kill-switch.js';
import { ensureDataDir } from '../run-host.js';

/** Open the kill switch of a data dir for one command, with transitions journaled as operator actions. */
function withKillSwitch<T>(config: HostConfig, dataDir: string, use: (kill: ReturnType<typeof openKillSwitch>['controller']) => T): T {
  ensureDataDir(dataDir);
  const journal = new SqliteJournal(path.join(dataDir, config.journal.file));
  const { controller, store } = openKillSwitch(config, dataDir, (from, to, operator, reason) => {
    journal.recordOperatorAction(null, { time: Date.now(), operator, action: 'kill-switch', detail: { from, to, reason } });
  });
  try {
    return use(controller);
  } finally {
    store.close();
    journal.close();
  }
}

/**
 * `kill --tier <tier> --operator <name> --reason <text>` and `kill reset --operator <name>`. Works whether or not a
 * host runs on the data dir: the request is journaled in its database, and a running host picks it up next cycle.
 */
export function killCommand(config: HostConfig, dataDir: string, options: { reset: boolean; tier?: string; operator?: string; reason?: string }): string {
  if (!options.operator) throw new ShError('SH_ERR_CLI_USAGE', 'kill needs --operator <name>', { where: '--operator', received: undefined, expected: 'the name of a configured operator' });
  let tier: KillTier;
  if (options.reset) tier = 'ACTIVE';
  else if (options.tier) tier = parseTier(options.tier, '--tier');
  else throw new ShError('SH_ERR_CLI_USAGE', 'kill needs --tier <tier> (or: kill reset)', { where: '--tier', received: undefined, expected: 'ACTIVE, WARN, THROTTLE, NO_NEW or FLATTEN_ALL' });
  const reason = options.reason ?? (options.reset ? 'reset' : '');
  return withKillSwitch(config, dataDir, (kill) => {
    const before = kill.poll();
    const outcome = kill.operatorRequest(tier, options.operator!, reason, 'cli');
    const state = outcome.state;
    if (outcome.pending) {
      return `kill switch stays ${state.tier}: de-escalation to ${state.pendingResetTo} approved by ${state.resetApprovals.join(', ')}; a second, distinct operator must approve\n`;
    }
    if (!outcome.changed) return `kill switch already ${state.tier}\n`;
    return `kill switch ${before} -> ${state.tier} by ${options.operator}: ${reason}\n`;
  });
}

/** `status [--json]`: the tier (at the top level of the JSON), its history and pending reset approvals. */
export function statusCommand(config: HostConfig, dataDir: string, json: boolean): string {
  return withKillSwitch(config, dataDir, (kill) => {
    kill.poll();
    const status = statusOf(kill);
    if (json) return `${JSON.stringify(status, null, 2)}\n`;
    const state = kill.state();
    const lines = [`kill switch: ${state.tier}`];
    if (state.pendingResetTo) lines.push(`pending de-escalation to ${state.pendingResetTo}: approved by ${state.resetApprovals.join(', ')} (2 distinct operators needed)`);
    lines.push(state.history.length === 0 ? 'history: none' : 'history:');
    for (const t of state.history) lines.push(`  ${formatTime(t.time)}  ${t.from} -> ${t.to}  by ${t.operator}: ${t.reason}`);
    return `${lines.join('\n')}\n`;
  });
}
