/** Process identity (proc.ts): pid plus start time from /proc, zombies dead, odd process names parsed right. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isGroupAlive, isProcessAlive, processStartTime, signalGroup } from '../../src/runner/proc.js';
import { waitFor } from '../helpers.js';

const hasPython = spawnSync('python3', ['-c', '0']).status === 0;

/** A python process that prints lines (a pid, "ready") then sleeps; killed after the test. */
async function python(code: string): Promise<string[]> {
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  onTestFinished(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await waitFor(() => out.includes('ready'), 'the python helper to be ready');
  return out.trim().split('\n');
}

describe('process identity', () => {
  it('a live process with its own start time is alive; with another start time, or gone, it is not', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    onTestFinished(() => void child.kill('SIGKILL'));
    const pid = child.pid!;
    const start = processStartTime(pid);
    expect(start).toMatch(/^\d+$/);
    expect(isProcessAlive(pid)).toBe(true);
    expect(isProcessAlive(pid, start)).toBe(true);
    expect(isProcessAlive(pid, String(Number(start) + 1))).toBe(false);
    child.kill('SIGKILL');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, 'the child to exit');
    await waitFor(() => !isProcessAlive(pid), 'the pid to be gone');
    expect(isProcessAlive(pid, start)).toBe(false);
    expect(processStartTime(pid)).toBeUndefined();
  });

  it.skipIf(!hasPython)('a zombie (exited, not reaped by its parent) is dead', async () => {
    const [zombie] = await python('import os, sys, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(pid)\nprint("ready")\nsys.stdout.flush()\ntime.sleep(60)');
    const pid = Number(zombie);
    await waitFor(() => /\) Z /.test(readStat(pid)), 'the child to be a zombie');
    expect(processStartTime(pid)).toMatch(/^\d+$/);
    expect(isProcessAlive(pid)).toBe(false);
    expect(isProcessAlive(pid, processStartTime(pid))).toBe(false);
  });

  it.skipIf(!hasPython)('a process whose name holds spaces and parentheses is parsed from the last ")"', async () => {
    const [pidText] = await python('import ctypes, os, sys, time\nctypes.CDLL(None).prctl(15, b"x) R 1 (y", 0, 0, 0)\nprint(os.getpid())\nprint("ready")\nsys.stdout.flush()\ntime.sleep(60)');
    const pid = Number(pidText);
    expect(readStat(pid)).toContain('(x) R 1 (y)');
    const fields = readStat(pid).slice(readStat(pid).lastIndexOf(')') + 2).split(' ');
    expect(processStartTime(pid)).toBe(fields[19]);
    expect(isProcessAlive(pid, fields[19])).toBe(true);
  });

  it('groups: alive while a member lives; signalGroup says false once the group is gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
    onTestFinished(() => void child.kill('SIGKILL'));
    const pgid = child.pid!;
    expect(isGroupAlive(pgid)).toBe(true);
    expect(signalGroup(pgid, 'SIGKILL')).toBe(true);
    await waitFor(() => !isGroupAlive(pgid), 'the group to be gone');
    expect(signalGroup(pgid, 'SIGTERM')).toBe(false);
    expect(() => signalGroup(pgid, 'NOPE' as NodeJS.Signals)).toThrow();
  });
});

function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}
