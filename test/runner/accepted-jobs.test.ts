/**
 * "Every accepted job is found by every later process, whatever runs
 * concurrently" (issue 8, defects 1 and 20): the `.active/` index must never
 * lose the marker of a job that still needs attention.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { thisProcess } from '../../src/worker/lock-owner.js';
import { isJobId, newJobId } from '../../src/ids.js';
import { JobStore } from '../../src/store/job-store.js';
import { tempDir } from '../helpers.js';
import { makeManager } from './setup.js';

describe('accepted jobs stay in the index', () => {
  it('500 submits while reconcile() scans in a loop: every job is still queued, indexed and listed', async () => {
    const dir = tempDir();
    const m = await makeManager({ dispatch: false }, dir);
    let submitting = true;
    let scans = 0;
    const scanner = (async () => {
      while (submitting) {
        await m.reconcile();
        scans += 1;
      }
    })();
    const ids: string[] = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      pending.push(m.submit('timed', { ms: 1 }).then(({ jobId }) => void ids.push(jobId)));
      if (pending.length === 10) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    submitting = false;
    await scanner;
    expect(scans).toBeGreaterThan(0);
    const markers = new Set(readdirSync(join(dir, 'jobs', '.active')));
    const unindexed = ids.filter((id) => !markers.has(id));
    expect(unindexed, `${unindexed.length} of 500 accepted jobs lost their marker (${scans} scans ran)`).toEqual([]);
    const listed = await m.list({ status: 'queued', limit: 1000 });
    expect(listed.jobs.length).toBe(500);
  });

  it('a scan between the marker and the folder rename keeps the marker (submit in flight)', async () => {
    // The exact window of defect 1, held open: the marker exists, the job folder is still in staging.
    const dir = tempDir();
    const m = await makeManager({ dispatch: false }, dir);
    const model = await m.submit('timed', { ms: 1 });
    const id = newJobId();
    const staging = join(dir, 'jobs', '.staging', id);
    mkdirSync(staging);
    for (const name of ['job.json', 'input.json']) {
      writeFileSync(join(staging, name), readFileSync(join(dir, 'jobs', model.jobId, name), 'utf8').replaceAll(model.jobId, id));
    }
    writeFileSync(join(dir, 'jobs', '.active', id), '');
    await m.reconcile();
    expect(existsSync(join(dir, 'jobs', '.active', id)), 'the marker of a submit in flight survives a scan').toBe(true);
    renameSync(staging, join(dir, 'jobs', id));
    const queued = (await m.list({ status: 'queued' })).jobs.map((j) => j.id);
    expect(queued).toContain(id);
  });

  it('a submit that crashed before its rename (its process is gone) leaves nothing behind: the next scan drops marker and staging', async () => {
    const dir = tempDir();
    const m = await makeManager({ dispatch: false }, dir);
    const id = newJobId();
    const staging = join(dir, 'jobs', '.staging', id);
    mkdirSync(staging);
    writeFileSync(join(staging, 'job.json'), '{}');
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
    writeFileSync(join(dir, 'jobs', '.active', id), `${JSON.stringify({ ...thisProcess(), pid: gone, startTime: undefined })}\n`);
    await m.reconcile();
    expect(existsSync(join(dir, 'jobs', '.active', id))).toBe(false);
    expect(existsSync(staging)).toBe(false);
  });

  it('a marker with neither a job folder nor a staging folder is dropped (a failed or removed job)', async () => {
    const dir = tempDir();
    const m = await makeManager({ dispatch: false }, dir);
    const id = newJobId();
    writeFileSync(join(dir, 'jobs', '.active', id), '');
    await m.reconcile();
    expect(existsSync(join(dir, 'jobs', '.active', id))).toBe(false);
  });

  it('unmarkActive never drops the marker of a job that is queued again (two managers deciding one attempt)', async () => {
    const dir = tempDir();
    const m = await makeManager({ dispatch: false }, dir);
    const { jobId } = await m.submit('timed', { ms: 1 });
    const store = new JobStore(join(dir, 'jobs'));
    await store.unmarkActive(jobId);
    expect(existsSync(join(dir, 'jobs', '.active', jobId))).toBe(true);
    expect((await m.list({ status: 'queued' })).jobs.map((j) => j.id)).toEqual([jobId]);
  });
});

describe('submit order', () => {
  it('ids made in the same millisecond sort in the order they were made', () => {
    const ids = Array.from({ length: 2000 }, () => newJobId());
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every(isJobId)).toBe(true);
  });

  it('equal-priority jobs submitted back to back start in submit order', async () => {
    const dir = tempDir();
    const first = await makeManager({ dispatch: false }, dir);
    // Called in order without waiting between calls: several share a millisecond.
    const submitted = (await Promise.all(Array.from({ length: 16 }, () => first.submit('timed', { ms: 1 })))).map((s) => s.jobId);
    await first.close();
    const second = await makeManager({ maxConcurrent: 1 }, dir);
    const started: string[] = [];
    second.on('job:started', (record) => started.push(record.id));
    for (const id of submitted) expect((await second.wait(id, 20_000)).status).toBe('completed');
    expect(started).toEqual(submitted);
  });
});

describe('retention', () => {
  it('keepLast keeps the jobs that finished last, not the ones created last', async () => {
    const m = await makeManager({ maxConcurrent: 2 });
    const slow = await m.submit('timed', { ms: 1500 }); // created first, finishes last
    const quick = await m.submit('timed', { ms: 1 });
    expect((await m.wait(quick.jobId, 10_000)).status).toBe('completed');
    expect((await m.wait(slow.jobId, 10_000)).status).toBe('completed');
    const finished = async (id: string) => (await m.status(id)).finishedAt!;
    expect(await finished(slow.jobId) > (await finished(quick.jobId))).toBe(true);
    const report = await m.cleanup({ olderThanMs: 0, keepLast: 1, dryRun: true });
    expect(report.removed).toEqual([quick.jobId]);
  });
});
