import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/integration/fixtures.js';
import { REPO_ROOT } from '../paths.js';
import { HEARTBEAT_FILE, HeartbeatWriter, processAlive, readHeartbeat } from './heartbeat.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function dataDir(): string {
  const dir = tempDir('sh-heartbeat-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('HeartbeatWriter', () => {
  it('writes pid, run, time and cycle on demand, and status stopped on a clean stop', () => {
    const dir = dataDir();
    let now = 1000;
    const writer = new HeartbeatWriter({ dataDir: dir, runId: 'r1', pid: 4242, now: () => now });
    expect(readHeartbeat(dir)).toEqual({ state: 'absent' });
    writer.beat(7);
    expect(readHeartbeat(dir)).toEqual({ state: 'present', heartbeat: { pid: 4242, runId: 'r1', time: 1000, cycle: 7, status: 'running' } });
    now = 2000;
    writer.beat();
    expect(readHeartbeat(dir)).toEqual({ state: 'present', heartbeat: { pid: 4242, runId: 'r1', time: 2000, cycle: 7, status: 'running' } });
    writer.stop();
    expect(readHeartbeat(dir)).toMatchObject({ state: 'present', heartbeat: { status: 'stopped', cycle: 7 } });
    // Only the heartbeat is left: the temporary file was renamed over it.
    expect(fs.readdirSync(dir)).toEqual([HEARTBEAT_FILE]);
  });

  it('beats at start and then on a timer that does not keep the process alive', async () => {
    const dir = dataDir();
    const writer = new HeartbeatWriter({ dataDir: dir, runId: 'r1', intervalMs: 10 });
    cleanups.push(() => writer.stop(false));
    writer.start();
    const first = readHeartbeat(dir);
    expect(first).toMatchObject({ state: 'present', heartbeat: { pid: process.pid, status: 'running' } });
    expect((writer as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
    const firstTime = (first as { heartbeat: { time: number } }).heartbeat.time;
    await expect.poll(() => (readHeartbeat(dir) as { heartbeat: { time: number } }).heartbeat.time, { timeout: 5000 }).toBeGreaterThan(firstTime);
  });

  it('is atomic: a reader never sees half a heartbeat while another process beats as fast as it can', async () => {
    const dir = dataDir();
    const beats = 2000;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('host', 'watchdog', 'fixtures', 'beating-host.ts'), dir, 'r-stress', '1000', String(beats)], { cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    cleanups.push(() => child.kill('SIGKILL'));
    const seen = { present: 0, malformed: [] as string[], cycles: new Set<number>() };
    const deadline = Date.now() + 60_000;
    // A synchronous loop: reads as often as the machine allows until the writer's last beat shows up.
    while (Date.now() < deadline) {
      const reading = readHeartbeat(dir);
      if (reading.state === 'malformed') seen.malformed.push(reading.problem);
      if (reading.state !== 'present') continue;
      seen.present += 1;
      seen.cycles.add(reading.heartbeat.cycle);
      if (reading.heartbeat.cycle === beats - 1) break;
    }
    expect(await exited).toBe(0);
    expect(seen.malformed).toEqual([]);
    expect(seen.cycles.has(beats - 1)).toBe(true);
    // The reader overlapped the writer: it saw many distinct beats, not just the last.
    expect(seen.cycles.size).toBeGreaterThan(10);
  });

  it('refuses an interval that is not a positive number of ms', () => {
    expect(() => new HeartbeatWriter({ dataDir: dataDir(), runId: 'r1', intervalMs: 0 })).toThrow(expect.objectContaining({ code: 'SH_ERR_CONFIG_INVALID' }));
  });
});

describe('readHeartbeat', () => {
  it.each([
    ['not JSON', '{"pid": 1,', /not JSON/],
    ['a field missing', '{"pid": 1, "runId": "r1", "time": 5}', /expected \{ pid, runId, time, cycle, status \}/],
    ['an unknown status', '{"pid": 1, "runId": "r1", "time": 5, "cycle": 0, "status": "dead"}', /expected/],
  ])('says %s is malformed', (_name, content, problem) => {
    const dir = dataDir();
    fs.writeFileSync(path.join(dir, HEARTBEAT_FILE), content);
    const reading = readHeartbeat(dir);
    expect(reading.state).toBe('malformed');
    expect((reading as { problem: string }).problem).toMatch(problem);
  });
});

describe('processAlive', () => {
  it('tells this process from one that has exited', async () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processAlive(child.pid as number)).toBe(false);
  });
});
