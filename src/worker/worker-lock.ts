/**
 * The lock a worker holds on its job folder while it runs, in proper-lockfile's
 * on-disk format (a folder whose mtime is refreshed as a heartbeat), so the
 * server checks it with `proper-lockfile.check()`. Written here with builtins,
 * synchronously: loading proper-lockfile costs ~20 ms of a wrapper's start-up
 * (node -e "" is ~60 ms; the budget for our whole runtime is 25 % of that).
 *
 * The lock also stops two workers from running the same job folder at once.
 * A lock is taken over when its heartbeat is older than `staleMs`, or at once
 * when its owner file (lock-owner.ts) proves its holder dead on this machine.
 */
import { mkdirSync, rmSync, rmdirSync, statSync, unlinkSync, utimes } from 'node:fs';
import { join } from 'node:path';
import { OWNER_FILE, ownerIsDead, readOwner, readOwnerText, writeOwner } from './lock-owner.js';

export class LockedError extends Error {
  override readonly name = 'LockedError';
}

export interface HeldLock {
  release(): void;
}

/** Removes the lock folder: its owner file, then the folder (recursively only if someone put more in it). */
function removeLock(lockPath: string): void {
  try {
    unlinkSync(join(lockPath, OWNER_FILE));
  } catch {
    // none (another runtime's lock, or never written)
  }
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
    const owner = readOwner(lockPath);
    if (ageMs < staleMs && !ownerIsDead(owner)) {
      throw new LockedError(`another worker holds ${lockPath} (heartbeat ${Math.round(ageMs / 1000)} s ago${owner ? `, pid ${owner.pid}` : ''})`);
    }
    process.stderr.write(`taking over ${lockPath}: ${ageMs < staleMs ? `its holder, pid ${owner?.pid}, is dead` : 'its heartbeat is stale'}\n`);
    removeLock(lockPath);
    mkdirSync(lockPath);
  }
  const owned = writeOwner(lockPath);
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
      // Taken over while we were thought dead (stopped for longer than staleMs): the lock is someone else's now.
      if (owned !== undefined && readOwnerText(lockPath) !== owned) return;
      removeLock(lockPath);
    },
  };
}
