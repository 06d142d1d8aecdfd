/**
 * One unreadable job.json never stops the folder (issue 8, defect 4): the
 * damaged job is isolated and reported, every other job is dispatched, listed
 * and counted.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { healthReport } from '../../src/mcp/health.js';
import { tempDir } from '../helpers.js';
import { makeManager } from './setup.js';

describe('a damaged job.json', () => {
  it('a directory named job.json: other jobs still start and finish, list and health answer and report it', async () => {
    const dir = tempDir();
    const first = await makeManager({ dispatch: false }, dir);
    const bad = await first.submit('timed', { ms: 1 });
    await first.close();
    const record = join(dir, 'jobs', bad.jobId, 'job.json');
    rmSync(record);
    mkdirSync(record);

    const m = await makeManager({ scanIntervalMs: 0 }, dir);
    const good = await m.submit('timed', { ms: 1 });
    expect((await m.wait(good.jobId, 10_000)).status).toBe('completed');
    const listed = await m.list();
    expect(listed.jobs.map((j) => j.id)).toContain(good.jobId);
    // Reported: either still damaged (health says so), or recovered by the reconciler as a
    // failed job whose record says why (job.json kept aside as job.json.corrupt).
    const health = await m.health();
    const report = await healthReport(m);
    if (health.damaged.length) {
      expect(health.damaged.map((d) => d.id)).toEqual([bad.jobId]);
      expect(report.status, 'one damaged job does not degrade the server').toBe('ok');
      expect(report.damaged_jobs[0]).toMatchObject({ id: bad.jobId, problem: expect.stringContaining('job.json') });
    } else {
      const recovered = await m.status(bad.jobId);
      expect(recovered.status).toBe('failed');
      expect(recovered.error?.message).toMatch(/job\.json/);
    }
  });
});
