/** Every way a job can end, with real detached worker processes. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor, pidAlive } from '../helpers.js';
import { makeManager } from './setup.js';
import { LocalLauncher, type Launcher } from '../../src/runner/launcher.js';
import type { JobRecord } from '../../src/types.js';

/** The exit code, once recorded (a job settled from its result file gets it when the exit arrives). */
async function exitCodeOf(m: Awaited<ReturnType<typeof makeManager>>, id: string): Promise<number | null | undefined> {
  const status = await waitFor(async () => {
    const s = await m.status(id);
    return s.exitCode !== undefined ? s : undefined;
  }, 'the exit code');
  return status.exitCode;
}

describe('job lifecycle', () => {
  it('completes: results.json is the truth, progress is reported, the worker outlives nothing', async () => {
    const m = await makeManager();
    const { jobId, status } = await m.submit('simulate', { steps: 3, step_ms: 5 });
    expect(status).toBe('queued');
    const done = await m.wait(jobId, 10_000);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ current: 3, total: 3, message: 'step 3/3' });
    expect(done.pid).toBeGreaterThan(0);
    expect(done.pidStartTime).toMatch(/^\d+$/);
    expect((await exitCodeOf(m, jobId))).toBe(0);
    expect(await m.result(jobId)).toEqual({ status: 'completed', result: { steps: 3, checksum: expect.stringMatching(/^[0-9a-f]{8}$/) } });
    // job.json.lock may be there for an instant: the server's own lock around a job.json rewrite.
    const files = readdirSync(m.store.dir(jobId)).filter((name) => name !== 'job.json.lock').sort();
    expect(files).toEqual(['input.json', 'job.json', 'progress.json', 'results.json', 'stderr.log', 'stdout.log']);
  });

  it.each(['fs', 'chokidar'] as const)('emits job:progress from progress.json as the %s watcher sees it, then job:completed', async (watcher) => {
    const m = await makeManager({ watcher });
    const seen: number[] = [];
    m.on('job:progress', ({ progress }) => seen.push(progress.current));
    const { jobId } = await m.submit('simulate', { steps: 4, step_ms: 150 });
    await m.wait(jobId, 10_000);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // Real steps of this job only: 1..4, and at least two different ones (150 ms apart, throttle 100 ms).
    for (const current of seen) expect([1, 2, 3, 4]).toContain(current);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(2);
  });

  it('fails with kind error when the worker reports a failure in error.json', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('simulate', { steps: 5, step_ms: 1, fail_at_step: 2 });
    const done = await m.wait(jobId, 10_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ kind: 'error', message: 'simulated failure at step 2 of 5' });
    expect((await exitCodeOf(m, jobId))).toBe(1);
    expect(await m.result(jobId)).toMatchObject({ status: 'failed', error: { kind: 'error' } });
  });

  it('fails with kind exit and the exit code when the worker exits non-zero without error.json', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('exit_code', { code: 7 });
    const done = await m.wait(jobId, 10_000);
    expect(done).toMatchObject({ status: 'failed', exitCode: 7, error: { kind: 'exit', message: 'the worker exited with code 7 without writing error.json', details: { exitCode: 7 } } });
  });

  it('fails with kind invalid_result when the worker exits 0 without results.json', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('exit_code', { code: 0 });
    expect(await m.wait(jobId, 10_000)).toMatchObject({ status: 'failed', error: { kind: 'invalid_result', message: 'the worker exited with code 0 but wrote no results.json' } });
  });

  it('fails with kind lost when the worker is SIGKILLed mid-run', async () => {
    const m = await makeManager();
    // Kill it once the manager follows it (job:started comes after track()): the exit status then reaches it.
    let started: JobRecord | undefined;
    m.on('job:started', (r) => (started = r));
    const { jobId } = await m.submit('forever', {});
    const running = await waitFor(() => (started?.id === jobId ? started : undefined), 'the worker to start and be tracked');
    process.kill(running.pid!, 'SIGKILL');
    const done = await m.wait(jobId, 10_000);
    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ kind: 'lost', message: 'the worker was killed by SIGKILL before writing a result' });
    expect(done.signal).toBe('SIGKILL');
  });

  it('times out: the whole process group, grandchildren included, is gone afterwards', async () => {
    const m = await makeManager({ killGraceMs: 300 });
    // Long enough for the worker to start its grandchild and install its SIGTERM handler on a loaded machine
    // (at 400 ms, node was still starting up under load and died of the SIGTERM at once).
    const { jobId } = await m.submit('stubborn', {}, { timeoutMs: 2000 });
    const grandchildFile = join(m.store.dir(jobId), 'grandchild.pid');
    const grandchild = Number(await waitFor(() => existsSync(grandchildFile) && readFileSync(grandchildFile, 'utf8'), 'the grandchild pid'));
    const worker = (await m.status(jobId)).pid!;
    expect(pidAlive(grandchild)).toBe(true);
    const done = await m.wait(jobId, 10_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ kind: 'timeout', message: 'timed out after 2000 ms' });
    expect(done.stopRequested?.reason).toBe('timeout');
    await waitFor(() => !pidAlive(grandchild) && !pidAlive(worker), 'the process group to be gone', 5000);
  });

  it('cancels a queued job: it never starts', async () => {
    const m = await makeManager({ maxConcurrent: 1 });
    const blocker = await m.submit('forever', {});
    const queued = await m.submit('simulate', { steps: 1, step_ms: 0 });
    await waitFor(async () => (await m.status(blocker.jobId)).status === 'running', 'the blocker to run');
    const cancelled = await m.cancel(queued.jobId);
    expect(cancelled.status).toBe('cancelled');
    await m.cancel(blocker.jobId);
    await m.idle();
    const after = await m.status(queued.jobId);
    expect(after.status).toBe('cancelled');
    expect(after.pid).toBeUndefined();
    expect(existsSync(join(m.store.dir(queued.jobId), 'stdout.log'))).toBe(false);
    await expect(m.cancel(queued.jobId)).rejects.toMatchObject({ code: 'already_finished' });
  });

  it('cancels a running job: SIGTERM to the group, the worker stops between steps, status cancelled', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('simulate', { steps: 1000, step_ms: 20 });
    await waitFor(async () => ((await m.status(jobId)).progress?.current ?? 0) >= 2, 'some progress');
    const cancelled = await m.cancel(jobId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.stopRequested?.reason).toBe('cancel');
    expect(pidAlive(cancelled.pid!)).toBe(false);
    const error = JSON.parse(readFileSync(join(m.store.dir(jobId), 'error.json'), 'utf8'));
    expect(error.kind).toBe('cancelled');
  });

  it('cancels a job claimed but not launched yet: cancel returns once the worker is started and stopped', async () => {
    const local = new LocalLauncher();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const launcher: Launcher = { start: async (spec) => (await gate, local.start(spec)), isAlive: (h) => local.isAlive(h), terminate: (h, g) => local.terminate(h, g) };
    const m = await makeManager({ launcher });
    const { jobId } = await m.submit('forever', {});
    await waitFor(async () => (await m.status(jobId)).status === 'running', 'the claim');
    const cancelling = m.cancel(jobId);
    // Launch only once the cancel is recorded: it then waits for the pid, and the launch must stop the worker.
    await waitFor(async () => (await m.store.get(jobId)).stopRequested, 'the cancel to be recorded');
    expect((await m.store.get(jobId)).pid).toBeUndefined();
    release();
    const done = await cancelling;
    expect(done.status).toBe('cancelled');
    expect(done.pid).toBeGreaterThan(0);
    expect(pidAlive(done.pid!)).toBe(false);
  });

  it('SIGKILLs a worker that ignores SIGTERM when cancelled, after the grace period', async () => {
    const m = await makeManager({ killGraceMs: 200 });
    const { jobId } = await m.submit('stubborn', {});
    const grandchildFile = join(m.store.dir(jobId), 'grandchild.pid');
    const grandchild = Number(await waitFor(() => existsSync(grandchildFile) && readFileSync(grandchildFile, 'utf8'), 'the grandchild pid'));
    const done = await m.cancel(jobId);
    expect(done.status).toBe('cancelled');
    await waitFor(() => !pidAlive(grandchild), 'the grandchild to be gone', 5000);
  });

  it('fails with kind spawn when the wrapper cannot be started', async () => {
    const m = await makeManager();
    m.register({ ...m.registry.get('forever'), name: 'missing', command: ['/nonexistent/program'] });
    const { jobId } = await m.submit('missing', {});
    const done = await m.wait(jobId, 10_000);
    expect(done.status).toBe('failed');
    expect(done.error?.kind).toBe('spawn');
    expect(done.error?.message).toContain('/nonexistent/program');
  });
});
