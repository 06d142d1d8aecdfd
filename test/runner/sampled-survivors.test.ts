/**
 * Rules the sampled mutation run (BENCHMARKS.md, "Mutation testing") found no test for: each test here fails
 * with the named mutant applied. Real managers on temp folders; the workers are the fixtures.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobStore } from '../../src/store/job-store.js';
import { StateStore } from '../../src/store/state-store.js';
import { JobsError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';
import { fixture, makeManager } from './setup.js';

const ID = '0mx7ot1vn-0000-bf617185-e85d-46e1-bd00-fdaf6e0f3f10';

describe('the active index and job folders (job-store.ts)', () => {
  it('lists only job ids from .active, in id order: a stray file there is neither a job nor an error', async () => {
    const root = join(tempDir(), 'jobs');
    const store = new JobStore(root);
    await store.init();
    for (const name of ['notes.txt', '.hidden', 'x'.repeat(80), `${ID}.tmp`]) writeFileSync(join(root, '.active', name), '');
    // Ids in sorted order are submit order; readdir's order is the file system's.
    const ids = Array.from({ length: 12 }, (_, i) => ID.replace('0000', String(i).padStart(4, '0')));
    for (const id of [...ids].reverse()) writeFileSync(join(root, '.active', id), '');
    expect(await store.activeIds()).toEqual(ids);
  });

  it('a missing .active folder lists no active jobs (it is made again on the next submit)', async () => {
    const root = join(tempDir(), 'jobs');
    const store = new JobStore(root);
    await store.init();
    rmSync(join(root, '.active'), { recursive: true });
    expect(await store.activeIds()).toEqual([]);
  });

  it('a job folder that is a regular file reads as unsafe, naming it, and is never written through', async () => {
    const root = join(tempDir(), 'jobs');
    const store = new JobStore(root);
    await store.init();
    writeFileSync(join(root, ID), '{"not":"a folder"}');
    const read = await store.read(ID);
    expect(read).toMatchObject({ ok: false, reason: 'unsafe' });
    expect(!read.ok && read.message).toBe(`the job folder ${ID} is not a directory`);
  });
});

describe('a damaged state file (state-store.ts)', () => {
  it('is refused with storage, moved aside whole, and reported as damaged', async () => {
    const dir = join(tempDir(), 'state');
    const state = new StateStore(dir);
    await state.init();
    writeFileSync(state.path('runs'), '{"v": 1, "value": [tor');
    const error = await state.load('runs').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobsError);
    expect((error as JobsError).code).toBe('storage');
    expect((error as Error).message).toMatch(/^state field `runs`: .*moved to .*runs\.json\.corrupt-\d+/);
    const aside = readdirSync(dir).filter((name) => name.startsWith('runs.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{"v": 1, "value": [tor');
    expect(existsSync(state.path('runs'))).toBe(false);
  });
});

describe('the manager API (job-manager.ts, registry.ts)', () => {
  it('the result of a cancelled job is cancelled, not failed', async () => {
    const m = await makeManager({ maxConcurrent: 1 });
    const { jobId: blocker } = await m.submit('forever', {});
    const { jobId } = await m.submit('forever', {});
    await m.cancel(jobId);
    expect(await m.result(jobId)).toEqual({ status: 'cancelled' });
    await m.cancel(blocker);
  });

  it('pages a listing with a cursor, and refuses a limit out of range with what it got', async () => {
    const m = await makeManager({ maxConcurrent: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await m.submit('forever', {})).jobId);
    const first = await m.list({ limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toBeDefined();
    const second = await m.list({ limit: 2, cursor: first.nextCursor });
    expect(second.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeUndefined();
    await expect(m.list({ limit: 0 })).rejects.toThrow('Expected `limit` to be an integer from 1 to 1000, got `0` (number)');
    await expect(m.list({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(m.list({ limit: 1001 })).rejects.toThrow('Expected `limit` to be an integer from 1 to 1000');
    for (const id of ids) await m.cancel(id);
  });

  it('a job type name is registered once; replace: true swaps it', async () => {
    const m = await makeManager();
    const type = { name: 'twice', description: 'a', command: [process.execPath, fixture('timed.mjs')], schema: z.object({}) };
    m.register(type);
    expect(() => m.register({ ...type, description: 'b' })).toThrow('A job type named `twice` is already registered');
    expect(() => m.register({ ...type, description: 'b' }, { replace: true })).not.toThrow();
  });

  it('a closed manager refuses new work with a clear error; `await using` closes it', async () => {
    const m = await makeManager();
    await m.close();
    await expect(m.submit('timed', { ms: 0 })).rejects.toThrow('This job manager is closed');
    const disposed = await makeManager();
    await disposed[Symbol.asyncDispose]();
    await expect(disposed.submit('timed', { ms: 0 })).rejects.toThrow('This job manager is closed');
  });

  it('refuses an input JSON cannot hold, and a state patch for a type that takes none, creating nothing', async () => {
    const m = await makeManager();
    await expect(m.submit('timed', { ms: 0, value: 10n })).rejects.toThrow('The input of `timed` cannot be serialized as JSON (');
    await expect(m.submit('timed', { ms: 0 }, { statePatch: { op: 'replace', field: 'x' } as never })).rejects.toThrow(
      'Job type `timed` does not take a state_patch',
    );
    await expect(m.submit('timed', { ms: 0 }, { statePatch: null })).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await m.list()).jobs).toEqual([]);
  });

  it('wait answers with the finished job, also when it runs past the 500 ms status poll', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('timed', { ms: 1200, value: 7 });
    expect((await m.wait(jobId, 20_000)).status).toBe('completed');
  });
});

