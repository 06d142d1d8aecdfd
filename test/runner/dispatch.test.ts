/** Dispatch order, the concurrency cap, restarts, id validation and input validation. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobManager, getJobManager } from '../../src/runner/job-manager.js';
import { isJobId } from '../../src/ids.js';
import { tempDir, waitFor } from '../helpers.js';
import { makeManager } from './setup.js';

const BAD_IDS = ['../x', 'a/b', '..', '', 'x'.repeat(500), '/etc/passwd', 'ABCDEFGHIJKLMNOPQRST', 'abc\u0000defghijklmnopq', 'short'];

describe('dispatch', () => {
  it('runs 10 jobs under maxConcurrent 2 with never more than 2 overlapping (recorded start/end times)', async () => {
    const m = await makeManager({ maxConcurrent: 2 });
    const ids: string[] = [];
    // 800 ms each: two of them certainly overlap, also when a loaded machine takes 0.5 s to start a worker.
    for (let i = 0; i < 10; i++) ids.push((await m.submit('timed', { ms: 800, value: i })).jobId);
    const spans: { start: number; end: number }[] = [];
    for (const id of ids) {
      expect((await m.wait(id, 20_000)).status).toBe('completed');
      const outcome = await m.result(id);
      spans.push((outcome as { result: { start: number; end: number } }).result);
    }
    let maxOverlap = 0;
    for (const span of spans) {
      const overlapping = spans.filter((other) => other.start <= span.start && other.end > span.start).length;
      maxOverlap = Math.max(maxOverlap, overlapping);
    }
    expect(maxOverlap).toBe(2);
  });

  it('starts higher priority first, then in submit order', async () => {
    const m = await makeManager({ maxConcurrent: 1 });
    const blocker = await m.submit('forever', {});
    await waitFor(async () => (await m.status(blocker.jobId)).status === 'running', 'the blocker to run');
    const low = await m.submit('timed', { ms: 1 });
    const high = await m.submit('timed', { ms: 1 }, { priority: 5 });
    const low2 = await m.submit('timed', { ms: 1 });
    await m.cancel(blocker.jobId);
    const started = async (id: string) => (await m.wait(id, 10_000)).startedAt!;
    const [tLow, tHigh, tLow2] = [await started(low.jobId), await started(high.jobId), await started(low2.jobId)];
    expect(tHigh <= tLow).toBe(true);
    expect(tLow <= tLow2).toBe(true);
  });

  it('a new manager on the same folder picks up queued jobs', async () => {
    const dir = tempDir();
    const first = await makeManager({ dispatch: false }, dir);
    const { jobId } = await first.submit('simulate', { steps: 2, step_ms: 1 });
    expect((await first.status(jobId)).status).toBe('queued');
    await first.close();
    const second = await makeManager({}, dir);
    expect((await second.wait(jobId, 10_000)).status).toBe('completed');
  });

  it('counts running jobs from the folder: a second manager respects the cap of the first', async () => {
    const dir = tempDir();
    const a = await makeManager({ maxConcurrent: 1 }, dir);
    const b = await makeManager({ maxConcurrent: 1 }, dir);
    const one = await a.submit('forever', {});
    await waitFor(async () => (await a.status(one.jobId)).status === 'running', 'the first job to run');
    const two = await b.submit('timed', { ms: 1 });
    await b.idle();
    await a.idle();
    expect((await b.status(two.jobId)).status).toBe('queued');
    await a.cancel(one.jobId);
    expect((await b.wait(two.jobId, 10_000)).status).toBe('completed');
  });
});

describe('getJobManager', () => {
  it('returns one manager per jobs folder (however the path is spelled) until it is closed', async () => {
    const dir = tempDir();
    const a = getJobManager(join(dir, 'jobs'), { stateDir: join(dir, 'state'), dispatch: false });
    expect(getJobManager(join(dir, 'jobs', '..', 'jobs'))).toBe(a);
    expect(getJobManager(join(dir, 'other'))).not.toBe(a);
    await a.close();
    await getJobManager(join(dir, 'other')).close();
    expect(getJobManager(join(dir, 'jobs'))).not.toBe(a);
    await getJobManager(join(dir, 'jobs')).close();
  });
});

describe('validation at every entry point', () => {
  it.each(BAD_IDS)('rejects the id %j before building any path', async (id) => {
    const m = await makeManager();
    for (const call of [() => m.status(id), () => m.result(id), () => m.cancel(id), () => m.wait(id, 10)]) {
      await expect(call()).rejects.toMatchObject({ code: 'invalid_id' });
    }
    expect(() => m.store.dir(id)).toThrow(/Expected a job id/);
  });

  it('answers not_found for a well-formed id that does not exist', async () => {
    const m = await makeManager();
    await expect(m.status('0000000000-does-not-exist')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('invalid input names the field and creates no folder', async () => {
    const m = await makeManager();
    const jobFolders = () => readdirSync(m.options.jobsDir).filter(isJobId);
    const before = jobFolders();
    await expect(m.submit('simulate', { steps: 0, step_ms: 1 })).rejects.toThrow(/Invalid input for `simulate`: steps: Too small/);
    await expect(m.submit('simulate', { steps: 1, step_ms: 1, nope: true })).rejects.toThrow(/nope/);
    await expect(m.submit('nope', {})).rejects.toMatchObject({ code: 'unknown_type', message: expect.stringContaining('registered: ') });
    await expect(m.submit('simulate', { steps: 1, step_ms: 1 }, { priority: 1.5 })).rejects.toThrow(/priority/);
    await expect(m.submit('simulate', { steps: 1, step_ms: 1 }, { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(m.submit('simulate', { steps: 1, step_ms: 1 }, { statePatch: { field: '../x', mode: 'replace' } })).rejects.toThrow(/state_patch: field/);
    expect(jobFolders()).toEqual(before);
    expect(before).toEqual([]);
    expect(readdirSync(join(m.options.jobsDir, '.active'))).toEqual([]);
    expect(readdirSync(join(m.options.jobsDir, '.staging'))).toEqual([]);
  });

  it('run_command is not registered without an allowlist, and refuses programs the allowlist does not name', async () => {
    const none = await makeManager();
    await expect(none.submit('run_command', { argv: ['echo', 'hi'] })).rejects.toMatchObject({ code: 'unknown_type' });
    const m = await makeManager({ allowCommands: ['echo'] });
    await expect(m.submit('run_command', { argv: ['rm', '-rf', '/'] })).rejects.toThrow('Invalid input for `run_command`: `rm` is not an allowed command (allowed: echo)');
    const { jobId } = await m.submit('run_command', { argv: ['echo', 'hello; $(not a shell)'] });
    const done = await m.wait(jobId, 10_000);
    expect(done.status).toBe('completed');
    expect(await m.result(jobId)).toMatchObject({ result: { exit_code: 0, stdout_tail: 'hello; $(not a shell)\n', stderr_tail: '' } });
  });

  it('rejects bad options with a message naming the option and the value', () => {
    expect(() => new JobManager({ maxConcurrent: 0 })).toThrow('Expected `maxConcurrent` to be a positive integer, got `0` (number)');
    expect(() => new JobManager({ killGraceMs: -5 })).toThrow(/`killGraceMs`/);
    expect(() => new JobManager({ nope: 1 } as never)).toThrow('Unknown option `nope`');
    expect(existsSync('jobs/.active')).toBe(false);
  });
});
