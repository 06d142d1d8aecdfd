/**
 * Property: patch convergence (issue 8, property tests). Any interleaving of
 * submits, scans, status reads, completions and manager restarts (with
 * workers running on across them) ends where a run without restarts would:
 * every submitted job is dispatched and completed once, the `append` field
 * holds each job's value exactly once, and the index is empty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JobManager } from '../../src/runner/job-manager.js';
import type { RunnerOptions } from '../../src/options.js';
import { tempDir, waitFor } from '../helpers.js';
import { fixture, makeManager } from '../runner/setup.js';

const OPS = ['submit', 'submit', 'scan', 'status', 'restart', 'settle'] as const;
type Op = (typeof OPS)[number];

async function open(dir: string, options: RunnerOptions): Promise<JobManager> {
  const m = await makeManager(options, dir);
  m.register({
    name: 'appender',
    description: 'sleeps, returns its value; appended to state/runs',
    command: [process.execPath, fixture('timed.mjs')],
    schema: z.object({ ms: z.number().int(), value: z.number().int() }),
    statePatch: { field: 'runs', mode: 'append', pointer: '/value' },
  });
  return m;
}

describe('patch convergence (property)', () => {
  it('any interleaving of submits, scans, reads and restarts converges to the no-crash state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...OPS), { minLength: 2, maxLength: 14 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 14, maxLength: 14 }),
        fc.integer({ min: 1, max: 3 }),
        async (ops: Op[], durations: number[], maxConcurrent: number) => {
          const dir = tempDir();
          const options = { scanIntervalMs: 0, maxConcurrent };
          let m = await open(dir, options);
          const ids: string[] = [];
          let inFlight: Promise<unknown>[] = [];
          try {
            for (const [i, op] of ops.entries()) {
              if (op === 'submit') inFlight.push(m.submit('appender', { ms: durations[i]!, value: i }).then(({ jobId }) => ids.push(jobId)));
              else if (op === 'scan') inFlight.push(m.reconcile());
              else if (op === 'status' && ids.length) inFlight.push(m.status(ids[ids.length - 1]!));
              else if (op === 'settle') inFlight.push(m.idle());
              else if (op === 'restart') {
                await Promise.all(inFlight);
                inFlight = [];
                await m.close();
                m = await open(dir, options);
              }
            }
            await Promise.all(inFlight);
            const finalManager = m;
            for (const id of ids) expect((await finalManager.wait(id, 20_000)).status).toBe('completed');
            await waitFor(async () => (await finalManager.store.activeIds()).length === 0, 'the index to empty');
            const records = await Promise.all(ids.map((id) => finalManager.status(id)));
            for (const r of records) expect({ attempt: r.attempt, patchState: r.patchState }).toEqual({ attempt: 1, patchState: 'applied' });
            if (!ids.length) return;
            const state = JSON.parse(readFileSync(join(dir, 'state', 'runs.json'), 'utf8')) as { value: number[]; applied: Record<string, string> };
            const byFinish = [...records].sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!) || a.id.localeCompare(b.id));
            const values = await Promise.all(byFinish.map(async (r) => ((await finalManager.result(r.id)) as { result: { value: number } }).result.value));
            expect([...state.value].sort((a, b) => a - b), 'each value exactly once').toEqual([...values].sort((a, b) => a - b));
            expect(Object.keys(state.applied).sort()).toEqual([...ids].sort());
          } finally {
            await m.close();
          }
        },
      ),
      { numRuns: 15 },
    );
  }, 240_000);
});
