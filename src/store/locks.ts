/**
 * Locks for server-side writers. Within one process a keyed promise chain
 * serializes writers (cheap); across processes proper-lockfile's mkdir lock
 * does (two servers on the same folders never clobber each other).
 */
import { lstat } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { log } from '../log.js';

/** A lock held longer than this by a process that died is taken over. */
export const LOCK_STALE_MS = 5_000;

const chains = new Map<string, Promise<unknown>>();

/** Run `fn` after every earlier `serialize(key, ...)` of this process has settled. */
export function serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(key) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const tail = next.catch(() => {});
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return next;
}

/**
 * Hold the cross-process lock at `lockPath` (a folder, proper-lockfile format)
 * while `fn` runs. Waits up to ~10 s for another holder; a holder that died is
 * taken over once its lock is `LOCK_STALE_MS` old.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  return serialize(lockPath, async () => {
    const release = await lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: LOCK_STALE_MS,
      retries: { retries: 120, factor: 1.3, minTimeout: 1, maxTimeout: 100 },
      onCompromised: (error) => log.warn(`lock ${lockPath} compromised: ${error.message}`),
    });
    try {
      return await fn();
    } finally {
      await release().catch((error: Error) => log.warn(`releasing ${lockPath}: ${error.message}`));
    }
  });
}

/** True when a live holder has the proper-lockfile lock at `lockPath` (fresh heartbeat). */
export async function isLockHeld(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    // A lock is a folder its holder made; a link, FIFO or file in its place is no lock (and a link is never followed).
    if (!(await lstat(lockPath)).isDirectory()) return false;
    return await lockfile.check(lockPath, { lockfilePath: lockPath, realpath: false, stale: staleMs });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
