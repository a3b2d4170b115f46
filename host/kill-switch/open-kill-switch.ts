import path from 'node:path';
import type { KillTier } from '../../core/index.js';
import type { HostConfig } from '../config/load-config.js';
import { KillSwitchController } from './controller.js';
import { KillSwitchStore } from './kill-switch-store.js';

/** Open the kill switch of a --data-dir (its journal database) with the configured operators and flag file. */
export function openKillSwitch(config: HostConfig, dataDir: string, onTransition?: (from: KillTier, to: KillTier, operator: string, reason: string) => void): { controller: KillSwitchController; store: KillSwitchStore } {
  const store = new KillSwitchStore(path.join(dataDir, config.journal.file));
  const controller = new KillSwitchController(store, {
    operators: config.operators.map((o) => o.name),
    flagFile: path.resolve(config.killSwitch.flagFile),
    ...(onTransition ? { onTransition } : {}),
  });
  return { controller, store };
}
