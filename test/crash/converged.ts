/**
 * The promise every crash test checks, read from the files: after a crash and
 * a restart, the folders are as if nothing had crashed.
 *
 * - no job lost: every job folder (and every id a child reported) ends `completed`,
 *   attempt 1, launched exactly once (one start, one end in the launch log);
 * - `append` (`runs`): each job's value exactly once, its id in `applied` once;
 * - `replace` (`latest`): the value of the replace job that finished last
 *   (finishedAt, then id), whatever order replay saw them in;
 * - nothing reported `failed` by any manager along the way.
 */
import { expect } from 'vitest';
import type { ChildEvent, JobSpec } from './child.js';
import { activeIds, jobIds, readJobs, readLaunches, readResult, readState, type Folders } from './folders.js';
import type { JobRecord } from '../../src/types.js';

export const APPEND = { field: 'runs', mode: 'append', pointer: '/checksum' } as const;
export const REPLACE = { field: 'latest', mode: 'replace', pointer: '/checksum' } as const;

/** `count` jobs alternating append / replace (after `appendFirst` appends); seeds unique per scenario so checksums identify jobs. */
export function jobSet(tag: string, count: number, steps = 4, stepMs = 40, appendFirst = 0): JobSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    input: { steps, step_ms: stepMs, seed: `${tag}-${i}-${Math.random()}` },
    statePatch: i < appendFirst || (i - appendFirst) % 2 === (appendFirst > 0 ? 1 : 0) ? { ...APPEND } : { ...REPLACE },
  }));
}

/**
 * The job set of a crash case: the first `maxConcurrent` (2) jobs append, then
 * replace and append alternate. The first job to reach any crash point is one of
 * the first two, so it always appends: a patch applied twice shows as a
 * duplicate (a replace applied twice would leave the same value).
 */
export function crashJobSet(tag: string, count: number, steps = 4, stepMs = 40): JobSpec[] {
  return jobSet(tag, count, steps, stepMs, 2);
}

const fieldOf = (r: JobRecord) => (r.patch?.kind === 'declarative' ? r.patch.patch.field : undefined);

/** Latest finish wins; ties go to the larger id (any fixed rule would do, this one is the documented one). */
function lastFinished(records: JobRecord[]): JobRecord | undefined {
  return [...records].sort((a, b) => (a.finishedAt! < b.finishedAt! ? -1 : a.finishedAt! > b.finishedAt! ? 1 : a.id < b.id ? -1 : 1)).at(-1);
}

export interface ConvergeInput {
  folders: Folders;
  /** Jobs that must exist (e.g. the specs given to the children, in submit order). */
  expectCount: number;
  /** Every event of every child of the scenario. */
  events: ChildEvent[];
}

export function expectConverged({ folders, expectCount, events }: ConvergeInput): JobRecord[] {
  const records = readJobs(folders.jobsDir);
  const ids = jobIds(folders.jobsDir);
  expect(ids).toHaveLength(expectCount);
  for (const e of events.filter((e) => e.event === 'submitted')) expect(ids).toContain(e.id);

  // Every job completed, on its first and only attempt; nothing left to do.
  const launches = readLaunches(folders.launchLog);
  for (const r of records) {
    const seen = `job ${r.id}: pid ${r.pid ?? 'never recorded'}, ${launches.filter((l) => l.jobId === r.id && l.event === 'start').length} launch(es), started ${r.startedAt}, finished ${r.finishedAt}`;
    expect({ id: r.id, status: r.status, attempt: r.attempt, patchState: r.patchState, error: r.error, history: r.history }, seen).toEqual({
      id: r.id, status: 'completed', attempt: 1, patchState: 'applied', error: undefined, history: undefined,
    });
  }
  expect(activeIds(folders.jobsDir)).toEqual([]);
  expect(events.filter((e) => ['job:failed', 'job:retry', 'job:cancelled', 'submit-error', 'fatal'].includes(e.event))).toEqual([]);

  // Launched exactly once each: one start and one end line per job, attempt 1.
  for (const r of records) {
    const mine = launches.filter((l) => l.jobId === r.id);
    expect(mine.map((l) => `${l.event}:${l.attempt}`).sort(), `launches of ${r.id}`).toEqual(['end:1', 'start:1']);
  }
  expect(launches).toHaveLength(2 * records.length);

  // append: each job exactly once, value and applied marker together.
  const appenders = records.filter((r) => fieldOf(r) === 'runs');
  const runs = readState(folders.stateDir, 'runs');
  expect(Object.keys(runs?.applied ?? {}).sort()).toEqual(appenders.map((r) => r.id).sort());
  expect([...((runs?.value as string[] | undefined) ?? [])].sort()).toEqual(appenders.map((r) => readResult(folders.jobsDir, r.id).checksum).sort());
  for (const r of appenders) expect(runs!.applied[r.id]).toBe(r.finishedAt);

  // replace: the job that finished last holds the field.
  const replacers = records.filter((r) => fieldOf(r) === 'latest');
  const latest = readState(folders.stateDir, 'latest');
  expect(Object.keys(latest?.applied ?? {}).sort()).toEqual(replacers.map((r) => r.id).sort());
  const winner = lastFinished(replacers);
  if (winner) {
    expect(latest!.lastReplace).toEqual({ jobId: winner.id, finishedAt: winner.finishedAt });
    expect(latest!.value).toBe(readResult(folders.jobsDir, winner.id).checksum);
  }
  return records;
}
