/**
 * The queue cap (`maxQueued`, default 10,000): a submit past it is refused
 * with `queue_full` and creates nothing; the count comes from the folder's
 * index, so a second manager on the same folder sees the same backlog.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/index.js';
import { JobManager } from '../../src/runner/job-manager.js';
import { defaults, resolveOptions } from '../../src/options.js';
import { ACTIVE_DIR, STAGING_DIR } from '../../src/store/paths.js';
import { connectInProcess } from '../mcp/helpers.js';
import { tempDir } from '../helpers.js';
import { makeManager } from './setup.js';

/** Everything in a jobs folder: job folders, index markers, staging leftovers. */
function folderContents(jobsDir: string): { jobs: string[]; active: string[]; staging: string[] } {
  return {
    jobs: readdirSync(jobsDir).filter((name) => !name.startsWith('.')).sort(),
    active: readdirSync(join(jobsDir, ACTIVE_DIR)).sort(),
    staging: readdirSync(join(jobsDir, STAGING_DIR)),
  };
}

describe('maxQueued', () => {
  it('defaults to 10,000 and is validated like every option', () => {
    expect(defaults().maxQueued).toBe(10_000);
    expect(resolveOptions({ maxQueued: 5 }).maxQueued).toBe(5);
    for (const bad of [0, -1, 1.5, '10', null]) {
      expect(() => resolveOptions({ maxQueued: bad as number })).toThrow(/Expected `maxQueued` to be a positive integer, got /);
    }
  });

  it('a submit past the cap is refused with queue_full and creates nothing; room again once a job leaves', async () => {
    const m = await makeManager({ dispatch: false, maxQueued: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await m.submit('simulate', { steps: 1, step_ms: 0 })).jobId);
    const before = folderContents(m.options.jobsDir);
    expect(before.jobs).toHaveLength(3);
    const refused = m.submit('simulate', { steps: 1, step_ms: 0 });
    await expect(refused).rejects.toMatchObject({ name: 'JobsError', code: 'queue_full' });
    await expect(refused).rejects.toThrow(
      'The job queue is full: 3 jobs are waiting or running in this jobs folder (`maxQueued` is 3); nothing was submitted. Try again once some have finished, or cancel queued ones',
    );
    expect(folderContents(m.options.jobsDir)).toEqual(before);
    await m.cancel(ids[0]!);
    ids.push((await m.submit('simulate', { steps: 1, step_ms: 0 })).jobId);
    expect(folderContents(m.options.jobsDir).active).toEqual(ids.slice(1).sort());
  });

  it('counts the jobs another manager queued in the same folder', async () => {
    const dir = tempDir();
    const a = await makeManager({ dispatch: false, maxQueued: 100 }, dir);
    for (let i = 0; i < 2; i++) await a.submit('simulate', { steps: 1, step_ms: 0 });
    const b = await makeManager({ dispatch: false, maxQueued: 2 }, dir);
    await expect(b.submit('simulate', { steps: 1, step_ms: 0 })).rejects.toMatchObject({ code: 'queue_full' });
    expect(folderContents(a.options.jobsDir).jobs).toHaveLength(2);
  });

  it('over MCP: the start tool answers a tool error naming the cap, and no job is created', async () => {
    const dir = tempDir();
    const runner: JobManager = await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: false, dispatch: false, maxQueued: 1 });
    const conn = await connectInProcess(runner);
    try {
      const first = await conn.client.callTool({ name: 'simulate', arguments: { steps: 1, step_ms: 0 } });
      expect(first.isError).toBeFalsy();
      const second = await conn.client.callTool({ name: 'simulate', arguments: { steps: 1, step_ms: 0 } });
      expect(second.isError).toBe(true);
      expect(JSON.stringify(second.content)).toMatch(/queue is full/);
      expect(folderContents(runner.options.jobsDir).jobs).toHaveLength(1);
    } finally {
      await conn.close();
      await runner.close();
    }
  });
});
