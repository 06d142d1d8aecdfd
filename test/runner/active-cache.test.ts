/**
 * The dispatcher's active-records cache (src/runner/active-cache.ts) on real
 * folders: it returns what `store.activeRecords()` returns, reads only the
 * job.json files that changed since the previous pass, sees rewrites by
 * another manager, drops jobs that left the index, and never opens a
 * job.json that is not a regular file.
 */
import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActiveRecordsCache } from '../../src/runner/active-cache.js';
import { JobManager } from '../../src/runner/job-manager.js';
import { tempDir } from '../helpers.js';
import { makeManager } from './setup.js';

async function queued(count: number): Promise<{ m: JobManager; ids: string[] }> {
  const m = await makeManager({ dispatch: false });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await m.submit('timed', { ms: 1, value: i })).jobId);
  return { m, ids };
}

describe('active-records cache', () => {
  it('returns what store.activeRecords() returns, and rereads nothing unchanged', async () => {
    const { m, ids } = await queued(30);
    const cache = new ActiveRecordsCache(m.store);
    expect(await cache.records()).toEqual(await m.store.activeRecords());
    expect(cache.stats).toEqual({ passes: 1, reads: 30, hits: 0 });
    expect((await cache.records()).map((r) => r.id)).toEqual([...ids].sort());
    expect(cache.stats).toEqual({ passes: 2, reads: 30, hits: 30 });
  });

  it('rereads exactly the job.json files rewritten since the last pass, by whichever process', async () => {
    const dir = tempDir();
    const { m, ids } = await queued(20);
    const other = new JobManager({ jobsDir: m.options.jobsDir, stateDir: join(dir, 'other-state'), dispatch: false, watch: false });
    const cache = new ActiveRecordsCache(m.store);
    await cache.records();
    await m.store.update(ids[3]!, (cur) => ({ ...cur, priority: 7 }));
    await other.store.update(ids[11]!, (cur) => ({ ...cur, priority: -2 }));
    const records = await cache.records();
    expect(cache.stats.reads).toBe(22);
    expect(records.find((r) => r.id === ids[3])!.priority).toBe(7);
    expect(records.find((r) => r.id === ids[11])!.priority).toBe(-2);
    expect(records).toEqual(await m.store.activeRecords());
    await other.close();
  });

  it('drops a job that left the index and skips a job.json that is a directory (never opened)', async () => {
    const { m, ids } = await queued(5);
    const cache = new ActiveRecordsCache(m.store);
    await cache.records();
    unlinkSync(join(m.options.jobsDir, '.active', ids[0]!)); // it left the index (unmarkActive keeps a queued job's marker)
    const jobJson = join(m.store.dir(ids[1]!), 'job.json');
    renameSync(jobJson, `${jobJson}.saved`);
    mkdirSync(jobJson);
    writeFileSync(join(jobJson, 'x'), '');
    const records = await cache.records();
    expect(records.map((r) => r.id)).toEqual(ids.slice(2).sort());
    rmSync(jobJson, { recursive: true });
    renameSync(`${jobJson}.saved`, jobJson);
    expect((await cache.records()).map((r) => r.id)).toEqual(ids.slice(1).sort());
  });
});
