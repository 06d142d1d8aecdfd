/**
 * Reading what a run left on disk, straight from the files (not through the
 * manager under test): job records, state fields, the workers' launch log, and
 * byte snapshots to prove that a restart changes nothing.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isJobId } from '../../src/ids.js';
import type { JobRecord } from '../../src/types.js';
import type { StateFile } from '../../src/store/state-store.js';

export interface Folders {
  jobsDir: string;
  stateDir: string;
  launchLog: string;
}

export function folders(root: string): Folders {
  return { jobsDir: join(root, 'jobs'), stateDir: join(root, 'state'), launchLog: join(root, 'launches.jsonl') };
}

export function jobIds(jobsDir: string): string[] {
  if (!existsSync(jobsDir)) return [];
  return readdirSync(jobsDir).filter(isJobId).sort();
}

export function readJob(jobsDir: string, id: string): JobRecord {
  return JSON.parse(readFileSync(join(jobsDir, id, 'job.json'), 'utf8')) as JobRecord;
}

export function readJobs(jobsDir: string): JobRecord[] {
  return jobIds(jobsDir).map((id) => readJob(jobsDir, id));
}

export function readResult(jobsDir: string, id: string): { steps: number; checksum: string } {
  return JSON.parse(readFileSync(join(jobsDir, id, 'results.json'), 'utf8')) as { steps: number; checksum: string };
}

export function readState(stateDir: string, field: string): StateFile | undefined {
  const path = join(stateDir, `${field}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StateFile) : undefined;
}

export function activeIds(jobsDir: string): string[] {
  const dir = join(jobsDir, '.active');
  return existsSync(dir) ? readdirSync(dir).filter(isJobId) : [];
}

export interface Launch {
  event: 'start' | 'end';
  jobId: string;
  attempt: number;
  pid: number;
  t: number;
}

/** The lines the `recorded_simulate` workers appended (one start and one end per launch). */
export function readLaunches(launchLog: string): Launch[] {
  if (!existsSync(launchLog)) return [];
  return readFileSync(launchLog, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Launch);
}

/**
 * Every file a restart could change: state/*.json and, per job, job.json and
 * results.json, as bytes plus mtime (a rewrite with the same bytes still counts).
 */
export function snapshot({ jobsDir, stateDir }: Folders): Map<string, string> {
  const files = new Map<string, string>();
  const add = (path: string) => {
    if (existsSync(path)) files.set(path, `${statSync(path).mtimeMs}\n${readFileSync(path, 'utf8')}`);
  };
  for (const name of existsSync(stateDir) ? readdirSync(stateDir).sort() : []) if (name.endsWith('.json')) add(join(stateDir, name));
  for (const id of jobIds(jobsDir)) {
    add(join(jobsDir, id, 'job.json'));
    add(join(jobsDir, id, 'results.json'));
  }
  return files;
}

/** True while `pid` is a live (not zombie) `recorded_simulate` worker: a recycled pid does not count. */
export function workerAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('recorded-simulate');
  } catch {
    return false;
  }
}
