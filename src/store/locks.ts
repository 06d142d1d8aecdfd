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
    const release = await acquire(lockPath);
    try {
      return await fn();
    } finally {
      await release().catch((error: Error) => log.warn(`releasing ${lockPath}: ${error.message}`));
    }
  });
}

/**
 * Takes the lock, waiting (up to 120 tries, 1 ms growing to 100 ms apart) only
 * while another process holds it. Any other failure (a read-only or full disk,
 * a missing folder) is thrown at once: waiting does not make it go away, and a
 * caller that has to try again later (a pending patch) does so on its own clock.
 */
async function acquire(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await lockfile.lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: LOCK_STALE_MS,
        onCompromised: (error) => log.warn(`lock ${lockPath} compromised: ${error.message}`),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || attempt >= 120) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, 1.3 ** attempt)));
    }
  }
}

/** True when a live holder has the proper-lockfile lock at `lockPath` (fresh heartbeat). */
export async function isLockHeld(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    // A lock is a folder its holder made; a link, FIFO or file in its place is no lock (and a link is never followed).
    if (!(await lstat(lockPath)).isDirectory()) return false;
    // Stryker disable next-line BooleanLiteral: equivalent, the real path of the folder just lstat'ed is that same folder.
    return await lockfile.check(lockPath, { lockfilePath: lockPath, realpath: false, stale: staleMs });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
