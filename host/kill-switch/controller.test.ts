import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/integration/fixtures.js';
import { KillSwitchController } from './controller.js';
import { KillSwitchStore } from './kill-switch-store.js';

function open(dir: string): { controller: KillSwitchController; store: KillSwitchStore; flag: string; transitions: string[] } {
  const store = new KillSwitchStore(path.join(dir, 'journal.sqlite'));
  const flag = path.join(dir, 'KILL.flag');
  const transitions: string[] = [];
  const controller = new KillSwitchController(store, { operators: ['alice', 'bob'], flagFile: flag, now: () => 1000, onTransition: (from, to, by) => transitions.push(`${from}->${to} by ${by}`) });
  return { controller, store, flag, transitions };
}

describe('kill-switch controller', () => {
  it.each([
    ['', 'FLATTEN_ALL'],
    ['NO_NEW', 'NO_NEW'],
    ['throttle\nbecause of a test', 'THROTTLE'],
    ['nonsense', 'FLATTEN_ALL'],
  ])('a flag file with content %j raises the tier to %s', (content, tier) => {
    const { controller, flag } = open(tempDir());
    fs.writeFileSync(flag, content);
    expect(controller.poll()).toBe(tier);
  });

  it('without a flag file nothing changes', () => {
    expect(open(tempDir()).controller.poll()).toBe('ACTIVE');
  });

  it('automatic sources only escalate: a lower flag file does not lower the tier', () => {
    const { controller, flag } = open(tempDir());
    controller.operatorRequest('FLATTEN_ALL', 'alice', 'drill', 'cli');
    fs.writeFileSync(flag, 'WARN');
    expect(controller.poll()).toBe('FLATTEN_ALL');
    expect(controller.escalate('NO_NEW', 'breaker', 'breaker').changed).toBe(false);
  });

  it('a request written by another process (the CLI) is picked up by poll, and the state survives a reopen', () => {
    const dir = tempDir();
    const host = open(dir);
    const cli = open(dir);
    cli.controller.operatorRequest('NO_NEW', 'alice', 'from the CLI', 'cli');
    expect(host.controller.poll()).toBe('NO_NEW');
    expect(host.transitions).toEqual(['ACTIVE->NO_NEW by alice']);
    host.store.close();
    cli.store.close();
    expect(open(dir).controller.poll()).toBe('NO_NEW');
  });

  it('reset needs two distinct configured operators; an unknown operator is refused with its code', () => {
    const { controller } = open(tempDir());
    controller.operatorRequest('FLATTEN_ALL', 'alice', 'drill', 'cli');
    expect(controller.operatorRequest('ACTIVE', 'alice', 'reset', 'cli')).toMatchObject({ changed: false, pending: true });
    expect(() => controller.operatorRequest('ACTIVE', 'mallory', 'reset', 'cli')).toThrowError(expect.objectContaining({ code: 'SH_ERR_KILL_OPERATOR_UNKNOWN' }));
    expect(controller.poll()).toBe('FLATTEN_ALL');
    expect(controller.operatorRequest('ACTIVE', 'bob', 'reset', 'cli')).toMatchObject({ changed: true, pending: false });
    expect(controller.state().tier).toBe('ACTIVE');
  });

  it('a request needs a reason', () => {
    expect(() => open(tempDir()).controller.operatorRequest('NO_NEW', 'alice', '  ', 'cli')).toThrowError(expect.objectContaining({ code: 'SH_ERR_CLI_USAGE' }));
  });
});
