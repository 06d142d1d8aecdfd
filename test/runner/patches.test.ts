/** State patches through real jobs: modes, pointers, named handlers, exactly-once, no regression. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { declarativeStep, resolvePointer } from '../../src/runner/patches.js';
import { StateStore, emptyFile } from '../../src/store/state-store.js';
import { tempDir, waitFor } from '../helpers.js';
import { fixture, makeManager } from './setup.js';

describe('state patches', () => {
  it('append: each job lands once, in the state file with the ids it absorbed', async () => {
    const m = await makeManager();
    const patch = { field: 'runs', mode: 'append', pointer: '/steps' } as const;
    const ids = [];
    for (const steps of [1, 2, 3]) ids.push((await m.submit('simulate', { steps, step_ms: 0 }, { statePatch: patch })).jobId);
    for (const id of ids) expect((await m.wait(id, 10_000)).patchState).toBe('applied');
    const file = JSON.parse(readFileSync(join(m.options.stateDir, 'runs.json'), 'utf8'));
    expect([...file.value].sort()).toEqual([1, 2, 3]);
    expect(Object.keys(file.applied).sort()).toEqual([...ids].sort());
    expect(await m.state.get('runs')).toHaveLength(3);
  });

  it('emits state:changed after the write and job:completed after the patch is applied', async () => {
    const m = await makeManager();
    const seen: string[] = [];
    m.on('state:changed', ({ field }) => seen.push(`state:${field}`));
    m.on('job:completed', (r) => seen.push(`completed:${r.patchState}`));
    const { jobId } = await m.submit('simulate', { steps: 1, step_ms: 0 }, { statePatch: { field: 'last', mode: 'replace' } });
    // On the events themselves: m.wait() may return from a status read before job:completed is emitted.
    await waitFor(() => seen.length >= 2, 'state:changed and job:completed');
    expect((await m.status(jobId)).patchState).toBe('applied');
    expect(seen).toEqual(['state:last', 'completed:applied']);
  });

  it('applying the same job twice changes nothing (exactly once, also for append)', async () => {
    const state = new StateStore(tempDir());
    await state.init();
    const step = (current: ReturnType<typeof emptyFile>) => declarativeStep({ field: 'xs', mode: 'append' }, 1, { id: 'job-a', finishedAt: '2026-01-01T00:00:00.000Z' }, current);
    expect(await state.apply('xs', 'job-a', '2026-01-01T00:00:00.000Z', step)).toBe('applied');
    expect(await state.apply('xs', 'job-a', '2026-01-01T00:00:00.000Z', step)).toBe('already');
    expect(await state.get('xs')).toEqual([1]);
  });

  it('replace never regresses: a job that finished earlier does not overwrite a later one, whatever the order', async () => {
    const state = new StateStore(tempDir());
    await state.init();
    const apply = (id: string, finishedAt: string, value: string) =>
      state.apply('design', id, finishedAt, (cur) => declarativeStep({ field: 'design', mode: 'replace' }, value, { id, finishedAt }, cur));
    expect(await apply('job-late', '2026-01-01T00:00:02.000Z', 'late')).toBe('applied');
    expect(await apply('job-early', '2026-01-01T00:00:01.000Z', 'early')).toBe('unchanged');
    expect(await state.get('design')).toBe('late');
    const file = await state.load('design');
    expect(Object.keys(file.applied).sort()).toEqual(['job-early', 'job-late']);
  });

  it('merge combines objects; a pointer takes part of the result; a bad pointer is a reported patch error', async () => {
    const m = await makeManager();
    const a = await m.submit('timed', { ms: 1, value: { a: 1 } }, {});
    await m.wait(a.jobId, 10_000);
    m.register({ ...m.registry.get('timed'), name: 'timed_merge', statePatch: { field: 'cfg', mode: 'merge', pointer: '/value' } });
    m.register({ ...m.registry.get('timed'), name: 'timed_badptr', statePatch: { field: 'cfg', mode: 'merge', pointer: '/missing/x' } });
    const one = await m.submit('timed_merge', { ms: 1, value: { a: 1, b: 1 } });
    expect((await m.wait(one.jobId, 10_000)).patchState).toBe('applied');
    const two = await m.submit('timed_merge', { ms: 1, value: { b: 2, c: 3 } });
    expect((await m.wait(two.jobId, 10_000)).patchState).toBe('applied');
    expect(await m.state.get('cfg')).toEqual({ a: 1, b: 2, c: 3 });
    const bad = await m.submit('timed_badptr', { ms: 1 });
    const done = await m.wait(bad.jobId, 10_000);
    expect(done.status).toBe('completed');
    expect(done.patchState).toBe('error');
    expect(done.patchError).toBe('JSON pointer `/missing/x` does not resolve in the result (no `missing`)');
    expect(await m.state.get('cfg')).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('named handlers are recorded by name; an unknown name is reported on the job and waits for a process that has it', async () => {
    const m = await makeManager();
    m.registerStatePatch('countSteps', (current, result) => ((current as number | undefined) ?? 0) + (result as { steps: number }).steps);
    m.register({ ...m.registry.get('simulate'), name: 'sim_named', statePatch: { handler: 'countSteps', field: 'total' } });
    m.register({ ...m.registry.get('simulate'), name: 'sim_unknown', statePatch: { handler: 'nobodyRegisteredThis', field: 'total' } });
    const a = await m.submit('sim_named', { steps: 4, step_ms: 0 });
    const b = await m.submit('sim_named', { steps: 5, step_ms: 0 });
    const done = await m.wait(a.jobId, 10_000);
    expect(done.patch).toEqual({ kind: 'named', name: 'countSteps', field: 'total' });
    await m.wait(b.jobId, 10_000);
    expect(await m.state.get('total')).toBe(9);
    const c = await m.submit('sim_unknown', { steps: 1, step_ms: 0 });
    const waiting = await m.wait(c.jobId, 10_000);
    expect(waiting).toMatchObject({
      status: 'completed',
      patchState: 'pending',
      patchError: `no state patch handler named \`nobodyRegisteredThis\` is registered in this process (pid ${process.pid}); the patch stays pending until a process that has it applies it`,
    });
    expect(await m.state.get('total')).toBe(9);
    // The process that has the handler (here: once it is registered) applies it, exactly once.
    m.registerStatePatch('nobodyRegisteredThis', (current) => (current as number) + 100);
    await m.reconcile();
    await m.reconcile();
    const applied = await m.status(c.jobId);
    expect(applied.patchState).toBe('applied');
    expect(applied.patchError).toBeUndefined();
    expect(await m.state.get('total')).toBe(109);
  });

  it('a type that does not allow overrides refuses a state_patch; simulate allows it', async () => {
    const m = await makeManager();
    await expect(m.submit('timed', { ms: 1 }, { statePatch: { field: 'x', mode: 'replace' } })).rejects.toThrow('Job type `timed` does not take a state_patch');
    m.register({ name: 'z', description: '', command: [process.execPath, fixture('timed.mjs')], schema: z.object({ ms: z.number() }) });
    const ok = await m.submit('simulate', { steps: 1, step_ms: 0 }, { statePatch: { field: 'x', mode: 'replace', pointer: '/steps' } });
    await m.wait(ok.jobId, 10_000);
    expect(await m.state.get('x')).toBe(1);
  });

  it('resolves JSON pointers per RFC 6901', () => {
    const doc = { 'a/b': { '~k': [10, 20] }, list: [{ x: 1 }] };
    expect(resolvePointer(doc, '/a~1b/~0k/1')).toBe(20);
    expect(resolvePointer(doc, '/list/0/x')).toBe(1);
    expect(resolvePointer(doc, '')).toBe(doc);
    expect(() => resolvePointer(doc, '/list/5')).toThrow(/does not resolve/);
  });

  it('reads a state file seeded by hand (no envelope) as its value', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'seeded.json'), JSON.stringify({ hello: 'world' }));
    const state = new StateStore(dir);
    expect(await state.init()).toEqual(['seeded']);
    expect(await state.get('seeded')).toEqual({ hello: 'world' });
    await expect(state.get('../etc')).rejects.toThrow(/state field name/);
  });
});
