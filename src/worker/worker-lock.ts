/**
 * The lock a worker holds on its job folder while it runs, in proper-lockfile's
 * on-disk format (a folder whose mtime is refreshed as a heartbeat), so the
 * server checks it with `proper-lockfile.check()`. Written here with builtins
 * because loading proper-lockfile costs ~20 ms of a wrapper's start-up (measured:
 * node -e "" is ~55 ms; the budget for our whole runtime is 25 % of that).
 *
 * The lock also stops two workers from running the same job folder at once.
 */
import { mkdir, rm, stat, utimes } from 'node:fs/promises';

export class LockedError extends Error {
  override readonly name = 'LockedError';
}

export interface HeldLock {
  release(): Promise<void>;
}

export async function acquireWorkerLock(lockPath: string, staleMs: number, updateMs: number): Promise<HeldLock> {
  try {
    await mkdir(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(lockPath).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs < staleMs) {
      throw new LockedError(`another worker holds ${lockPath} (heartbeat ${Math.round((Date.now() - info.mtimeMs) / 1000)} s ago)`);
    }
    // Stale: its holder died. Take it over.
    await rm(lockPath, { recursive: true, force: true });
    await mkdir(lockPath);
  }
  const timer = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => {});
  }, updateMs);
  timer.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await rm(lockPath, { recursive: true, force: true }).catch(() => {});
    },
  };
}
