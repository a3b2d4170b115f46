import fs from 'node:fs';
import { parseTier, ShError, tierRank, type KillSwitchState, type KillTier } from '../../core/index.js';
import { KillSwitchStore, type KillSource } from './kill-switch-store.js';

export interface KillSwitchOptions {
  /** Names of the configured operators; `--operator` and the HTTP API must name one. */
  readonly operators: readonly string[];
  /** The flag file (absolute path): a bare file means FLATTEN_ALL, its content may name a tier. */
  readonly flagFile: string;
  readonly now?: () => number;
  /** Called after every change of tier. */
  readonly onTransition?: (from: KillTier, to: KillTier, operator: string, reason: string) => void;
}

export interface KillOutcome {
  readonly state: KillSwitchState;
  readonly changed: boolean;
  /** A de-escalation waiting for a second, distinct operator. */
  readonly pending: boolean;
}

/**
 * The kill-switch controller: the one way the tier changes. Operators (CLI, HTTP) may escalate and, two of them
 * agreeing, de-escalate; automatic sources (flag file, environment at start, breakers) only escalate. Every request is
 * journaled with who, why and when before it takes effect.
 */
export class KillSwitchController {
  private readonly now: () => number;
  private tier: KillTier;

  constructor(
    private readonly store: KillSwitchStore,
    private readonly options: KillSwitchOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.tier = store.state().tier;
  }

  state(): KillSwitchState {
    return this.store.state();
  }

  /** Pick up requests other processes (the CLI) wrote, and the flag file; returns the tier in force. */
  poll(): KillTier {
    this.store.refresh();
    this.checkFlagFile();
    this.notice();
    return this.tier;
  }

  /** An operator's request: escalation is immediate, de-escalation from NO_NEW or above needs two operators. */
  operatorRequest(tier: KillTier, operator: string, reason: string, source: 'cli' | 'http'): KillOutcome {
    if (!this.options.operators.includes(operator)) {
      throw new ShError('SH_ERR_KILL_OPERATOR_UNKNOWN', `operator ${JSON.stringify(operator)} is not configured`, {
        where: '--operator',
        received: operator,
        expected: this.options.operators.length > 0 ? `one of the configured operators (${this.options.operators.length})` : 'a configured operator: none is configured',
        fix: 'Add { "name": ..., "token": ... } to operators in the --config file, or use a configured name.',
      });
    }
    if (reason.trim() === '') throw new ShError('SH_ERR_CLI_USAGE', 'a kill-switch request needs a reason', { where: '--reason', received: reason, expected: 'a short text saying why' });
    const outcome = this.store.append({ time: this.now(), tier, operator, reason, source });
    this.notice();
    return outcome;
  }

  /** An automatic escalation (breaker, flag file, environment). Never lowers the tier; a no-op at or above it. */
  escalate(tier: KillTier, reason: string, source: Exclude<KillSource, 'cli' | 'http'>): KillOutcome {
    const state = this.store.refresh();
    if (tierRank(tier) <= tierRank(state.tier)) return { state, changed: false, pending: false };
    const outcome = this.store.append({ time: this.now(), tier, operator: `system:${source}`, reason, source });
    this.notice();
    return outcome;
  }

  /** Escalate to the tier a present flag file names (empty: FLATTEN_ALL). Unreadable or unknown content: FLATTEN_ALL. */
  checkFlagFile(): void {
    let content: string;
    try {
      content = fs.readFileSync(this.options.flagFile, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      content = '';
    }
    let tier: KillTier = 'FLATTEN_ALL';
    let note = '';
    if (content !== '') {
      try {
        tier = parseTier(content.split(/\s+/)[0] ?? '', this.options.flagFile);
      } catch {
        note = ` (unrecognised content ${JSON.stringify(content.slice(0, 40))}: FLATTEN_ALL, the safe reading)`;
      }
    }
    this.escalate(tier, `flag file ${this.options.flagFile} present${note}`, 'flag-file');
  }

  private notice(): void {
    const state = this.store.state();
    if (state.tier === this.tier) return;
    const last = state.history[state.history.length - 1];
    const from = this.tier;
    this.tier = state.tier;
    this.options.onTransition?.(from, state.tier, last?.operator ?? 'unknown', last?.reason ?? '');
  }
}
