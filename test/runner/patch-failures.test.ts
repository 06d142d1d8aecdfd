/**
 * Defect 16: a named patch handler that fails is that job's `patchState: error`
 * and nothing else: the job reads fine, its event fires, its marker goes, and
 * the other jobs' patches are applied. Async handlers are refused.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIVE_DIR } from '../../src/store/paths.js';
import type { JobRecord } from '../../src/types.js';
import { connectInProcess } from '../mcp/helpers.js';
import { makeManager } from './setup.js';

type Manager = Awaited<ReturnType<typeof makeManager>>;

const marker = (m: Manager, id: string) => join(m.options.jobsDir, ACTIVE_DIR, id);

/** A simulate type whose patch is the named handler `handler`, into field `field`. */
function namedType(m: Manager, name: string, handler: string, field = 'total'): string {
  m.register({ ...m.registry.get('simulate'), name, statePatch: { handler, field } });
  return name;
}

describe('named patch handlers that fail', () => {
  it('a throwing handler ends as patchState error with its message; reads, event and marker work', async () => {
    const m = await makeManager();
    m.registerStatePatch('boom', (_current, result) => (result as { nope: { deeper: number } }).nope.deeper);
    const type = namedType(m, 'sim_boom', 'boom');
    const events: JobRecord[] = [];
    m.on('job:completed', (r) => events.push(r));
    const { jobId } = await m.submit(type, { steps: 1, step_ms: 0 });
    const done = await m.wait(jobId, 10_000);
    expect(done).toMatchObject({ status: 'completed', patchState: 'error' });
    expect(done.patchError).toMatch(/handler `boom` failed: .*Cannot read properties of undefined/);
    expect(await m.status(jobId)).toMatchObject({ status: 'completed', patchState: 'error' });
    expect(await m.result(jobId)).toMatchObject({ status: 'completed', result: { steps: 1 } });
    expect(events.map((r) => [r.id, r.patchState])).toEqual([[jobId, 'error']]);
    expect(existsSync(marker(m, jobId))).toBe(false);
    expect(await m.state.get('total')).toBeUndefined();
    const conn = await connectInProcess(m);
    try {
      for (const name of ['get_job_status', 'get_job_results', 'wait_for_job']) {
        const answer = await conn.client.callTool({ name, arguments: { job_id: jobId } });
        expect(answer.isError, `${name}: ${JSON.stringify(answer.content)}`).toBeFalsy();
      }
    } finally {
      await conn.close();
    }
  });

  it('a failing job does not stop a scan: the later jobs of the same replay get their patches', async () => {
    const m = await makeManager({ maxConcurrent: 1 });
    const boom = namedType(m, 'sim_late_boom', 'lateBoom');
    const good = namedType(m, 'sim_late_good', 'lateGood');
    // No handlers yet: both patches stay pending (as in a CLI process without them).
    const a = await m.submit(boom, { steps: 1, step_ms: 0 });
    expect(await m.wait(a.jobId, 10_000)).toMatchObject({ patchState: 'pending' });
    const b = await m.submit(good, { steps: 2, step_ms: 0 });
    expect(await m.wait(b.jobId, 10_000)).toMatchObject({ patchState: 'pending' });
    m.registerStatePatch('lateBoom', () => {
      throw new Error('handler bug');
    });
    m.registerStatePatch('lateGood', (current, result) => ((current as number | undefined) ?? 0) + (result as { steps: number }).steps);
    await m.reconcile(); // a finishes first: its failure must not abort the pass
    expect(await m.status(b.jobId)).toMatchObject({ patchState: 'applied' });
    expect(await m.status(a.jobId)).toMatchObject({ patchState: 'error', patchError: expect.stringContaining('handler bug') });
    expect(await m.state.get('total')).toBe(2);
    expect(existsSync(marker(m, a.jobId))).toBe(false);
    expect(existsSync(marker(m, b.jobId))).toBe(false);
  });

  it('refuses an async handler at registration, with a clear error', async () => {
    const m = await makeManager();
    expect(() => m.registerStatePatch('later', async (current) => current)).toThrow(/`later` is an async function.*synchronous/);
    expect(m.patches.has('later')).toBe(false);
  });

  it('a handler that returns a Promise or a value that is not JSON is a patch error, the state untouched', async () => {
    const m = await makeManager();
    m.registerStatePatch('promised', (current) => Promise.resolve(current));
    m.registerStatePatch('bigint', () => 10n);
    m.registerStatePatch('fn', () => () => 1);
    const cases: [string, RegExp][] = [
      ['promised', /returned a Promise/],
      ['bigint', /not JSON/],
      ['fn', /not JSON/],
    ];
    for (const [handler, message] of cases) {
      const { jobId } = await m.submit(namedType(m, `sim_${handler}`, handler, handler), { steps: 1, step_ms: 0 });
      const done = await m.wait(jobId, 10_000);
      expect(done, handler).toMatchObject({ status: 'completed', patchState: 'error' });
      expect(done.patchError, handler).toMatch(message);
      expect(await m.state.get(handler)).toBeUndefined();
      expect(existsSync(marker(m, jobId))).toBe(false);
    }
  });

  it('a job the scan cannot handle is skipped and reported in health; the scan goes on with the others', async () => {
    const m = await makeManager();
    const good = namedType(m, 'sim_scan_good', 'scanGood');
    const { jobId } = await m.submit(good, { steps: 3, step_ms: 0 });
    expect(await m.wait(jobId, 10_000)).toMatchObject({ patchState: 'pending' });
    // A job the scan cannot read at all (job.json is a folder: reading it throws EISDIR).
    const broken = '0000000000-00000000-0000-4000-8000-000000000000';
    mkdirSync(join(m.options.jobsDir, broken, 'job.json'), { recursive: true });
    writeFileSync(marker(m, broken), '');
    m.registerStatePatch('scanGood', (_current, result) => (result as { steps: number }).steps);
    await m.reconcile();
    expect(await m.state.get('total')).toBe(3); // the scan applied it (not the status call below)
    expect(await m.status(jobId)).toMatchObject({ patchState: 'applied' });
    // The broken job itself is isolated: recovered from its other files (job.json kept aside as
    // job.json.corrupt) or, where even that fails, listed in the scan's errors.
    const { reconciler } = await m.health();
    const recovered = existsSync(join(m.options.jobsDir, broken, 'job.json.corrupt'));
    if (!recovered) {
      expect(reconciler.lastScanErrors).toEqual([{ jobId: broken, error: expect.any(String) }]);
      expect(reconciler.lastError).toContain(broken);
    }
    rmSync(join(m.options.jobsDir, broken), { recursive: true });
  });
});
