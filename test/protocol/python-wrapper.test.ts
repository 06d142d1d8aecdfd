/**
 * The Python example wrapper (cli-wrappers/python/prime_sieve.py), registered
 * through mcp-jobs.config.example.json, driven end to end by a JobManager:
 * real detached python3 processes speaking the job folder protocol.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/index.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { ROOT, pidAlive, tempDir, waitFor } from '../helpers.js';
import { closeAfter, PRIME_SIEVE } from '../config/setup.js';

const EXAMPLE_CONFIG = join(ROOT, 'mcp-jobs.config.example.json');

async function runner(dir = tempDir(), options: { dispatch?: boolean } = {}): Promise<JobManager> {
  return closeAfter(await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: EXAMPLE_CONFIG, killGraceMs: 2000, ...options }));
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('a Python wrapper through the config', () => {
  it('is registered with its JSON Schema, reports progress, completes, and its state patch lands once', async () => {
    const m = await runner();
    const type = m.registry.get('prime_sieve');
    expect(type.command).toEqual(['python3', PRIME_SIEVE]);
    expect(type.statePatch).toEqual({ field: 'largest_prime', mode: 'replace', pointer: '/largest' });

    const progress: number[] = [];
    m.on('job:progress', ({ progress: p }) => progress.push(p.current));
    const { jobId } = await m.submit('prime_sieve', { limit: 2_000_000, segment_size: 200_000, step_ms: 100 });
    const running = await waitFor(async () => {
      const s = await m.status(jobId);
      return s.status === 'running' && (s.progress?.current ?? 0) >= 1 ? s : undefined;
    }, 'progress from the Python worker');
    expect(running.progress).toMatchObject({ total: 10, message: expect.stringMatching(/^segment \d+\/10: \d+ primes up to \d+$/) });

    const done = await m.wait(jobId, 20_000);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ current: 10, total: 10 });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(await m.result(jobId)).toEqual({
      status: 'completed',
      result: { limit: 2_000_000, count: 148_933, largest: 1_999_993, tail: [1_999_891, 1_999_957, 1_999_969, 1_999_979, 1_999_993], segments: 10 },
    });
    await waitFor(async () => (await m.status(jobId)).patchState === 'applied', 'the state patch');
    expect(await m.state.get('largest_prime')).toBe(1_999_993);
    const dir = m.store.dir(jobId);
    // results.json lands before the worker releases its lock: wait for the release, with a deadline.
    await waitFor(() => !existsSync(join(dir, 'worker.lock')), 'the worker to release its lock');
    expect(readJson(join(dir, 'progress.json'))).toMatchObject({ current: 10, total: 10, updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
  });

  it('cancels: SIGTERM stops it between segments; error.json says kind cancelled and the job is cancelled', async () => {
    const m = await runner();
    const { jobId } = await m.submit('prime_sieve', { limit: 100_000_000, segment_size: 1_000_000, step_ms: 200 });
    const running = await waitFor(async () => {
      const s = await m.status(jobId);
      return s.status === 'running' && s.pid && (s.progress?.current ?? 0) >= 1 ? s : undefined;
    }, 'the Python worker to be running');
    const record = await m.cancel(jobId);
    expect(record.status).toBe('cancelled');
    expect(readJson(join(m.store.dir(jobId), 'error.json'))).toEqual({ message: 'stopped: received a signal', kind: 'cancelled' });
    expect(await m.result(jobId)).toEqual({ status: 'cancelled' });
    await waitFor(() => !pidAlive(running.pid!), 'the worker to exit');
    const final = await waitFor(async () => {
      const s = await m.status(jobId);
      return s.exitCode !== undefined ? s : undefined;
    }, 'the exit code');
    expect(final.exitCode).toBe(1);
  });

  it('is picked up by a new manager when the one that started it went away mid-job', async () => {
    const dir = tempDir();
    const first = await runner(dir);
    const { jobId } = await first.submit('prime_sieve', { limit: 1_000_000, segment_size: 100_000, step_ms: 100 });
    const running = await waitFor(async () => {
      const s = await first.status(jobId);
      return s.status === 'running' && (s.progress?.current ?? 0) >= 1 ? s : undefined;
    }, 'the Python worker to be running');
    await first.close();
    expect(pidAlive(running.pid!)).toBe(true); // detached: it outlives its manager
    const second = await runner(dir);
    const done = await second.wait(jobId, 20_000);
    expect(done.status).toBe('completed');
    expect(await second.result(jobId)).toMatchObject({ status: 'completed', result: { count: 78_498, largest: 999_983 } });
  });

  it('refuses input the JSON Schema rejects at submit, naming the field, and writes no job', async () => {
    const m = await runner();
    await expect(m.submit('prime_sieve', { limit: 1 })).rejects.toThrow(/Invalid input for `prime_sieve`: limit: /);
    await expect(m.submit('prime_sieve', { limit: 10, colour: 'red' })).rejects.toThrow(/Invalid input for `prime_sieve`: .*colour/);
    expect((await m.list()).jobs).toEqual([]);
  });

  it('fails with kind invalid_input when input.json changed after submit: the worker validates it itself', async () => {
    const dir = tempDir();
    const submitter = await runner(dir, { dispatch: false });
    const { jobId } = await submitter.submit('prime_sieve', { limit: 1000 });
    await submitter.close();
    // The digest in job.json no longer matches, so the worker does not trust the input and validates it.
    writeFileSync(join(dir, 'jobs', jobId, 'input.json'), '{ "limit": "many" }\n');
    const m = await runner(dir);
    const done = await m.wait(jobId, 15_000);
    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ kind: 'invalid_input', message: "limit: expected an integer from 2 to 2000000000, got 'many'" });
    expect(readJson(join(dir, 'jobs', jobId, 'error.json'))).toEqual({ message: "limit: expected an integer from 2 to 2000000000, got 'many'", kind: 'invalid_input' });
  });
});
