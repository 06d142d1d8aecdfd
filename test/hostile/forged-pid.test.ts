/**
 * A job.json forged (or damaged) to name a pid that cannot be our worker: this process, one of its ancestors,
 * init. Our workers are detached children; they are never the server or its ancestors, and their process group
 * is their own. Signalling such a "worker" as a group would signal the server's own group, or, for pid 1,
 * `kill(-1)`: every process on the machine. The manager runs in a child in a group of its own (so a failure
 * hits only that child), and the pure guards are checked directly, without sending anything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isSignallableGroup, isWorkerCandidate } from '../../src/runner/proc.js';
import { ROOT, tempDir } from '../helpers.js';

describe.runIf(process.platform === 'linux')('a job.json naming a pid that is not a worker', () => {
  it('naming the server itself: status says lost, cancel cancels, and the server is never signalled', async () => {
    const child = spawn(process.execPath, ['test/fixtures/forged-pid.mjs', tempDir()], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const run = await new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (status, signal) => resolve({ status, signal })));
    expect({ signal: run.signal, stderr: stderr.split('\n').filter((line) => !line.startsWith('[mcp-jobs]')).join('\n').trim() }).toEqual({ signal: null, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({
      answers: { status: { status: 'failed', kind: 'lost' }, cancel: { status: 'cancelled' } },
      signalled: null,
    });
    expect(run.status).toBe(0);
  });

  it('no group of this process or its ancestors, and neither 0 nor 1, is a group to signal', () => {
    const stat = (pid: number | 'self') => spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
    const fields = (pid: number | 'self') => stat(pid).slice(stat(pid).lastIndexOf(')') + 2).split(' ');
    const ownGroup = Number(fields(process.pid)[2]);
    for (const pgid of [0, 1, -1, 1.5, Number.NaN, ownGroup]) expect(isSignallableGroup(pgid), String(pgid)).toBe(false);
    for (const pid of [0, 1, process.pid, process.ppid]) expect(isWorkerCandidate(pid), String(pid)).toBe(false);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    expect(isSignallableGroup(Number(child.stdout))).toBe(true); // a group that is not ours (gone: no signal is sent here)
    expect(isWorkerCandidate(Number(child.stdout))).toBe(true);
  });
});
