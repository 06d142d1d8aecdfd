/**
 * Size limits on results.json, end to end (a real JobManager, real workers):
 * a result over `maxResultsFileBytes` ends the job `invalid_result` with a
 * message naming the option, and the file stays where it was; a completed
 * job's results.json replaced afterwards is refused by every reader without
 * quoting it.
 */
import { existsSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobManager } from '../../src/runner/job-manager.js';
import { ROOT, tempDir } from '../helpers.js';
import { call, connectInProcess, textOf, type Connected } from '../mcp/helpers.js';

let runner: JobManager;
let conn: Connected;
let dir: string;

beforeAll(async () => {
  dir = tempDir('mcp-jobs-limits-');
  runner = new JobManager({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), maxResultsFileBytes: 1000, scanIntervalMs: 0 });
  runner.register({ name: 'timed', description: 'sleeps ms', command: [process.execPath, join(ROOT, 'test', 'fixtures', 'timed.mjs')], schema: z.object({ ms: z.number().int(), value: z.unknown().optional() }) });
  await runner.start();
  conn = await connectInProcess(runner, { maxResultBytes: 200 });
});
afterAll(async () => {
  await conn?.close();
  await runner?.close();
});

describe('results.json size limit', () => {
  it('a result over maxResultsFileBytes: invalid_result naming the limit; the file stays in the job folder', async () => {
    const { jobId } = await runner.submit('timed', { ms: 1, value: 'x'.repeat(2000) });
    const view = await runner.wait(jobId, 10_000);
    expect(view).toMatchObject({ status: 'failed', error: { kind: 'invalid_result' } });
    expect(view.error!.message).toMatch(/^results\.json is 2\.\d KiB, over the 1000 bytes limit \(`maxResultsFileBytes`\); not read$/);
    expect(statSync(join(runner.store.dir(jobId), 'results.json')).size).toBeGreaterThan(2000);
  });

  it('a result under it but over the inline limit: a preview and a resource that reads it whole', async () => {
    const { jobId } = await runner.submit('timed', { ms: 1, value: 'y'.repeat(500) });
    expect((await runner.wait(jobId, 10_000)).status).toBe('completed');
    const results = await call(conn.client, 'get_job_results', { job_id: jobId });
    expect(results.structuredContent).toMatchObject({ truncated: true, resource_uri: `job://${jobId}/results` });
    const resource = await conn.client.readResource({ uri: `job://${jobId}/results` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).value).toBe('y'.repeat(500));
  });

  it('a completed job whose results.json is replaced afterwards by a link: every reader refuses it, nothing is quoted', async () => {
    const { jobId } = await runner.submit('timed', { ms: 1, value: 'ok' });
    expect((await runner.wait(jobId, 10_000)).status).toBe('completed');
    const secret = join(dir, 'secret.json');
    writeFileSync(secret, JSON.stringify({ value: 'SECRET' }));
    const results = join(runner.store.dir(jobId), 'results.json');
    renameSync(results, `${results}.orig`);
    symlinkSync(secret, results);

    await expect(runner.result(jobId)).rejects.toThrow(/results\.json is a symbolic link; links are not followed/);
    const tool = await call(conn.client, 'get_job_results', { job_id: jobId });
    expect(tool.isError).toBe(true);
    expect(textOf(tool)).toMatch(/symbolic link/);
    await expect(conn.client.readResource({ uri: `job://${jobId}/results` })).rejects.toThrow(/symbolic link/);
    for (const text of [textOf(tool), JSON.stringify(await runner.status(jobId))]) expect(text).not.toContain('SECRET');
    expect(existsSync(secret)).toBe(true);
  });
});
