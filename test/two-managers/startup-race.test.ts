/**
 * Two managers on one folder, racing on start-up: a manager process starting
 * while another is already at work must not undo the other's work. Both cases
 * are regression guards for bugs found here:
 *
 * - Start-up used to rebuild a missing `.active` index aside and swap it in
 *   (rm + rename): a rebuild that listed the folders before another manager's
 *   new submits dropped their markers, and a queued job missing from the index
 *   is never dispatched by anyone (startup reads only the index): the job was
 *   lost (found here, fixed in 47cb1ce: the index is rebuilt in place). Made
 *   deterministic with a FIFO: the rebuilding manager blocks reading a
 *   job.json that is a named pipe until the test writes it.
 * - Start-up used to delete `.staging/` whole, failing a
 *   submit in flight in another manager with `storage` (fixed in 39ebdaa:
 *   only staging folders older than 60 s are removed).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManagerChild, runChild } from '../crash/child.js';
import { jobSet } from '../crash/converged.js';
import { activeIds, folders, jobIds, readJob } from '../crash/folders.js';
import { ROOT, tempDir, waitFor } from '../helpers.js';
import { newJobId } from '../../src/ids.js';

const STORE_INIT_LOOP = join(ROOT, 'test', 'two-managers', 'fixtures', 'store-init-loop.mjs');

/** A valid finished record for the blocking job folder. */
function finishedRecord(id: string): string {
  const at = new Date().toISOString();
  return JSON.stringify({ v: 1, id, type: 'recorded_simulate', status: 'completed', priority: 0, createdAt: at, finishedAt: at, timeoutMs: 0, attempt: 1, maxAttempts: 1, inputDigest: '', command: [process.execPath], patchState: 'none' });
}

describe('two managers racing on start-up', () => {
  it('one manager rebuilds a lost index while another starts and submits: no submitted job is lost', async () => {
    const f = folders(tempDir('mcp-jobs-race-'));
    // No index, and one job folder whose job.json is a FIFO: a rebuild that reads it waits for the test.
    const blocker = newJobId(Date.now() + 60_000);
    mkdirSync(join(f.jobsDir, blocker), { recursive: true });
    const fifo = join(f.jobsDir, blocker, 'job.json');
    execFileSync('mkfifo', [fifo]);

    const b = new ManagerChild({ ...f, maxConcurrent: 1, expectJobs: 5 });
    // Opening the write end without blocking succeeds only once a reader is there: B is inside its rebuild.
    const writer = await waitFor(() => {
      try {
        return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        return undefined;
      }
    }, 'the first manager to be rebuilding the index (reading the FIFO)');
    // B keeps the pipe it opened; everyone else now finds a plain finished record there.
    writeFileSync(`${fifo}.tmp`, finishedRecord(blocker));
    renameSync(`${fifo}.tmp`, fifo);

    // One at a time, 0.6 s each: A's jobs are still queued (not yet claimed) when B finishes its rebuild.
    const a = new ManagerChild({ ...f, maxConcurrent: 1, jobs: jobSet('a', 4, 10, 60), expectJobs: 5 });
    // The race: A submits while B is inside its rebuild. A core that makes A wait for B's rebuild leaves A
    // alive with its submits pending after 5 s (no race to lose): B is released then and the checks below hold
    // either way. A that dies, or reports a submit error, fails here instead of being waited out.
    const deadline = Date.now() + 5_000;
    const raced = await waitFor(() => {
      if (a.exit || a.named('fatal').length || a.named('submit-error').length) return 'failed';
      if (a.named('submitted').length === 4) return 'submitted during the rebuild';
      return Date.now() > deadline ? 'waited for the rebuild' : undefined;
    }, 'the second manager to submit its jobs, or to wait for the rebuild', 10_000);
    expect(raced, `second manager: ${JSON.stringify(a.exit)}; stderr:\n${a.stderr}`).not.toBe('failed');
    writeSync(writer, finishedRecord(blocker));
    closeSync(writer);

    // Queued jobs in no index: nobody will ever start them (a restart reads only the index).
    const stranded = () => {
      const index = new Set(activeIds(f.jobsDir));
      return jobIds(f.jobsDir).filter((id) => id !== blocker && readJob(f.jobsDir, id).status === 'queued' && !index.has(id));
    };
    // Both managers done, or nothing but stranded jobs left for a second (a swapped index looks empty for an instant).
    let since: number | undefined;
    await waitFor(() => {
      if (a.named('settled').length + b.named('settled').length === 2) return true;
      const left = jobIds(f.jobsDir).filter((id) => !['completed', 'failed', 'cancelled'].includes(readJob(f.jobsDir, id).status));
      since = left.length > 0 && left.length === stranded().length ? (since ?? Date.now()) : undefined;
      return since !== undefined && Date.now() - since > 1000;
    }, 'both managers to settle, or only stranded jobs left', 30_000, 100);
    expect(stranded(), `the second manager ${raced}`).toEqual([]);
    expect([a.named('settled').length, b.named('settled').length]).toEqual([1, 1]);
  }, 60_000);

  it('other managers starting while one submits: no submit fails (staging clean-up leaves live submits alone)', async () => {
    const f = folders(tempDir('mcp-jobs-race-'));
    await runChild({ ...f }); // an initialised folder: only the staging clean-up races here
    // Managers starting over and over (their store start-up step, in a tight loop) while the first keeps submitting.
    const starts = new ManagerChild({ ...f, cycles: 100_000 }, undefined, STORE_INIT_LOOP);
    await starts.waitEvent((e) => e.event === 'cycle', 'the start-ups to be running');
    const submitter = new ManagerChild({ ...f, jobs: jobSet('burst', 100, 1, 1), exitAfterSubmit: true, options: { dispatch: false } });
    expect(await submitter.waitExit('the submitter to finish', 30_000)).toEqual({ code: 0, signal: null });
    expect(starts.named('done')).toEqual([]); // still starting up when the last submit was made
    await starts.kill();
    expect(submitter.named('submit-error').map((e) => e.message)).toEqual([]);
    expect(submitter.named('submitted')).toHaveLength(100);
  }, 60_000);
});
