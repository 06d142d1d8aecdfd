/**
 * Defect 12: the state disk full (a real tmpfs filled to the last page) or
 * read-only (the same tmpfs remounted ro). Reads answer from what is on disk
 * (the patch `pending`), queued jobs are dispatched at once, and when the disk
 * is usable again the pending patch is applied, exactly once, by its retry.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectInProcess } from '../mcp/helpers.js';
import { tempDir, waitFor } from '../helpers.js';
import type { JobRecord } from '../../src/types.js';
import { makeManager } from './setup.js';

const root = tempDir('mcp-jobs-diskfull-');
const mountPoint = join(root, 'state');
mkdirSync(mountPoint);

/** Mounts a 256 KiB tmpfs for the state folder; the reason it cannot, if it cannot. */
function mountTmpfs(): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`;
  }
}
const cannotMount = mountTmpfs();
if (cannotMount) console.warn(`disk-full tests skipped: ${cannotMount}`);
afterAll(() => {
  if (!cannotMount) execFileSync('umount', ['-l', mountPoint]);
});

const filler = join(mountPoint, 'filler.bin');
/** Fills the tmpfs to its last byte (the write stops at ENOSPC). */
function fillDisk(): void {
  try {
    writeFileSync(filler, Buffer.alloc(512 * 1024));
    throw new Error('the tmpfs did not fill up');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}
const remount = (mode: 'ro' | 'rw') => execFileSync('mount', ['-o', `remount,${mode}`, mountPoint]);

/** Files in the state folder other than the filler: state files, never temp files or half-written ones. */
const stateFiles = () => readdirSync(mountPoint).filter((name) => name !== 'filler.bin').sort();

describe.skipIf(cannotMount !== undefined)('a full or read-only state disk', () => {
  for (const fault of ['full (ENOSPC)', 'read-only (EROFS)'] as const) {
    it(`${fault}: reads answer from disk, dispatch goes on, the patch is applied exactly once when it is usable again`, async () => {
      const field = fault.startsWith('full') ? 'full_runs' : 'ro_runs';
      const m = await makeManager({ stateDir: mountPoint, maxConcurrent: 1, scanIntervalMs: 30_000 });
      const completed: JobRecord[] = [];
      m.on('job:completed', (r) => completed.push(r));
      if (fault.startsWith('full')) fillDisk();
      else remount('ro');
      try {
        const patch = { field, mode: 'append', pointer: '/steps' } as const;
        const a = await m.submit('simulate', { steps: 2, step_ms: 0 }, { statePatch: patch });
        const b = await m.submit('simulate', { steps: 1, step_ms: 0 });
        const done = await m.wait(a.jobId, 10_000);
        expect(done).toMatchObject({ status: 'completed', patchState: 'pending' });
        expect(await m.status(a.jobId)).toMatchObject({ status: 'completed', patchState: 'pending' });
        expect(await m.result(a.jobId)).toMatchObject({ status: 'completed', result: { steps: 2 } });
        const conn = await connectInProcess(m);
        try {
          for (const name of ['get_job_status', 'get_job_results', 'wait_for_job']) {
            const answer = await conn.client.callTool({ name, arguments: { job_id: a.jobId } });
            expect(answer.isError, `${name}: ${JSON.stringify(answer.content)}`).toBeFalsy();
          }
        } finally {
          await conn.close();
        }
        // The freed slot is used at once, not at the next 30 s scan.
        const second = await m.wait(b.jobId, 10_000);
        expect(second.status).toBe('completed');
        expect(Date.parse(second.startedAt!) - Date.parse(done.finishedAt!)).toBeLessThan(5_000);
        expect(stateFiles().filter((name) => name.startsWith(field) || name.endsWith('.tmp'))).toEqual([]);
        // b's event follows its record on disk (which wait() may read first); a's event waits for its patch.
        await waitFor(() => completed.length > 0, "b's job:completed event");
        expect(completed.map((r) => r.id)).toEqual([b.jobId]);
      } finally {
        if (fault.startsWith('full')) rmSync(filler, { force: true });
        else remount('rw');
      }
      // Space is back: the retry applies the patch, without a scan or a read asking for it.
      await waitFor(() => completed.some((r) => r.patchState === 'applied'), 'the pending patch to be applied', 20_000);
      const file = JSON.parse(readFileSync(join(mountPoint, `${field}.json`), 'utf8')) as { value: unknown; applied: Record<string, string> };
      expect(file.value).toEqual([2]);
      expect(Object.keys(file.applied)).toHaveLength(1);
      expect(completed.filter((r) => r.patchState === 'applied')).toHaveLength(1);
      // Applying again (a scan, a restart's replay) changes nothing.
      await m.reconcile();
      expect(JSON.parse(readFileSync(join(mountPoint, `${field}.json`), 'utf8')).value).toEqual([2]);
      expect(stateFiles().filter((name) => name.endsWith('.tmp'))).toEqual([]);
      expect((await m.health()).patchRetries).toEqual([]);
    });
  }
});
