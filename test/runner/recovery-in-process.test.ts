/**
 * Recovery paths that were reached only from CLI tests in child processes (so the mutation run saw them as
 * "no coverage"), exercised here in-process on real folders with real workers:
 *
 * - state-rebuild.ts: a damaged state file is rebuilt from the completed jobs that had patched it, at start
 *   and when a patch finds it damaged, each job once, in finish order (finishedAt, then id);
 * - JobStore.markActive (doctor --fix): creates the marker, never writes through a link, refuses a bad id;
 * - reconciler.ts recoverTorn: the record written for a job whose job.json is damaged, for each thing the
 *   other files show; and the scan's phase 1, which dispatches a job queued by another process;
 * - JobManager.close(): it waits for a settle in flight (Supervisor.drain), so a process that exits right
 *   after it never leaves a patch half done.
 *
 * Each test was seen to fail with the mutant it names applied by hand (see the comments).
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { describe, expect, it } from 'vitest';
import { newJobId } from '../../src/ids.js';
import { log } from '../../src/log.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { JobStore } from '../../src/store/job-store.js';
import { WORKER_LOCK_STALE_MS, WORKER_LOCK_UPDATE_MS } from '../../src/store/paths.js';
import { acquireWorkerLock } from '../../src/worker/worker-lock.js';
import { tempDir, waitFor } from '../helpers.js';
import { LocalLauncher, type Launcher } from '../../src/runner/launcher.js';
import { makeManager } from './setup.js';

const TORN_STATE = '{"v":1,"value":[tor';

/** Job types over the `timed` fixture whose result's `/value` is appended to a state field (or fails to be). */
function registerPatchTypes(m: JobManager): void {
  const timed = m.registry.get('timed');
  m.register({ ...timed, name: 'timed_runs', statePatch: { field: 'runs', mode: 'append', pointer: '/value' } });
  m.register({ ...timed, name: 'timed_other', statePatch: { field: 'other', mode: 'append', pointer: '/value' } });
  m.register({ ...timed, name: 'timed_badptr', statePatch: { field: 'runs', mode: 'append', pointer: '/missing' } });
  m.register({ ...m.registry.get('exit_code'), name: 'exit_runs', statePatch: { field: 'runs', mode: 'append' } });
}

/** Runs one job to its end (patch settled) and returns its id. */
async function run(m: JobManager, type: string, input: unknown): Promise<string> {
  const { jobId } = await m.submit(type, input);
  const done = await m.wait(jobId, 10_000);
  expect(done.patchState, `${type} settled`).not.toBe('pending');
  return jobId;
}

/** Collects the log's warnings while `fn` runs. */
async function warningsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const remove = log.addSink((level, message) => {
    if (level === 'warning') seen.push(message);
  });
  try {
    await fn();
  } finally {
    remove();
  }
  return seen;
}

const stateFile = (m: JobManager, field: string) => JSON.parse(readFileSync(m.state.path(field), 'utf8')) as { value: unknown; applied: Record<string, string> };

describe('a damaged state field is rebuilt from the jobs (state-rebuild.ts)', () => {
  // Mutants seen killed: the sort removed; `a.finishedAt ?? ''` -> `a.finishedAt && ''`; the id tie-break `||` -> `&&`;
  // each clause of the filter -> true (`status === 'completed'`, `record.patch`, `patchField(...) === field`,
  // `patchState === 'applied'`); `if (!read.ok) continue` -> `if (false)`; `!(error instanceof PatchError)` -> without `!`;
  // the catch's log.warn removed; the note's `?? 'damaged'` -> `&& 'damaged'`; rebuildField's call in start() removed.
  it('at start: every completed job that had applied a patch on the field, once each, in finish order; the others left out', async () => {
    const dir = tempDir();
    const first = await makeManager({ maxConcurrent: 1, scanIntervalMs: 0 }, dir);
    registerPatchTypes(first);
    const a = await run(first, 'timed_runs', { ms: 1, value: 'a' });
    const b = await run(first, 'timed_runs', { ms: 1, value: 'b' });
    const c = await run(first, 'timed_runs', { ms: 1, value: 'c' });
    const d = await run(first, 'timed_runs', { ms: 1, value: 'd' });
    const e = await run(first, 'timed_runs', { ms: 1, value: 'e' }); // its results.json goes: its replay is a PatchError
    await run(first, 'timed_other', { ms: 1, value: 'o' }); // another field
    const bad = await run(first, 'timed_badptr', { ms: 1 }); // completed, patchState error
    const failed = await run(first, 'exit_runs', { code: 1 }); // failed: patchState skipped
    await run(first, 'timed', { ms: 1, value: 'no patch' }); // completed, no patch at all
    expect(await first.state.get('runs')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await first.status(bad)).patchState).toBe('error');
    expect((await first.status(failed)).patchState).toBe('skipped');
    await first.close();

    // Finish order is not submit order: b and d finished at the same time (the id breaks the tie), then a, e, c.
    const store = new JobStore(join(dir, 'jobs'));
    const at = (id: string, finishedAt: string) => store.update(id, (cur) => ({ ...cur, finishedAt }));
    await at(b, '2026-01-01T00:00:01.000Z');
    await at(d, '2026-01-01T00:00:01.000Z');
    await at(a, '2026-01-01T00:00:02.000Z');
    await at(e, '2026-01-01T00:00:03.000Z');
    await at(c, '2026-01-01T00:00:04.000Z');
    // A record that is not completed is never replayed, whatever its patchState says.
    await store.update(failed, (cur) => ({ ...cur, patchState: 'applied' }));
    rmSync(join(store.dir(e), 'results.json'));
    // A job folder whose job.json cannot be read (and is not in the index): skipped, never fatal.
    const torn = newJobId();
    mkdirSync(store.dir(torn));
    writeFileSync(join(store.dir(torn), 'job.json'), '{"v":1,"id":');

    const otherBefore = readFileSync(join(dir, 'state', 'other.json'), 'utf8');
    writeFileSync(join(dir, 'state', 'runs.json'), TORN_STATE);

    let m!: JobManager;
    const warnings = await warningsDuring(async () => {
      m = await makeManager({ scanIntervalMs: 0 }, dir);
    });
    expect(await m.state.get('runs')).toEqual(['b', 'd', 'a', 'c']);
    expect(Object.keys(stateFile(m, 'runs').applied).sort()).toEqual([a, b, c, d].sort());
    expect(readFileSync(join(dir, 'state', 'other.json'), 'utf8')).toBe(otherBefore);
    // Counted: the jobs replayed into the new file (4), and apart the one that could not be (e).
    const note = 'rebuilt from 4 completed job(s) that had patched it; 1 could not be replayed (see the log)';
    expect(m.state.damaged.get('runs')).toMatch(/; moved to .*runs\.json\.corrupt-\d+; /);
    expect(m.state.damaged.get('runs')!.endsWith(`; ${note}`)).toBe(true);
    expect([...m.state.damaged.keys()]).toEqual(['runs']);
    expect(warnings.some((w) => w.startsWith(`rebuilding state field \`runs\`: job ${e} skipped: results.json`))).toBe(true);
    expect(warnings).toContain(`state field \`runs\` ${note}`);
    // Nothing is applied twice later: a scan and a new job add only the new job.
    await m.reconcile();
    registerPatchTypes(m);
    const f = await run(m, 'timed_runs', { ms: 1, value: 'f' });
    expect(await m.state.get('runs')).toEqual(['b', 'd', 'a', 'c', 'f']);
    expect(Object.keys(stateFile(m, 'runs').applied).sort()).toEqual([a, b, c, d, f].sort());
  });

  // Mutants seen killed: supervisor.ts `if (!(error instanceof JobsError && ... && damaged.has(field))) throw error`
  // -> `if (true) throw error` (the patch waits for a retry that writes a field holding only the new job);
  // the filter's `patchState === 'applied'` -> true (the pending job itself is counted: "rebuilt from 3").
  it('during a patch: a field found damaged is rebuilt from the jobs, then the new job is applied on top', async () => {
    const m = await makeManager({ maxConcurrent: 1, scanIntervalMs: 0 });
    registerPatchTypes(m);
    const a = await run(m, 'timed_runs', { ms: 1, value: 'a' });
    const b = await run(m, 'timed_runs', { ms: 1, value: 'b' });
    writeFileSync(m.state.path('runs'), TORN_STATE);
    const changed: string[] = [];
    m.on('state:changed', ({ field, jobId }) => changed.push(`${field}:${jobId}`));
    const c = await run(m, 'timed_runs', { ms: 1, value: 'c' });
    expect((await m.status(c)).patchState).toBe('applied');
    expect(await m.state.get('runs')).toEqual(['a', 'b', 'c']);
    expect(Object.keys(stateFile(m, 'runs').applied).sort()).toEqual([a, b, c].sort());
    expect(m.state.damaged.get('runs')).toMatch(/; moved to .*runs\.json\.corrupt-\d+; rebuilt from 2 completed job\(s\) that had patched it$/);
    await waitFor(() => changed.includes(`runs:${c}`), 'state:changed for the new job');
  });
});

describe('JobStore.markActive (doctor --fix puts a job back in the index)', () => {
  it('creates the marker: a job missing from the index is found by activeIds() again, and the next scan dispatches it', async () => {
    const dir = tempDir();
    const first = await makeManager({ dispatch: false, scanIntervalMs: 0 }, dir);
    const { jobId } = await first.submit('timed', { ms: 1 });
    await first.close();
    const store = new JobStore(join(dir, 'jobs'));
    const marker = join(dir, 'jobs', '.active', jobId);
    rmSync(marker); // lost from the index
    expect(await store.activeIds()).not.toContain(jobId);
    await store.markActive(jobId);
    expect(lstatSync(marker).isFile()).toBe(true);
    expect(statSync(marker).mode & 0o777).toBe(0o600);
    expect(await store.activeIds()).toEqual([jobId]);
    await store.markActive(jobId); // again: still one marker, no error
    expect(await store.activeIds()).toEqual([jobId]);
    const m = await makeManager({ scanIntervalMs: 0 }, dir);
    expect((await m.wait(jobId, 10_000)).status).toBe('completed');
  });

  // Mutant seen killed: O_NOFOLLOW dropped from the flags (the link's target is truncated).
  it('never writes through a link planted at the marker path; its target is unchanged', async () => {
    const dir = tempDir();
    const store = new JobStore(join(dir, 'jobs'));
    await store.init();
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me');
    const id = newJobId();
    const marker = join(dir, 'jobs', '.active', id);
    symlinkSync(target, marker);
    await expect(store.markActive(id)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(readlinkSync(marker)).toBe(target);
  });

  it('refuses a bad id before building a path from it', async () => {
    const dir = tempDir();
    const store = new JobStore(join(dir, 'jobs'));
    await store.init();
    await expect(store.markActive('../../escaped-marker')).rejects.toMatchObject({ code: 'invalid_id' });
    expect(existsSync(join(dir, 'escaped-marker'))).toBe(false);
    expect(await store.activeIds()).toEqual([]);
  });
});

describe('a torn job.json is recovered from the other files (reconciler.ts recoverTorn)', () => {
  const TORN = '{"v":1,"id":"torn';

  /** A queued job (in the index) whose job.json is then torn; `files` adds what a worker would have left. */
  async function tornJob(files: (jobDir: string) => void = () => {}) {
    const dir = tempDir();
    const first = await makeManager({ dispatch: false, scanIntervalMs: 0 }, dir);
    const { jobId } = await first.submit('timed', { ms: 1 });
    await first.close();
    const jobDir = join(dir, 'jobs', jobId);
    writeFileSync(join(jobDir, 'job.json'), TORN);
    files(jobDir);
    return { dir, jobId, jobDir, marker: join(dir, 'jobs', '.active', jobId) };
  }

  const restart = (dir: string) => makeManager({ dispatch: false, scanIntervalMs: 0 }, dir);

  // Mutants seen killed: `type: 'unknown'` -> ''; `if (files.results.ok)` -> false; the finishedAt `if` -> false;
  // the unmarkActive `if` -> false; the rename to job.json.corrupt removed.
  it('results.json valid: completed, type unknown, finishedAt set, job.json.corrupt kept, out of the index', async () => {
    const t = await tornJob((jobDir) => writeFileSync(join(jobDir, 'results.json'), '{"answer":42}'));
    const m = await restart(t.dir);
    const record = await m.store.get(t.jobId);
    expect(record).toMatchObject({ id: t.jobId, type: 'unknown', status: 'completed', command: ['unknown'], patchState: 'skipped' });
    expect(record.patchError).toMatch(/^job\.json was unreadable \(.*\); its state patch is unknown$/);
    expect(record.finishedAt).toEqual(expect.any(String));
    expect(record.error).toBeUndefined();
    expect(readFileSync(join(t.jobDir, 'job.json.corrupt'), 'utf8')).toBe(TORN);
    expect(existsSync(t.marker)).toBe(false);
    expect(await m.result(t.jobId)).toEqual({ status: 'completed', result: { answer: 42 } });
  });

  // Mutants seen killed: `else if (files.error.ok)` -> false; the error object -> {}; `kind: 'error'` -> ''.
  it("error.json valid: failed with kind 'error' and error.json's own message", async () => {
    const t = await tornJob((jobDir) => writeFileSync(join(jobDir, 'error.json'), JSON.stringify({ message: 'the wrapper gave up: disk on fire', kind: 'whatever' })));
    const m = await restart(t.dir);
    const record = await m.store.get(t.jobId);
    expect(record).toMatchObject({ type: 'unknown', status: 'failed' });
    expect(record.error).toEqual({ kind: 'error', message: 'the wrapper gave up: disk on fire' });
    expect(record.finishedAt).toEqual(expect.any(String));
    expect(readFileSync(join(t.jobDir, 'job.json.corrupt'), 'utf8')).toBe(TORN);
    expect(existsSync(t.marker)).toBe(false);
  });

  // Mutants seen killed: `else if (workerRunning)` -> false; the finishedAt `if` -> true.
  // The unmarkActive `if` -> true is equivalent: unmarkActive(id) judges from the folder and keeps a running job's marker.
  it('worker lock held: running, no finishedAt, still in the index', async () => {
    let held: { release(): void } | undefined;
    const t = await tornJob((jobDir) => {
      held = acquireWorkerLock(join(jobDir, 'worker.lock'), WORKER_LOCK_STALE_MS, WORKER_LOCK_UPDATE_MS);
    });
    try {
      const m = await restart(t.dir);
      const record = await m.store.get(t.jobId);
      expect(record).toMatchObject({ type: 'unknown', status: 'running' });
      expect(record.finishedAt).toBeUndefined();
      expect(record.error).toBeUndefined();
      expect(readFileSync(join(t.jobDir, 'job.json.corrupt'), 'utf8')).toBe(TORN);
      expect(existsSync(t.marker)).toBe(true);
    } finally {
      held?.release();
    }
  });

  it("nothing to go on: failed with kind 'lost', naming the problem", async () => {
    const t = await tornJob();
    const m = await restart(t.dir);
    const record = await m.store.get(t.jobId);
    expect(record).toMatchObject({ type: 'unknown', status: 'failed', error: { kind: 'lost' } });
    expect(record.error!.message).toMatch(/^job\.json was unreadable \(.+\) and no worker is running$/);
    expect(record.finishedAt).toEqual(expect.any(String));
    expect(existsSync(t.marker)).toBe(false);
  });
});

describe('the scan dispatches a job queued by another process (reconciler.ts phase 1)', () => {
  /** Queues a job through a second manager on the same folders that never dispatches, then closes it. */
  async function queueElsewhere(dir: string): Promise<string> {
    const other = await makeManager({ dispatch: false, scanIntervalMs: 0 }, dir);
    const { jobId } = await other.submit('timed', { ms: 1 });
    await other.close();
    return jobId;
  }

  // Mutants seen killed: `if (record.status === 'queued') queued = true` -> `if (false)`; `if (queued) scheduleDispatch()`
  // -> `if (false)`. Nothing else dispatches it: this manager's start-time pass ran before the job existed, the
  // watcher follows only running jobs' folders, and no job of this manager ends to free a slot.
  it('reconcile(): the job is claimed and runs to its end', async () => {
    const dir = tempDir();
    const m = await makeManager({ scanIntervalMs: 0 }, dir);
    const jobId = await queueElsewhere(dir);
    expect((await m.status(jobId)).status).toBe('queued');
    await m.reconcile();
    expect((await m.wait(jobId, 5000)).status).toBe('completed');
  });

  // Mutant seen killed: `if (scanIntervalMs > 0)` -> `if (false)` (no periodic scan).
  it('the periodic scan (scanIntervalMs) does the same with no call', async () => {
    const dir = tempDir();
    const m = await makeManager({ scanIntervalMs: 100 }, dir);
    const jobId = await queueElsewhere(dir);
    expect((await m.wait(jobId, 5000)).status).toBe('completed');
  });
});

describe('close() waits for a settle in flight (Supervisor.drain)', () => {
  // Mutants seen killed: `await this.supervisor.drain()` removed from close(); drain's loop `while (false)`;
  // its condition `&&` -> `||` (close then takes the whole 10 s).
  it('does not resolve while a patch is being applied; once it does, the job is terminal and the patch applied', async () => {
    const m = await makeManager({ scanIntervalMs: 0 });
    registerPatchTypes(m);
    // Another process holds the field's lock: the patch of the job below waits for it.
    const lockPath = `${m.state.path('runs')}.lock`;
    const release = await lockfile.lock(lockPath, { lockfilePath: lockPath, realpath: false, stale: 5000 });
    let released = false;
    try {
      const { jobId } = await m.submit('timed_runs', { ms: 1, value: 'x' });
      await waitFor(async () => {
        const read = await m.store.read(jobId);
        return read.ok && read.value.status === 'completed' && read.value.patchState === 'pending';
      }, 'the job to be settled with its patch pending');
      let closed = false;
      const closing = m.close().then(() => (closed = true));
      // close() has stopped watching (the step before draining): a close that does not drain has resolved by now.
      await waitFor(async () => !(await m.health()).reconciler.watching, 'close() to stop watching');
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed, 'close() resolved while the settle was still waiting for the lock').toBe(false);
      await release();
      released = true;
      const t0 = Date.now();
      await closing;
      expect(Date.now() - t0).toBeLessThan(5000);
      const read = await m.store.read(jobId);
      expect(read.ok && read.value).toMatchObject({ status: 'completed', patchState: 'applied' });
      expect(stateFile(m, 'runs').value).toEqual(['x']);
    } finally {
      if (!released) await release();
    }
  });
});

describe('cancel waits for the exit event of a worker it started (supervisor.ts waitFor)', () => {
  // Mutants seen killed: waitFor's loop `while (!condition() && ...)` -> `while (false)`, and `&&` -> `||` (cancel then
  // takes the whole 2 s); the `if (entry?.parent && !entry.exit)` before it -> false. With LocalLauncher it is
  // not reachable in practice: its terminate() returns only once the process group is gone, i.e. reaped, and the
  // exit event is delivered by then. A launcher's terminate() may return before (its `graceMs + 2 s` passed, or a
  // remote launcher): here the signal is real and terminate() does not wait at all. Without the wait, the settle
  // runs before the exit event, finds the worker not gone and no files (`forever` writes none) and cancel returns it running.
  it('a terminate() that returns before the exit event: cancel still returns the job cancelled, with its signal', async () => {
    const local = new LocalLauncher();
    const launcher: Launcher = {
      start: (spec) => local.start(spec),
      isAlive: (handle) => local.isAlive(handle),
      terminate: async (handle) => void process.kill(-handle.pid, 'SIGTERM'),
    };
    const m = await makeManager({ launcher, scanIntervalMs: 0 });
    const { jobId } = await m.submit('forever', {});
    await waitFor(async () => (await m.status(jobId)).pid, 'the worker to start');
    const t0 = Date.now();
    const cancelled = await m.cancel(jobId);
    expect(cancelled).toMatchObject({ status: 'cancelled', signal: 'SIGTERM' });
    expect(Date.now() - t0, 'cancel waits for the exit, not for its 2 s deadline').toBeLessThan(1500);
  });
});
