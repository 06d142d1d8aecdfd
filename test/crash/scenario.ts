/**
 * One crash scenario: a child manager submits a batch and is SIGKILLed at a
 * phase (its own crash point, or a kill from here at an observed moment); a
 * second child on the same folders recovers (and submits what the first never
 * got to); a third child restarts once more and must change nothing.
 */
import { expect } from 'vitest';
import { ManagerChild, type ChildEvent, type CrashPoint, type JobSpec } from './child.js';
import { expectConverged } from './converged.js';
import { folders, jobIds, readJobs, readLaunches, snapshot, workerAlive, type Folders } from './folders.js';
import { tempDir } from '../helpers.js';
import type { JobRecord } from '../../src/types.js';

export interface Crashed {
  folders: Folders;
  specs: JobSpec[];
  /** Every event of every child so far. */
  events: ChildEvent[];
  /** job.json records as the dead manager left them. */
  atCrash: JobRecord[];
  /** Workers (job id, pid) still alive after the manager died. */
  survivors: { id: string; pid: number }[];
}

export interface CrashHow {
  /** The core's fault injection: the child SIGKILLs itself there. */
  point?: CrashPoint;
  /** Or: SIGKILL the child from here once it has reported an event matching this. */
  killWhen?: (event: ChildEvent, index: number) => boolean;
  specs: JobSpec[];
  maxConcurrent?: number;
}

export async function crash({ point, killWhen, specs, maxConcurrent = 2 }: CrashHow): Promise<Crashed> {
  const f = folders(tempDir('mcp-jobs-crash-'));
  const first = new ManagerChild({ ...f, jobs: specs, maxConcurrent, exitWhenSettled: false }, point);
  if (point) {
    const exit = await first.waitExit(`the child to SIGKILL itself at ${point}`, 20_000);
    expect(exit, `exit at ${point}; stderr: ${first.stderr}`).toEqual({ code: null, signal: 'SIGKILL' });
  } else {
    await first.waitEvent((e) => killWhen!(e, first.events.indexOf(e)), 'the moment to kill the child', 20_000);
    await first.kill();
  }
  // Right after the death: which workers are still running? (job.json pids, and
  // launches that have started but not ended: a worker spawned whose pid was never recorded)
  const atCrash = readJobs(f.jobsDir);
  const pids = new Map<number, string>();
  for (const r of atCrash) if (r.status === 'running' && r.pid) pids.set(r.pid, r.id);
  for (const l of readLaunches(f.launchLog)) if (l.event === 'start') pids.set(l.pid, l.jobId);
  const survivors = [...pids].filter(([pid]) => workerAlive(pid)).map(([pid, id]) => ({ id, pid }));
  return { folders: f, specs, events: [...first.events], atCrash, survivors };
}

/** Restart on the same folders until everything is settled; check convergence; restart again: nothing changes. */
export async function recoverAndCheck(run: Crashed, deadlineMs = 40_000): Promise<JobRecord[]> {
  const { folders: f, specs } = run;
  const remaining = specs.slice(jobIds(f.jobsDir).length);
  const second = new ManagerChild({ ...f, jobs: remaining, expectJobs: specs.length });
  await second.waitEvent((e) => e.event === 'settled', 'the restarted manager to settle every job', deadlineMs);
  expect(await second.waitExit('the restarted manager to exit')).toEqual({ code: 0, signal: null });
  run.events.push(...second.events);
  const records = expectConverged({ folders: f, expectCount: specs.length, events: run.events });

  // Workers that outlived the crashed manager were reconciled, not run again.
  for (const { id } of run.survivors) {
    const record = records.find((r) => r.id === id)!;
    expect({ id, status: record.status, attempt: record.attempt }).toEqual({ id, status: 'completed', attempt: 1 });
  }

  const before = snapshot(f);
  const third = new ManagerChild({ ...f, expectJobs: specs.length });
  await third.waitEvent((e) => e.event === 'settled', 'a second restart to settle', 15_000);
  expect(await third.waitExit('the second restart to exit')).toEqual({ code: 0, signal: null });
  expect(third.events.map((e) => e.event)).toEqual(['ready', 'settled']);
  expect(snapshot(f)).toEqual(before);
  return records;
}
