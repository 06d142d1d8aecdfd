/**
 * Names inside a jobs folder. Builtins only (the worker imports this).
 *
 *   jobs/<id>/           one folder per job (see docs/protocol.md)
 *   jobs/.active/<id>    empty marker: the job is unfinished or its patch is not
 *                        applied yet; startup reads only these (the index)
 *   jobs/.staging/       folders being created by submit, renamed into place
 *   jobs/.dispatch.lock  held while a manager counts running jobs and claims one
 */
import { join } from 'node:path';

export const JOB_FILES = {
  record: 'job.json',
  input: 'input.json',
  progress: 'progress.json',
  results: 'results.json',
  error: 'error.json',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  /** Held by the worker while it runs (proper-lockfile format: a folder whose mtime is a heartbeat). */
  workerLock: 'worker.lock',
  /** Held by a server while it rewrites job.json. */
  recordLock: 'job.json.lock',
  attempts: 'attempts',
} as const;

export const ACTIVE_DIR = '.active';
export const STAGING_DIR = '.staging';
export const DISPATCH_LOCK = '.dispatch.lock';

/** Staleness of the worker's lock heartbeat, shared by the worker and the server. */
export const WORKER_LOCK_STALE_MS = 30_000;
export const WORKER_LOCK_UPDATE_MS = 5_000;

export function jobFile(jobDir: string, name: keyof typeof JOB_FILES): string {
  return join(jobDir, JOB_FILES[name]);
}
