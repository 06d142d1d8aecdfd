/**
 * The server's own writes into a job folder never follow a link a worker left
 * there: the log files it opens for the next worker, and the `attempts/`
 * folder a retry moves the failed attempt's files into.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobManager } from '../../src/runner/job-manager.js';
import type { RunnerOptions } from '../../src/options.js';
import { ROOT, tempDir, waitFor } from '../helpers.js';

const open: JobManager[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

function manager(dir: string, options: RunnerOptions = {}): JobManager {
  const m = new JobManager({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), killGraceMs: 1000, scanIntervalMs: 0, retryBackoffMs: 10, ...options });
  const node = (script: string) => [process.execPath, join(ROOT, 'test', 'fixtures', script)];
  m.register({ name: 'timed', description: 'sleeps ms', command: node('timed.mjs'), schema: z.object({ ms: z.number().int() }) });
  m.register({
    name: 'hostile',
    description: 'plants a hostile file in its own folder',
    command: node('hostile.mjs'),
    schema: z.object({ file: z.string(), kind: z.string(), end: z.string(), outside: z.string() }),
    maxAttempts: 2,
  });
  open.push(m);
  return m;
}

describe('server writes into a job folder', () => {
  it('a stdout.log / stderr.log link in a queued job folder: the worker is not started on it (spawn), the target is untouched', async () => {
    const dir = tempDir('mcp-jobs-writes-');
    const outside = join(dir, 'outside.log');
    writeFileSync(outside, 'untouched\n');
    const submitter = manager(dir, { dispatch: false });
    await submitter.start();
    const { jobId } = await submitter.submit('timed', { ms: 1 });
    symlinkSync(outside, join(submitter.store.dir(jobId), 'stdout.log'));
    await submitter.close();

    const dispatcher = manager(dir);
    await dispatcher.start();
    const view = await dispatcher.wait(jobId, 10_000);
    expect(view).toMatchObject({ status: 'failed', error: { kind: 'spawn' } });
    expect(view.error!.message).toMatch(/stdout\.log is a symbolic link/);
    expect(readFileSync(outside, 'utf8')).toBe('untouched\n');
  });

  it('a worker that leaves `attempts` as a link out of its folder: the retry moves its files into a real attempts/1, nothing lands outside', async () => {
    const dir = tempDir('mcp-jobs-writes-');
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const m = manager(dir);
    await m.start();
    const { jobId } = await m.submit('hostile', { file: 'attempts', kind: 'symlink-out', end: 'exit1', outside });
    const jobDir = m.store.dir(jobId);
    await waitFor(() => existsSync(join(jobDir, 'planted')), 'the worker to plant its link');
    writeFileSync(join(jobDir, 'release'), '');
    const view = await m.wait(jobId, 15_000);
    expect(view).toMatchObject({ status: 'failed', attempt: 2, error: { kind: 'exit' } });
    expect(readdirSync(outside)).toEqual([]);
    expect(lstatSync(join(jobDir, 'attempts')).isDirectory()).toBe(true);
    expect(readdirSync(join(jobDir, 'attempts', '1'))).toEqual(expect.arrayContaining(['stdout.log', 'stderr.log']));
  });
});
