/**
 * The lock a worker holds on its job folder while it runs, in proper-lockfile's
 * on-disk format (a folder whose mtime is refreshed as a heartbeat), so the
 * server checks it with `proper-lockfile.check()`. Written here with builtins,
 * synchronously: loading proper-lockfile costs ~20 ms of a wrapper's start-up
 * (node -e "" is ~60 ms; the budget for our whole runtime is 25 % of that).
 *
 * The lock also stops two workers from running the same job folder at once.
 */
import { mkdirSync, rmSync, rmdirSync, statSync, utimes } from 'node:fs';

export class LockedError extends Error {
  override readonly name = 'LockedError';
}

export interface HeldLock {
  release(): void;
}

/** Removes the lock folder (empty by protocol; recursively only if someone put files in it). */
function removeLock(lockPath: string): void {
  try {
    rmdirSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(lockPath, { recursive: true, force: true });
  }
}

export function acquireWorkerLock(lockPath: string, staleMs: number, updateMs: number): HeldLock {
  try {
    mkdirSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    let ageMs = Number.POSITIVE_INFINITY;
    try {
      ageMs = Date.now() - statSync(lockPath).mtimeMs;
    } catch {
      // gone meanwhile: take it
    }
    if (ageMs < staleMs) throw new LockedError(`another worker holds ${lockPath} (heartbeat ${Math.round(ageMs / 1000)} s ago)`);
    removeLock(lockPath); // stale: its holder died
    mkdirSync(lockPath);
  }
  const timer = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now, () => {});
  }, updateMs);
  timer.unref();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      removeLock(lockPath);
    },
  };
}
