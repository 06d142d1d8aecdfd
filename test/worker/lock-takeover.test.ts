/**
 * The worker lock's owner file (src/worker/lock-owner.ts, mcp_jobs/lock.py):
 * a lock whose recorded holder is certainly dead on this machine is taken
 * over at once (a retry after SIGKILL need not wait 30 s), and a lock that may
 * belong to a live worker never is. Both runtimes, run by hand.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { thisProcess, type LockOwner } from '../../src/worker/lock-owner.js';
import { tempDir, waitFor } from '../helpers.js';
import { has, jobFolder, jsWrapper, pyWrapper, readJson, runSync, start } from './wrappers.js';

const scripts = tempDir();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A pid that existed a moment ago and has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** A job folder whose worker.lock has a fresh heartbeat and the given owner file (object, or raw text). */
function lockedFolder(owner: Partial<LockOwner> | string | undefined): string {
  const job = jobFolder();
  mkdirSync(join(job, 'worker.lock'));
  if (owner !== undefined) writeFileSync(join(job, 'worker.lock', 'owner.json'), typeof owner === 'string' ? owner : JSON.stringify(owner));
  return job;
}

const runtimes = [
  ['TypeScript', jsWrapper(scripts, 'lock_js', `return { ok: true };`), jsWrapper(scripts, 'lock_js_wait', `ctx.progress(0, 1);\n    await new Promise((r) => ctx.signal.addEventListener('abort', r));\n    throw ctx.signal.reason;`)],
  ['Python', pyWrapper(scripts, 'lock_py', `return {"ok": True}`), pyWrapper(scripts, 'lock_py_wait', `ctx.progress(0, 1)\nwhile True:\n    ctx.sleep(0.05)`)],
] as const;

describe.each(runtimes)('%s runtime: the worker lock owner', (_runtime, quick, waits) => {
  it('writes owner.json (pid, start time, host, boot, pid namespace) while it runs, removes the lock after', async () => {
    const job = jobFolder();
    const child = start(waits, job);
    children.push(child);
    await waitFor(() => has(job, 'progress.json'), 'the worker to run');
    const owner = JSON.parse(readFileSync(join(job, 'worker.lock', 'owner.json'), 'utf8')) as LockOwner;
    const me = thisProcess();
    expect(owner).toMatchObject({ pid: child.pid, host: me.host, bootId: me.bootId, pidNs: me.pidNs, startTime: expect.stringMatching(/^\d+$/) });
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 'the worker to stop');
    expect(has(job, 'worker.lock')).toBe(false);
  });

  it.each([
    ['an exited pid', () => ({ ...thisProcess(), pid: deadPid(), startTime: undefined })],
    ['a recycled pid (same pid, other start time)', () => ({ ...thisProcess(), startTime: '1' })],
  ])('takes over at once a fresh lock whose owner is %s on this machine', (_what, owner) => {
    const job = lockedFolder(owner());
    const r = runSync(quick, job);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/taking over .*worker\.lock: its holder, pid \d+, is dead/);
    expect(readJson(job, 'results.json')).toEqual({ ok: true });
    expect(has(job, 'worker.lock')).toBe(false);
  });

  it.each([
    ['a live process (this test)', () => thisProcess()],
    ['another host', () => ({ ...thisProcess(), pid: deadPid(), startTime: undefined, host: 'elsewhere.example' })],
    ['another boot', () => ({ ...thisProcess(), pid: deadPid(), startTime: undefined, bootId: 'another-boot' })],
    ['another pid namespace (a container)', () => ({ ...thisProcess(), pid: deadPid(), startTime: undefined, pidNs: 'pid:[1]' })],
    ['unreadable', () => '{"pid": "not a number"'],
    ['absent', () => undefined],
  ])('refuses (exit 2, nothing written) a fresh lock whose owner is %s', (_what, owner) => {
    const job = lockedFolder(owner());
    const r = runSync(quick, job);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/another worker holds/);
    expect(has(job, 'results.json')).toBe(false);
    expect(has(job, 'worker.lock')).toBe(true);
  });

  it('a FIFO as owner.json neither blocks it nor counts as proof: refused at once', () => {
    const job = lockedFolder(undefined);
    execFileSync('mkfifo', [join(job, 'worker.lock', 'owner.json')]);
    const started = Date.now();
    const r = runSync(quick, job);
    expect(r.status).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('does not remove a lock taken over from it while it was thought dead', async () => {
    const job = jobFolder();
    const child = start(waits, job);
    children.push(child);
    await waitFor(() => has(job, 'progress.json'), 'the worker to run');
    // As if another worker had taken the folder over: a new lock with another owner.
    rmSync(join(job, 'worker.lock'), { recursive: true });
    mkdirSync(join(job, 'worker.lock'));
    writeFileSync(join(job, 'worker.lock', 'owner.json'), JSON.stringify(thisProcess()));
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 'the worker to stop');
    expect(readJson(job, 'error.json')).toMatchObject({ kind: 'cancelled' });
    expect(JSON.parse(readFileSync(join(job, 'worker.lock', 'owner.json'), 'utf8'))).toMatchObject({ pid: process.pid });
  });
});
