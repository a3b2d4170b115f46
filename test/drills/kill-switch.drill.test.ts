import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Position } from '../../core/index.js';
import { KillSwitchController } from '../../host/kill-switch/controller.js';
import { KillSwitchStore } from '../../host/kill-switch/kill-switch-store.js';
import { REPO_ROOT } from '../../host/paths.js';
import { engineRig, realPlugins, tempDir } from '../integration/fixtures.js';

/** A controller on a fresh data dir with a flag file path of its own. */
function killSwitchIn(dir: string): { controller: KillSwitchController; flag: string } {
  const flag = path.join(dir, 'KILL.flag');
  const controller = new KillSwitchController(new KillSwitchStore(path.join(dir, 'kill.sqlite')), { operators: ['alice', 'bob'], flagFile: flag });
  return { controller, flag };
}

describe('drill: KILL.flag during a paper run', () => {
  it('NO_NEW written mid-run stops every risk-increasing order from the next cycle on', async () => {
    const dir = tempDir();
    const { controller, flag } = killSwitchIn(dir);
    const FLAG_AT = 30;
    const rig = await engineRig({
      plugins: await realPlugins(),
      from: '2018-01-01',
      to: '2018-06-30',
      settings: { mode: 'paper' },
      killSwitch: controller,
      afterCycle: (c) => {
        if (c.cycle === FLAG_AT) fs.writeFileSync(flag, 'NO_NEW\n');
      },
    });
    const summary = await rig.engine.run();
    expect(summary.tier).toBe('NO_NEW');
    const intents = rig.journal.intents(rig.runId);
    const before = intents.filter((i) => i.cycle <= FLAG_AT);
    const after = intents.filter((i) => i.cycle > FLAG_AT);
    expect(before.length).toBeGreaterThan(0);
    // Every order sent after the flag reduces a position (no new risk); the chain rejected the others.
    for (const i of after) {
      const signedAfter = i.positionBefore + (i.side === 'buy' ? i.quantity : -i.quantity);
      expect(Math.abs(signedAfter), `${i.clientOrderId} ${i.side} ${i.quantity} from ${i.positionBefore}`).toBeLessThanOrEqual(Math.abs(i.positionBefore));
    }
    const rejected = rig.journal.riskDecisions(rig.runId).filter((d) => d.cycle > FLAG_AT && d.guard === 'kill-switch' && d.result === 'reject');
    expect(rejected.length).toBeGreaterThan(0);
  });

  it('FLATTEN_ALL leaves zero positions at the broker one cycle after it is noticed', async () => {
    const dir = tempDir();
    const { controller, flag } = killSwitchIn(dir);
    const FLAG_AT = 40;
    const positionsAt = new Map<number, Position[]>();
    let rig: Awaited<ReturnType<typeof engineRig>> | undefined;
    rig = await engineRig({
      plugins: await realPlugins(),
      from: '2018-01-01',
      to: '2018-06-30',
      settings: { mode: 'paper' },
      killSwitch: controller,
      afterCycle: (c) => {
        if (c.cycle === FLAG_AT) fs.writeFileSync(flag, '');
        if (c.cycle >= FLAG_AT && c.cycle <= FLAG_AT + 3) void rig!.broker.positions().then((p) => positionsAt.set(c.cycle, p));
      },
    });
    await rig.engine.run();
    expect(positionsAt.get(FLAG_AT)!.length).toBeGreaterThan(0);
    // Noticed at the start of cycle FLAG_AT + 1: flatten orders go out; they fill at the next bar (cycle FLAG_AT + 2).
    expect(positionsAt.get(FLAG_AT + 2)).toEqual([]);
    expect(positionsAt.get(FLAG_AT + 3)).toEqual([]);
    expect(await rig.broker.positions()).toEqual([]);
  });
});

describe('drill: reset needs two operators (through the CLI)', () => {
  it('one operator changes nothing; a second, distinct one resets', () => {
    const dir = tempDir();
    const configFile = path.join(dir, 'operators.json');
    fs.writeFileSync(configFile, JSON.stringify({ operators: [{ name: 'alice', token: 'alice-token-0123456789' }, { name: 'bob', token: 'bob-token-0123456789ab' }] }));
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'strategy-host.js'), ...args, '--data-dir', path.join(dir, 'data'), '--config', configFile], { cwd: dir, encoding: 'utf8' });
    const tier = (): string => JSON.parse(cli('status', '--json').stdout).tier;
    expect(cli('kill', '--tier', 'FLATTEN_ALL', '--operator', 'alice', '--reason', 'drill').status).toBe(0);
    expect(tier()).toBe('FLATTEN_ALL');
    expect(cli('kill', 'reset', '--operator', 'alice').stdout).toMatch(/a second, distinct operator must approve/);
    expect(cli('kill', 'reset', '--operator', 'alice').status).toBe(0);
    expect(tier()).toBe('FLATTEN_ALL');
    const unknown = cli('kill', 'reset', '--operator', 'mallory');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('SH_ERR_KILL_OPERATOR_UNKNOWN');
    expect(tier()).toBe('FLATTEN_ALL');
    expect(cli('kill', 'reset', '--operator', 'bob', '--reason', 'drill over').stdout).toMatch(/FLATTEN_ALL -> ACTIVE/);
    const status = JSON.parse(cli('status', '--json').stdout);
    expect(status.tier).toBe('ACTIVE');
    expect(status.history.map((h: { operator: string }) => h.operator)).toEqual(['alice', 'alice + bob']);
  });
});
