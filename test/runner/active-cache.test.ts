/**
 * The dispatcher's active-records cache (src/runner/active-cache.ts) on real
 * folders: it returns what `store.activeRecords()` returns, reads nothing
 * that did not change, sees another manager's claims (through `.claims`) and
 * rewrites of running jobs, drops jobs that left the index, and never opens
 * a job.json that is not a regular file.
 */
import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActiveRecordsCache } from '../../src/runner/active-cache.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { withFileLock } from '../../src/store/locks.js';
import type { JobRecord } from '../../src/types.js';
import { tempDir, waitFor } from '../helpers.js';
import { makeManager } from './setup.js';

async function queued(count: number, dir = tempDir()): Promise<{ m: JobManager; ids: string[]; dir: string }> {
  const m = await makeManager({ dispatch: false }, dir);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await m.submit('forever', {})).jobId);
  return { m, ids, dir };
}

describe('active-records cache', () => {
  it('returns what store.activeRecords() returns, and reads nothing unchanged', async () => {
    const { m, ids } = await queued(30);
    const cache = new ActiveRecordsCache(m.store);
    expect(await cache.records()).toEqual(await m.store.activeRecords());
    expect(cache.stats).toEqual({ passes: 1, reads: 30, hits: 0, full: 1 });
    expect((await cache.records()).map((r) => r.id)).toEqual([...ids].sort());
    expect(cache.stats).toEqual({ passes: 2, reads: 30, hits: 30, full: 1 });
  });

  it("sees another manager's claim at its next pass, and the end of that job", async () => {
    const { m, ids, dir } = await queued(10);
    const cache = new ActiveRecordsCache(m.store);
    // As the dispatcher does: passes run under the dispatch lock (a claim and its `.claims` touch are one hold).
    const pass = () => withFileLock(m.store.dispatchLockPath, () => cache.records());
    await pass();
    const other = await makeManager({ maxConcurrent: 1 }, dir);
    let started: JobRecord | undefined;
    try {
      started = await waitFor(async () => (await m.store.activeRecords()).find((r) => r.status === 'running'), "the other manager's claim");
      const seen = await pass();
      expect(cache.stats.full).toBe(2);
      expect(seen.filter((r) => r.status === 'running').map((r) => r.id)).toEqual([started.id]);
      expect(seen.map((r) => r.id)).toEqual((await m.store.activeRecords()).map((r) => r.id));
      // A running record is revalidated on every pass: its end is seen without any claim.
      await other.close(); // no more claims: the queue below stays as it is
      await m.cancel(started.id);
      const after = await pass();
      expect(after.find((r) => r.id === started!.id)?.status ?? 'gone').not.toBe('running');
      expect(after.filter((r) => r.status === 'queued')).toHaveLength(ids.length - 1);
    } finally {
      await other.close();
      for (const r of await m.store.activeRecords()) if (r.status === 'running') await m.cancel(r.id).catch(() => undefined);
    }
  });

  it('drops a job that left the index and skips a job.json that is a directory (never opened)', async () => {
    const { m, ids } = await queued(5);
    const jobJson = join(m.store.dir(ids[1]!), 'job.json');
    renameSync(jobJson, join(dirname(jobJson), 'saved.json'));
    mkdirSync(jobJson);
    writeFileSync(join(jobJson, 'x'), '');
    const cache = new ActiveRecordsCache(m.store);
    expect((await cache.records()).map((r) => r.id)).toEqual([ids[0]!, ...ids.slice(2)].sort());
    unlinkSync(join(m.options.jobsDir, '.active', ids[0]!)); // it left the index (unmarkActive keeps a queued job's marker)
    rmSync(jobJson, { recursive: true });
    renameSync(join(dirname(jobJson), 'saved.json'), jobJson);
    expect((await cache.records()).map((r) => r.id)).toEqual(ids.slice(1).sort());
  });
});
