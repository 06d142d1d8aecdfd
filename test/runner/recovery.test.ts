/** Restart semantics, retries and retention, with real workers that outlive their manager. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, processStartTime } from '../../src/runner/proc.js';
import { newJobId } from '../../src/ids.js';
import { LocalLauncher } from '../../src/runner/launcher.js';
import { tempDir, waitFor, pidAlive } from '../helpers.js';
import { makeManager } from './setup.js';

async function runningPid(m: Awaited<ReturnType<typeof makeManager>>, id: string): Promise<number> {
  const s = await waitFor(async () => {
    const st = await m.status(id);
    return st.pid ? st : undefined;
  }, 'the worker to start');
  return s.pid!;
}

describe('restart', () => {
  it('a worker that finished while no manager ran is reconciled at startup, completed, not failed', async () => {
    const dir = tempDir();
    const a = await makeManager({}, dir);
    const { jobId } = await a.submit('timed', { ms: 300 }, {});
    const pid = await runningPid(a, jobId);
    await a.close();
    await waitFor(() => !pidAlive(pid), 'the detached worker to finish on its own');
    const b = await makeManager({}, dir);
    const s = await b.status(jobId);
    expect(s.status).toBe('completed');
    expect(s.attempt).toBe(1);
  });

  it('a worker still alive stays running, is watched again, and completes (its pid + start time match)', async () => {
    const dir = tempDir();
    const a = await makeManager({}, dir);
    const { jobId } = await a.submit('timed', { ms: 800 });
    const pid = await runningPid(a, jobId);
    await a.close();
    const b = await makeManager({}, dir);
    expect((await b.status(jobId)).status).toBe('running');
    expect(pidAlive(pid)).toBe(true);
    const done = await b.wait(jobId, 10_000);
    expect(done.status).toBe('completed');
    expect(done.exitCode).toBeUndefined(); // not its parent: no exit status, and none needed
  });

  it("a recovered job's timeout is still enforced", async () => {
    const dir = tempDir();
    const a = await makeManager({ killGraceMs: 200 }, dir);
    const { jobId } = await a.submit('forever', {}, { timeoutMs: 1200 });
    const pid = await runningPid(a, jobId);
    await a.close();
    const b = await makeManager({ killGraceMs: 200 }, dir);
    const done = await b.wait(jobId, 10_000);
    expect(done).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
    await waitFor(() => !pidAlive(pid), 'the worker to be killed');
  });

  it('a dead worker without a result is failed kind lost at startup', async () => {
    const dir = tempDir();
    const a = await makeManager({}, dir);
    const { jobId } = await a.submit('forever', {});
    const pid = await runningPid(a, jobId);
    await a.close();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !pidAlive(pid), 'the worker to die');
    const b = await makeManager({}, dir);
    expect(await b.status(jobId)).toMatchObject({ status: 'failed', error: { kind: 'lost' } });
  });

  it('a recycled pid is not our worker: same pid, other start time → lost on status, never signalled on cancel', async () => {
    const dir = tempDir();
    // A stranger that now has the pid: a live process leading its own group, as a detached worker would.
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    const pid = stranger.pid!;
    try {
      const a = await makeManager({ dispatch: false }, dir);
      const asOurs = (m: typeof a, id: string) => m.store.update(id, (cur) => ({ ...cur, status: 'running', startedAt: new Date().toISOString(), pid, pidStartTime: '1' }));
      const seen = await a.submit('forever', {});
      const cancelled = await a.submit('forever', {});
      await asOurs(a, seen.jobId);
      expect(isProcessAlive(pid, processStartTime(pid))).toBe(true);
      expect(isProcessAlive(pid, '1')).toBe(false);
      await a.close();
      const b = await makeManager({ dispatch: false, killGraceMs: 200 }, dir);
      expect(await b.status(seen.jobId)).toMatchObject({ status: 'failed', error: { kind: 'lost' } });
      // The worker died and its pid went to the stranger before anyone noticed; then a cancel comes:
      // it signals the recorded worker's group, but not when the pid belongs to someone else now.
      await asOurs(b, cancelled.jobId);
      expect(await b.cancel(cancelled.jobId)).toMatchObject({ status: 'cancelled', stopRequested: { reason: 'cancel' } });
      expect(await new LocalLauncher().terminate({ pid, startTime: '1' }, 200)).toBeUndefined();
      expect(stranger.exitCode).toBeNull();
      expect(stranger.signalCode).toBeNull();
      expect(isProcessAlive(pid, processStartTime(pid))).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('rebuilds a lost index from the folders', async () => {
    const dir = tempDir();
    const a = await makeManager({ dispatch: false }, dir);
    const { jobId } = await a.submit('simulate', { steps: 1, step_ms: 0 });
    await a.close();
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'jobs', '.active'), { recursive: true });
    const b = await makeManager({}, dir);
    expect((await b.wait(jobId, 10_000)).status).toBe('completed');
  });
});

describe('retries', () => {
  it('retries kind exit with backoff; the failed attempt is kept aside and visible in history', async () => {
    const m = await makeManager({ retryBackoffMs: 50 });
    const retries: number[] = [];
    m.on('job:retry', (r) => retries.push(r.attempt));
    const { jobId } = await m.submit('fail_once', {});
    const done = await m.wait(jobId, 10_000);
    expect(done).toMatchObject({ status: 'completed', attempt: 2, maxAttempts: 3 });
    expect(done.history).toEqual([{ attempt: 1, error: expect.objectContaining({ kind: 'exit' }), finishedAt: expect.any(String) }]);
    expect(retries).toEqual([2]);
    expect(readdirSync(join(m.store.dir(jobId), 'attempts', '1'))).toEqual(expect.arrayContaining(['stderr.log', 'stdout.log']));
    expect(await m.result(jobId)).toEqual({ status: 'completed', result: { attempt: 2 } });
  });

  it('never retries a worker-reported error; exhausted attempts stay failed and are listed (dead letters)', async () => {
    const m = await makeManager({ retryBackoffMs: 10 });
    m.register({ ...m.registry.get('simulate'), name: 'sim_retry', maxAttempts: 3 });
    m.register({ ...m.registry.get('exit_code'), name: 'exit_retry', maxAttempts: 2 });
    const reported = await m.submit('sim_retry', { steps: 2, step_ms: 0, fail_at_step: 1 });
    const exhausted = await m.submit('exit_retry', { code: 4 });
    expect(await m.wait(reported.jobId, 10_000)).toMatchObject({ status: 'failed', attempt: 1, error: { kind: 'error' } });
    expect(await m.wait(exhausted.jobId, 10_000)).toMatchObject({ status: 'failed', attempt: 2, error: { kind: 'exit' } });
    const dead = await m.list({ status: 'failed' });
    expect(dead.jobs.map((j) => j.id).sort()).toEqual([reported.jobId, exhausted.jobId].sort());
  });
});

describe('retention', () => {
  it('cleanup removes finished jobs past retention and never queued, running or unapplied ones', async () => {
    const m = await makeManager({ maxConcurrent: 1, scanIntervalMs: 0 });
    const old1 = await m.submit('simulate', { steps: 1, step_ms: 0 });
    const old2 = await m.submit('simulate', { steps: 1, step_ms: 0 });
    await m.wait(old1.jobId, 10_000);
    await m.wait(old2.jobId, 10_000);
    const running = await m.submit('forever', {});
    await runningPid(m, running.jobId);
    const queued = await m.submit('simulate', { steps: 1, step_ms: 0 });
    // A finished job whose patch is not applied yet (as after a crash between the two writes).
    const unapplied = await m.submit('simulate', { steps: 1, step_ms: 0 }, { statePatch: { field: 'f', mode: 'append' } });
    await m.store.update(unapplied.jobId, (cur) => ({ ...cur, status: 'completed', finishedAt: new Date(0).toISOString(), patchState: 'pending' }));

    const dry = await m.cleanup({ olderThanMs: 0, keepLast: 1, dryRun: true });
    expect(dry).toEqual({ removed: [old1.jobId], kept: 4, dryRun: true });
    expect(existsSync(m.store.dir(old1.jobId))).toBe(true);

    const real = await m.cleanup({ olderThanMs: 0, keepLast: 0 });
    expect(real.removed.sort()).toEqual([old1.jobId, old2.jobId].sort());
    for (const id of [running.jobId, queued.jobId, unapplied.jobId]) expect(existsSync(m.store.dir(id))).toBe(true);
    await expect(m.cleanup({ olderThanMs: -1 })).rejects.toThrow(/olderThanMs/);
    await m.cancel(running.jobId);
  });

  it('cleans up automatically on an interval when configured', async () => {
    const m = await makeManager({ cleanup: { intervalMs: 50, olderThanMs: 0, keepLast: 0 } });
    // Not m.wait(): the cleanup timer may remove the folder between the event and wait's last read.
    const completed = new Set<string>();
    m.on('job:completed', (r) => completed.add(r.id));
    const { jobId } = await m.submit('simulate', { steps: 1, step_ms: 0 });
    await waitFor(() => completed.has(jobId), 'the job to complete');
    await waitFor(() => !existsSync(m.store.dir(jobId)), 'the finished job to be cleaned up');
  });

  it('keeps a folder whose job.json is unreadable for a person to look at', async () => {
    const m = await makeManager({ scanIntervalMs: 0 });
    const id = newJobId(Date.now() - 1000);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(m.options.jobsDir, id));
    writeFileSync(join(m.options.jobsDir, id, 'job.json'), '{"v":1,"id":');
    expect((await m.cleanup({ olderThanMs: 0 })).removed).not.toContain(id);
  });
});
