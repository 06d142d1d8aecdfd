/**
 * Property: no transition out of a terminal state under any order of events
 * (issue 8, property tests). A real worker runs; fast-check picks what happens
 * to it and to its folder (result written, error written, torn result, worker
 * SIGKILLed, cancel, status reads, reconcile passes, manager restarts, a
 * second manager on the folder settling at the same moment) in any
 * order. The observed statuses must follow the state machine: running, then
 * one terminal outcome that never changes again (status, kind, finish time).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeJsonAtomicSync } from '../../src/store/atomic.js';
import { isTerminal, type JobStatusView } from '../../src/types.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { makeManager } from '../runner/setup.js';

const EVENTS = ['results', 'error', 'torn', 'kill', 'cancel', 'status', 'reconcile', 'restart', 'race'] as const;
type Event = (typeof EVENTS)[number];

const outcomeOf = (view: JobStatusView) => ({ status: view.status, kind: view.error?.kind, finishedAt: view.finishedAt });

describe('the job state machine (property)', () => {
  it('a terminal outcome never changes, whatever happens after it, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...EVENTS), { minLength: 1, maxLength: 8 }), async (events: Event[]) => {
        const dir = tempDir();
        const options = { scanIntervalMs: 0, killGraceMs: 300 };
        let m: JobManager = await makeManager(options, dir);
        const other = await makeManager(options, dir);
        const { jobId } = await m.submit('forever', {});
        const pid = (await waitFor(async () => (await m.status(jobId)).pid, 'the worker to start'))!;
        const jobDir = join(dir, 'jobs', jobId);
        let terminal: ReturnType<typeof outcomeOf> | undefined;
        const observe = async () => {
          const view = await m.status(jobId);
          expect(['running', 'completed', 'failed', 'cancelled']).toContain(view.status);
          if (terminal) expect(outcomeOf(view), `after [${events.join(', ')}]`).toEqual(terminal);
          else if (isTerminal(view.status)) terminal = outcomeOf(view);
        };
        try {
          for (const event of events) {
            if (event === 'results') writeJsonAtomicSync(join(jobDir, 'results.json'), { ok: true });
            else if (event === 'error') writeJsonAtomicSync(join(jobDir, 'error.json'), { message: 'failed on purpose', kind: 'error' });
            else if (event === 'torn') writeFileSync(join(jobDir, 'results.json'), '{"ok": tr');
            else if (event === 'kill' && pidAlive(pid)) process.kill(pid, 'SIGKILL');
            else if (event === 'cancel') await m.cancel(jobId).catch((error: Error & { code?: string }) => expect(error.code).toBe('already_finished'));
            else if (event === 'reconcile') await m.reconcile();
            else if (event === 'race') await Promise.all([m.reconcile(), other.reconcile(), m.status(jobId), other.status(jobId)]);
            else if (event === 'restart') {
              await m.close();
              m = await makeManager(options, dir);
            }
            await observe();
          }
          // Whatever the events left, the job ends: a cancel settles it, and the outcome seen first stays.
          if (!terminal) await m.cancel(jobId).catch((error: Error & { code?: string }) => expect(error.code).toBe('already_finished'));
          await waitFor(async () => isTerminal((await m.status(jobId)).status), 'the job to end');
          await observe();
          await m.reconcile();
          await observe();
        } finally {
          if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
          await Promise.all([m.close(), other.close()]);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
