/**
 * The server's read of a worker lock's owner file (lock-owner.ts): off the
 * main thread, never through a link, never blocking on a FIFO, 4 KiB at most.
 * Kept out of lock-owner.ts so that a wrapper never loads node:fs/promises.
 */
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_OWNER_BYTES, OPEN_FLAGS, OWNER_FILE, parseOwner, type LockOwner } from './lock-owner.js';

/** The lock's recorded holder, for the server (which never blocks its event loop on a job's files). */
export async function readOwnerAsync(lockPath: string): Promise<LockOwner | undefined> {
  try {
    if (!(await lstat(lockPath)).isDirectory()) return undefined;
    const handle = await open(join(lockPath, OWNER_FILE), OPEN_FLAGS);
    try {
      if (!(await handle.stat()).isFile()) return undefined;
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(MAX_OWNER_BYTES), 0, MAX_OWNER_BYTES, 0);
      return parseOwner(buffer.toString('utf8', 0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

