/**
 * Two managers on one folder (issue 3, item 8): two server processes run a
 * manager each on the same jobs/ and state/ folders, with `maxConcurrent: 2`.
 * Every job is launched exactly once (the workers record each launch), at most
 * 2 workers run at any moment in total (from the workers' own start/end times,
 * and from job.json), and each state patch is applied exactly once.
 *
 * The folders are initialised by a first process, so that the two managers
 * race on submits and dispatch here; racing on the initialisation itself is
 * in startup-race.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManagerChild, runChild, type ChildConfig } from '../crash/child.js';
import { expectConverged, jobSet } from '../crash/converged.js';
import { folders, readLaunches, type Folders } from '../crash/folders.js';
import type { JobRecord } from '../../src/types.js';
import { tempDir } from '../helpers.js';

/** The most intervals open at one instant (an end at t closes before a start at t opens). */
function maxOverlap(intervals: { start: number; end: number }[]): number {
  const points = intervals.flatMap(({ start, end }) => [
    { t: start, d: 1 },
    { t: end, d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let most = 0;
  for (const { d } of points) most = Math.max(most, (open += d));
  return most;
}

/** Running intervals per job: from the workers' launch log, and from job.json (claimed until the result landed). */
function expectCapHeld(f: Folders, records: JobRecord[], cap: number): void {
  const launches = readLaunches(f.launchLog);
  const at = (id: string, event: string) => launches.find((l) => l.jobId === id && l.event === event)!.t;
  expect(maxOverlap(records.map((r) => ({ start: at(r.id, 'start'), end: at(r.id, 'end') })))).toBe(cap);
  expect(maxOverlap(records.map((r) => ({ start: Date.parse(r.startedAt!), end: Date.parse(r.finishedAt!) })))).toBeLessThanOrEqual(cap);
}

/** Fresh folders, initialised by a manager that starts and exits. */
async function initialised(): Promise<Folders> {
  const f = folders(tempDir('mcp-jobs-two-'));
  await runChild({ ...f });
  return f;
}

/** Two managers, loaded and started, that submit their jobs at the same instant (a go file). */
async function twoManagers(f: Folders, a: ChildConfig, b: ChildConfig): Promise<[ManagerChild, ManagerChild]> {
  const go = join(f.jobsDir, '..', 'go');
  const children: [ManagerChild, ManagerChild] = [new ManagerChild({ ...a, submitWhenExists: go }), new ManagerChild({ ...b, submitWhenExists: go })];
  for (const child of children) await child.waitEvent((e) => e.event === 'ready-to-submit', 'both managers to be started');
  writeFileSync(go, '');
  return children;
}

async function settleAll(children: ManagerChild[]): Promise<void> {
  for (const child of children) {
    await child.waitEvent((e) => e.event === 'settled', 'every manager to settle every job', 40_000);
    expect(await child.waitExit('a manager to exit')).toEqual({ code: 0, signal: null });
  }
}

describe('two managers on one folder', () => {
  it('submitting to both at once: each job launched once, maxConcurrent held in total, each patch applied once', async () => {
    const f = await initialised();
    const per = 6;
    const config = (tag: string): ChildConfig => ({ ...f, maxConcurrent: 2, jobs: jobSet(tag, per, 4, 40), expectJobs: 2 * per });
    const [a, b] = await twoManagers(f, config('a'), config('b'));
    await settleAll([a, b]);
    expect([a.named('submitted').length, b.named('submitted').length]).toEqual([per, per]);
    // Completed, launched once each (one start and one end in the launch log), each patch once (converged.ts).
    const records = expectConverged({ folders: f, expectCount: 2 * per, events: [...a.events, ...b.events] });
    expectCapHeld(f, records, 2);
    // Each job started by exactly one of the two managers.
    const started = [...a.named('job:started'), ...b.named('job:started')].map((e) => e.id!);
    expect(started.sort()).toEqual(records.map((r) => r.id).sort());
  }, 60_000);

  it('two managers started at once on a queue of jobs race for the same jobs: each launched once, cap held', async () => {
    const f = folders(tempDir('mcp-jobs-two-'));
    const count = 8;
    // A third process only submits (no dispatch) and exits: the queue is on disk before either manager starts.
    const submitter = new ManagerChild({ ...f, jobs: jobSet('queue', count, 4, 40), exitAfterSubmit: true, options: { dispatch: false } });
    expect(await submitter.waitExit('the submitter to exit')).toEqual({ code: 0, signal: null });
    expect(submitter.named('submitted')).toHaveLength(count);
    const go = join(f.jobsDir, '..', 'go');
    const managers = [0, 1].map(() => new ManagerChild({ ...f, maxConcurrent: 2, expectJobs: count, startWhenExists: go }));
    for (const child of managers) await child.waitEvent((e) => e.event === 'waiting', 'both managers to be loaded');
    writeFileSync(go, '');
    await settleAll(managers);
    const records = expectConverged({ folders: f, expectCount: count, events: managers.flatMap((m) => m.events) });
    expectCapHeld(f, records, 2);
    const started = managers.flatMap((m) => m.named('job:started')).map((e) => e.id!);
    expect(started.sort()).toEqual(records.map((r) => r.id).sort());
  }, 60_000);

  it('one of two managers is SIGKILLed mid-run: the other finishes every job, none launched twice, each patch once', async () => {
    const f = await initialised();
    const per = 4;
    // A short periodic scan: the survivor learns of the dead manager's running jobs only by scanning (default 30 s).
    const config = (tag: string): ChildConfig => ({
      ...f, maxConcurrent: 2, jobs: jobSet(tag, per, 4, 40), expectJobs: 2 * per, options: { scanIntervalMs: 1000 },
    });
    const go = join(f.jobsDir, '..', 'go');
    const b = new ManagerChild({ ...config('b'), submitWhenExists: go });
    await b.waitEvent((e) => e.event === 'ready-to-submit', 'the second manager to be started');
    // The first submits all its jobs and launches some (it has the cap to itself), then dies: running and queued jobs left.
    const a = new ManagerChild({ ...config('a'), exitWhenSettled: false });
    await a.waitEvent((e) => e.event === 'job:started' && a.named('submitted').length === per, 'the first manager to submit and launch');
    await a.kill();
    writeFileSync(go, '');
    await settleAll([b]);
    expectConverged({ folders: f, expectCount: 2 * per, events: [...a.events, ...b.events] });
  }, 60_000);
});
