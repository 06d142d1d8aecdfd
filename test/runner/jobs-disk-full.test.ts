/**
 * The jobs disk full (issue 8, "Disk full and read-only"): a real tmpfs for the
 * jobs folder, filled to its last page. A submit is refused with a clear
 * `storage` error and leaves nothing behind (no job folder, no marker, no
 * staging folder, no temp file); the server keeps answering for the jobs it
 * has; when space returns, submits work again and their jobs complete. A
 * worker that meets the full disk leaves no half-written file, and its outcome
 * is recorded (failed, a clear kind) once job.json can be written again.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobsError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';
import { reportSkip, smallDisk } from '../worker/small-disk.js';
import { makeManager } from './setup.js';

const disk = smallDisk(512);
reportSkip(disk);

/** Everything under a folder, as relative paths. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** What a submit may create: job folders, index markers, staging folders, temp files (not what finished jobs' folders hold). */
function submitFootprint(jobsDir: string): string[] {
  return ['.', '.active', '.staging'].flatMap((sub) => readdirSync(join(jobsDir, sub)).map((name) => `${sub}/${name}`)).sort();
}

function fill(path: string): void {
  try {
    writeFileSync(path, Buffer.alloc(1024 * 1024));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    return;
  }
  throw new Error('the tmpfs did not fill up');
}

describe.skipIf(disk.skip !== undefined)('a full jobs disk', () => {
  it('refuses a submit cleanly, keeps answering, and works again when space returns', async () => {
    const jobsDir = join(disk.dir!, 'jobs');
    const m = await makeManager({ jobsDir, stateDir: join(tempDir(), 'state'), scanIntervalMs: 0 });
    const before = await m.submit('simulate', { steps: 1, step_ms: 0 });
    expect((await m.wait(before.jobId, 10_000)).status).toBe('completed');
    const filler = join(disk.dir!, 'filler.bin');
    fill(filler);
    try {
      const snapshot = submitFootprint(jobsDir);
      const refused = await m.submit('simulate', { steps: 1, step_ms: 0 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(JobsError);
      expect((refused as JobsError).code).toBe('storage');
      expect((refused as JobsError).message).toMatch(/ENOSPC|no space/i);
      expect(submitFootprint(jobsDir), 'a refused submit leaves nothing behind').toEqual(snapshot);
      // Reads of what is on disk still answer.
      expect((await m.status(before.jobId)).status).toBe('completed');
      expect((await m.list()).jobs.map((j) => j.id)).toEqual([before.jobId]);
    } finally {
      rmSync(filler, { force: true });
    }
    const after = await m.submit('simulate', { steps: 1, step_ms: 0 });
    expect((await m.wait(after.jobId, 10_000)).status).toBe('completed');
  });

  it('a job whose worker meets the full disk ends failed with a clear kind, and leaves no half-written file', async () => {
    const jobsDir = join(disk.dir!, 'jobs2');
    const m = await makeManager({ jobsDir, stateDir: join(tempDir(), 'state'), scanIntervalMs: 0 });
    const { jobId } = await m.submit('simulate', { steps: 30, step_ms: 20 });
    const filler = join(disk.dir!, 'filler2.bin');
    await m.wait(jobId, 200); // let it start
    fill(filler);
    let freed = false;
    try {
      // While the disk is full the outcome may not be recordable (job.json cannot be rewritten),
      // but status answers; once space returns it is recorded within the liveness interval.
      const during = await m.wait(jobId, 3_000);
      expect(['running', 'failed']).toContain(during.status);
      rmSync(filler);
      freed = true;
      const done = await m.wait(jobId, 15_000);
      expect(done.status, JSON.stringify(done)).toBe('failed');
      expect(['exit', 'error', 'invalid_result']).toContain(done.error?.kind);
      const left = tree(join(jobsDir, jobId));
      expect(left.filter((name) => name.endsWith('.tmp')), 'no temp file left').toEqual([]);
      expect(left).not.toContain('results.json');
    } finally {
      if (!freed) rmSync(filler);
    }
    const next = await m.submit('simulate', { steps: 1, step_ms: 0 });
    expect((await m.wait(next.jobId, 10_000)).status).toBe('completed');
  });
});
