/**
 * The guards of settling, liveness, retries and timeouts, each pinned by a
 * test that fails when the guard is removed (issue 8: "Tests that must get
 * stronger"). Real detached workers; job.json is edited only to stage a
 * situation a real run produces rarely (a claim with no pid, a stale decision).
 */
import { mkdirSync, utimesSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../src/runner/supervisor.js';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { fixture, makeManager } from './setup.js';
import { processStartTime } from '../../src/runner/proc.js';
import type { JobRecord } from '../../src/types.js';

type Manager = Awaited<ReturnType<typeof makeManager>>;

async function runningPid(m: Manager, id: string): Promise<number> {
  const s = await waitFor(async () => {
    const st = await m.status(id);
    return st.pid ? st : undefined;
  }, 'the worker to start');
  return s.pid!;
}

/** Kills a worker's whole group if a test left it running. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('settling never changes a terminal record', () => {
  it('a stale decision (the job as a slower settler read it, still running) leaves a completed job completed', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('simulate', { steps: 1, step_ms: 0 });
    const done = await m.wait(jobId, 10_000);
    expect(done.status).toBe('completed');
    const supervisor = m['supervisor'] as Supervisor;
    const stale: JobRecord = { ...done, status: 'running' };
    const after = await supervisor.finish(stale, { status: 'failed', error: { kind: 'lost', message: 'a stale settler' } });
    expect(after).toMatchObject({ status: 'completed', patchState: 'none' });
    const onDisk = await m.store.get(jobId);
    expect(onDisk.status).toBe('completed');
    expect(onDisk.error).toBeUndefined();
    expect(await m.result(jobId)).toMatchObject({ status: 'completed' });
  });
});

describe('a claimed job with no pid: the worker lock decides', () => {
  /** A job claimed a minute ago (past the launch grace) whose pid was never recorded. */
  async function claimedLongAgo(m: Manager): Promise<{ id: string; lock: string }> {
    const { jobId } = await m.submit('forever', {});
    await m.store.update(jobId, (cur) => ({ ...cur, status: 'running', startedAt: new Date(Date.now() - 60_000).toISOString() }));
    return { id: jobId, lock: join(m.store.dir(jobId), 'worker.lock') };
  }

  it('a fresh worker lock (a worker runs, pid unknown) keeps it running; once the heartbeat is stale it is queued again', async () => {
    const m = await makeManager({ dispatch: false, scanIntervalMs: 0 });
    const { id, lock } = await claimedLongAgo(m);
    mkdirSync(lock); // proper-lockfile's format: a folder whose mtime is the heartbeat (now)
    expect((await m.status(id)).status).toBe('running');
    expect((await m.status(id)).status).toBe('running');
    // The heartbeat stopped 40 s ago (the worker died): past WORKER_LOCK_STALE_MS (30 s).
    const old = new Date(Date.now() - 40_000);
    utimesSync(lock, old, old);
    const after = await m.status(id);
    expect(after.status).toBe('queued');
    expect(after.startedAt).toBeUndefined();
  });

  it('no worker lock at all: queued again (never launched)', async () => {
    const m = await makeManager({ dispatch: false, scanIntervalMs: 0 });
    const { id, lock } = await claimedLongAgo(m);
    expect(existsSync(lock)).toBe(false);
    expect((await m.status(id)).status).toBe('queued');
  });
});

describe('retries: which kinds, and when', () => {
  it('never retries invalid_result or spawn, even with attempts left', async () => {
    const m = await makeManager({ retryBackoffMs: 10 });
    m.register({ ...m.registry.get('exit_code'), name: 'exit_retry', maxAttempts: 3 });
    m.register({ ...m.registry.get('forever'), name: 'missing_retry', command: ['/nonexistent/program'], maxAttempts: 3 });
    const retried: string[] = [];
    m.on('job:retry', (r) => retried.push(r.id));
    const invalid = await m.submit('exit_retry', { code: 0 });
    const spawn = await m.submit('missing_retry', {});
    expect(await m.wait(invalid.jobId, 10_000)).toMatchObject({ status: 'failed', attempt: 1, error: { kind: 'invalid_result' } });
    expect(await m.wait(spawn.jobId, 10_000)).toMatchObject({ status: 'failed', attempt: 1, error: { kind: 'spawn' } });
    expect((await m.status(invalid.jobId)).history).toBeUndefined();
    expect(retried).toEqual([]);
  });

  it('retries lost and timeout attempts', async () => {
    const m = await makeManager({ retryBackoffMs: 10, killGraceMs: 200 });
    m.register({ ...m.registry.get('forever'), name: 'forever_retry', maxAttempts: 2 });
    const lost = await m.submit('forever_retry', {});
    process.kill(await runningPid(m, lost.jobId), 'SIGKILL');
    const second = await waitFor(async () => {
      const s = await m.status(lost.jobId);
      return s.attempt === 2 && s.pid ? s : undefined;
    }, 'attempt 2 of the lost job to run');
    expect(second.history).toEqual([{ attempt: 1, error: expect.objectContaining({ kind: 'lost' }), finishedAt: expect.any(String) }]);
    await m.cancel(lost.jobId);

    const timed = await m.submit('forever_retry', {}, { timeoutMs: 300 });
    const done = await m.wait(timed.jobId, 15_000);
    expect(done).toMatchObject({ status: 'failed', attempt: 2, error: { kind: 'timeout' } });
    expect(done.history?.map((h) => h.error.kind)).toEqual(['timeout']);
  });

  it('waits the backoff before each retry, doubling it each time', async () => {
    const backoff = 300;
    const m = await makeManager({ retryBackoffMs: backoff });
    m.register({ ...m.registry.get('exit_code'), name: 'exit_retry', maxAttempts: 3 });
    const starts = new Map<number, number>();
    m.on('job:started', (r) => starts.set(r.attempt, Date.parse(r.startedAt!)));
    const { jobId } = await m.submit('exit_retry', { code: 4 });
    const done = await m.wait(jobId, 15_000);
    expect(done).toMatchObject({ status: 'failed', attempt: 3, error: { kind: 'exit' } });
    const finished = done.history!.map((h) => Date.parse(h.finishedAt));
    expect(finished).toHaveLength(2);
    expect(starts.get(2)! - finished[0]!).toBeGreaterThanOrEqual(backoff);
    expect(starts.get(3)! - finished[1]!).toBeGreaterThanOrEqual(2 * backoff);
  });
});

describe('timeouts', () => {
  it('a restarted manager keeps the timeout clock of the attempt: it fires at startedAt + timeout, not later', async () => {
    const dir = tempDir();
    const timeoutMs = 4000;
    const a = await makeManager({ killGraceMs: 200 }, dir);
    const { jobId } = await a.submit('forever', {}, { timeoutMs });
    const pid = await runningPid(a, jobId);
    try {
      const started = Date.parse((await a.status(jobId)).startedAt!);
      // The first manager follows the job for 2.5 s, then goes away.
      await waitFor(() => Date.now() - started >= 2500, '2.5 s of the attempt to pass', 10_000, 50);
      await a.close();
      const b = await makeManager({ killGraceMs: 200 }, dir);
      const done = await b.wait(jobId, 15_000);
      expect(done).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
      const stoppedAfter = Date.parse(done.stopRequested!.at) - started;
      expect(stoppedAfter).toBeGreaterThanOrEqual(timeoutMs - 50);
      // From zero at the restart it would be 2.5 s + 4 s.
      expect(stoppedAfter).toBeLessThan(timeoutMs + 1500);
      await waitFor(() => !pidAlive(pid), 'the worker to be killed');
    } finally {
      killGroup(pid);
    }
  });

  it('a worker that writes error.json when stopped by its timeout is failed kind timeout, not cancelled', async () => {
    const m = await makeManager({ killGraceMs: 2000 });
    // 2 s: the wrapper has installed its SIGTERM handler long before (a loaded machine can take 0.5 s to start node).
    const { jobId } = await m.submit('simulate', { steps: 1000, step_ms: 20 }, { timeoutMs: 2000 });
    const done = await m.wait(jobId, 10_000);
    expect(done).toMatchObject({ status: 'failed', error: { kind: 'timeout', message: 'timed out after 2000 ms' } });
    // The rule was exercised: the worker did answer SIGTERM with its own error.json.
    const written = JSON.parse(readFileSync(join(m.store.dir(jobId), 'error.json'), 'utf8')) as { kind: string };
    expect(written.kind).toBe('cancelled');
  });
});

describe('a torn results.json', () => {
  it('while its worker lives it may be a writer mid-write: the job stays running; once the worker is gone it is invalid_result', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('forever', {});
    const pid = await runningPid(m, jobId);
    try {
      writeFileSync(join(m.store.dir(jobId), 'results.json'), '{"half": ');
      expect((await m.status(jobId)).status).toBe('running');
      expect((await m.status(jobId)).status).toBe('running');
      process.kill(pid, 'SIGKILL');
      const done = await m.wait(jobId, 10_000);
      expect(done).toMatchObject({ status: 'failed', error: { kind: 'invalid_result', message: expect.stringContaining('results.json is not valid JSON') } });
    } finally {
      killGroup(pid);
    }
  });
});

describe('the liveness timer', () => {
  it('notices a worker it did not start dying, with no watcher, no scan and no status call', async () => {
    // The worker is started here, by hand, so no manager of this process gets its exit event.
    const dir = tempDir();
    const staging = await makeManager({ dispatch: false }, dir);
    const { jobId } = await staging.submit('forever', {});
    const worker = spawn(process.execPath, [fixture('forever.mjs'), '--job-dir', staging.store.dir(jobId)], { detached: true, stdio: 'ignore' });
    worker.unref();
    const pid = worker.pid!;
    try {
      await staging.store.update(jobId, (cur) => ({ ...cur, status: 'running', startedAt: new Date().toISOString(), pid, pidStartTime: processStartTime(pid) }));
      await staging.close();
      const b = await makeManager({ watch: false, scanIntervalMs: 0, dispatch: false }, dir);
      expect((await b.status(jobId)).status).toBe('running');
      const failed: JobRecord[] = [];
      b.on('job:failed', (r) => failed.push(r));
      process.kill(pid, 'SIGKILL');
      const seen = await waitFor(() => failed.find((r) => r.id === jobId), 'the liveness check to settle the dead worker', 5000);
      expect(seen).toMatchObject({ status: 'failed', error: { kind: 'lost', message: 'the worker is gone and left no results.json or error.json' } });
    } finally {
      killGroup(pid);
    }
  });
});

describe('what the worker left decides how the attempt ended (outcome.ts)', () => {
  /** A running `forever` job whose worker is tracked by this manager. */
  async function running(m: Manager): Promise<{ id: string; pid: number; dir: string }> {
    const { jobId } = await m.submit('forever', {});
    const pid = await runningPid(m, jobId);
    return { id: jobId, pid, dir: m.store.dir(jobId) };
  }
  const writeJson = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value));

  it('error.json kinds: invalid_input and invalid_result are kept, details too; any other kind is error', async () => {
    const m = await makeManager();
    const cases = [
      [{ kind: 'invalid_input', message: 'no such design', details: { field: 'd' } }, { kind: 'invalid_input', message: 'no such design', details: { field: 'd' } }],
      [{ kind: 'invalid_result', message: 'NaN in output' }, { kind: 'invalid_result', message: 'NaN in output' }],
      [{ kind: 'weird', message: 'boom' }, { kind: 'error', message: 'boom' }],
      [{ message: 'no kind' }, { kind: 'error', message: 'no kind' }],
    ] as const;
    // A worker that reports it was cancelled (SIGTERM from someone else, Ctrl-C) with no stop asked for: cancelled.
    const told = await running(m);
    try {
      writeJson(join(told.dir, 'error.json'), { kind: 'cancelled', message: 'interrupted' });
      expect(await m.status(told.id)).toMatchObject({ status: 'cancelled' });
    } finally {
      killGroup(told.pid);
    }
    for (const [file, expected] of cases) {
      const job = await running(m);
      try {
        writeJson(join(job.dir, 'error.json'), file);
        const done = await m.status(job.id);
        expect(done.status).toBe('failed');
        expect(done.error).toEqual(expected);
      } finally {
        killGroup(job.pid);
      }
    }
  });

  it('a torn error.json while the worker lives is not an outcome; once it is gone the job failed, kind error', async () => {
    const m = await makeManager();
    const job = await running(m);
    try {
      writeFileSync(join(job.dir, 'error.json'), '{"message": ');
      expect((await m.status(job.id)).status).toBe('running');
      process.kill(job.pid, 'SIGKILL');
      const done = await m.wait(job.id, 10_000);
      expect(done).toMatchObject({ status: 'failed', error: { kind: 'error', message: expect.stringContaining('error.json is unreadable') } });
    } finally {
      killGroup(job.pid);
    }
  });

  it('a stop that was asked for wins over the kind in error.json: cancel → cancelled, timeout → failed timeout', async () => {
    const m = await makeManager();
    for (const [reason, expected] of [['cancel', { status: 'cancelled' }], ['timeout', { status: 'failed', error: { kind: 'timeout' } }]] as const) {
      const job = await running(m);
      try {
        // As cancel() and the timeout record it before they signal the worker.
        await m.store.update(job.id, (cur) => ({ ...cur, stopRequested: { reason, at: new Date().toISOString() } }));
        writeJson(join(job.dir, 'error.json'), { kind: 'error', message: 'interrupted' });
        expect(await m.status(job.id)).toMatchObject(expected);
      } finally {
        killGroup(job.pid);
      }
    }
  });

  it('a stop that was asked for, and a worker gone without a word: cancel → cancelled, timeout → failed timeout', async () => {
    const m = await makeManager();
    for (const [reason, expected] of [['cancel', { status: 'cancelled' }], ['timeout', { status: 'failed', error: { kind: 'timeout' } }]] as const) {
      const job = await running(m);
      try {
        await m.store.update(job.id, (cur) => ({ ...cur, stopRequested: { reason, at: new Date().toISOString() } }));
        process.kill(job.pid, 'SIGKILL');
        expect(await m.wait(job.id, 10_000)).toMatchObject(expected);
      } finally {
        killGroup(job.pid);
      }
    }
  });
});
