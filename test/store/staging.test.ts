/**
 * Where a submit is born: job folders are written in `jobs/.staging/<id>` and renamed into place, so a submit
 * that crashed leaves only a staging folder, which `init` removes once it is old (a fresh one may be another
 * process submitting right now). Job folders themselves are never staging leftovers, however old.
 */
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobStore, STAGING_ABANDONED_MS } from '../../src/store/job-store.js';
import { tempDir } from '../helpers.js';
import { makeManager } from '../runner/setup.js';

const ago = (ms: number) => new Date(Date.now() - ms);

describe('staging of a submit (job-store.ts)', () => {
  it('a submit leaves its whole job folder in place and nothing in staging', async () => {
    const dir = tempDir();
    const m = await makeManager({ dispatch: false }, dir);
    const { jobId } = await m.submit('timed', { ms: 1 });
    const jobs = join(dir, 'jobs');
    expect(readdirSync(join(jobs, '.staging'))).toEqual([]);
    expect(readdirSync(join(jobs, jobId)).sort()).toEqual(['input.json', 'job.json']);
  });

  it('init removes old staging leftovers, keeps a fresh one, and never a job folder however old', async () => {
    const dir = tempDir();
    const m = await makeManager({ dispatch: false }, dir);
    const { jobId } = await m.submit('timed', { ms: 1 });
    await m.close();
    const jobs = join(dir, 'jobs');
    const old = ago(STAGING_ABANDONED_MS + 60_000);
    utimesSync(join(jobs, jobId), old, old);
    const crashed = join(jobs, '.staging', jobId.replace(/.$/, '0'));
    const inFlight = join(jobs, '.staging', jobId.replace(/.$/, '1'));
    for (const leftover of [crashed, inFlight]) {
      mkdirSync(leftover);
      writeFileSync(join(leftover, 'input.json'), '{}');
    }
    utimesSync(crashed, old, old);

    const store = new JobStore(jobs);
    await store.init();
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(inFlight)).toBe(true);
    expect(await store.read(jobId)).toMatchObject({ ok: true, value: { id: jobId, status: 'queued' } });
    expect(await store.removeStagingLeftovers(0)).toEqual([jobId.replace(/.$/, '1')]);
  });
});
