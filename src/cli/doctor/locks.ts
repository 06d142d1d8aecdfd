/**
 * Doctor: stale locks. A lock is a folder whose mtime is its holder's
 * heartbeat (proper-lockfile's format):
 *
 * - `jobs/<id>/worker.lock` (the worker's), stale after 30 s without a heartbeat;
 *   kept if the job's worker process is still alive (a busy worker may miss beats).
 * - `jobs/<id>/job.json.lock`, `jobs/.dispatch.lock`, `state/<field>.json.lock`
 *   (servers'), stale after 5 s: held only for a write, refreshed while held.
 *
 * A stale lock means its holder died holding it. Writers take a stale server
 * lock over by themselves; doctor --fix removes them (re-checking first).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../../runner/proc.js';
import { LOCK_STALE_MS } from '../../store/locks.js';
import { DISPATCH_LOCK, JOB_FILES, WORKER_LOCK_STALE_MS } from '../../store/paths.js';
import { formatDuration } from '../duration.js';
import { finding, type DoctorContext, type Finding } from './findings.js';

async function age(path: string, now: number): Promise<{ ageMs: number; mtimeMs: number } | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info ? { ageMs: now - info.mtimeMs, mtimeMs: info.mtimeMs } : undefined;
}

function staleLock(path: string, seen: { ageMs: number; mtimeMs: number }, staleMs: number, holder: string): Finding {
  return finding('locks', 'problem', `stale lock ${path} (last heartbeat ${formatDuration(seen.ageMs)} ago): ${holder} died holding it`, {
    fix: 'remove it (doctor --fix does, after checking it is still stale)',
    repair: { kind: 'remove-lock', path, mtimeMs: seen.mtimeMs, staleMs },
  });
}

export async function checkLocks(ctx: DoctorContext): Promise<Finding[]> {
  const found: Finding[] = [];
  let checked = 0;
  const { now } = ctx;
  if (ctx.jobsDirExists) {
    const dispatch = join(ctx.manager.store.root, DISPATCH_LOCK);
    const seen = await age(dispatch, now);
    if (seen) {
      checked += 1;
      if (seen.ageMs > LOCK_STALE_MS) found.push(staleLock(dispatch, seen, LOCK_STALE_MS, 'a manager (dispatching)'));
    }
  }
  for (const job of ctx.jobs) {
    const recordLock = join(job.dir, JOB_FILES.recordLock);
    const record = await age(recordLock, now);
    if (record) {
      checked += 1;
      if (record.ageMs > LOCK_STALE_MS) found.push(staleLock(recordLock, record, LOCK_STALE_MS, 'a manager (writing job.json)'));
    }
    const workerLock = join(job.dir, JOB_FILES.workerLock);
    const worker = await age(workerLock, now);
    if (!worker) continue;
    checked += 1;
    if (worker.ageMs <= WORKER_LOCK_STALE_MS) continue;
    const r = job.record;
    if (r?.status === 'running' && r.pid && isProcessAlive(r.pid, r.pidStartTime)) {
      found.push(finding('locks', 'warn', `${workerLock}: heartbeat ${formatDuration(worker.ageMs)} ago, but worker pid ${r.pid} is alive`, {
        fix: 'the worker is busy (a blocked event loop misses heartbeats); leave it, or cancel the job if it hangs',
      }));
    } else found.push(staleLock(workerLock, worker, WORKER_LOCK_STALE_MS, 'the worker'));
  }
  const stateRoot = ctx.manager.state.root;
  for (const name of await readdir(stateRoot).catch(() => [] as string[])) {
    if (!name.endsWith('.lock')) continue;
    const path = join(stateRoot, name);
    const seen = await age(path, now);
    if (!seen) continue;
    checked += 1;
    if (seen.ageMs > LOCK_STALE_MS) found.push(staleLock(path, seen, LOCK_STALE_MS, 'a manager (writing state)'));
  }
  if (!found.length) found.push(finding('locks', 'ok', checked ? `${checked} lock${checked === 1 ? '' : 's'} held, none stale` : 'no locks held'));
  return found;
}
