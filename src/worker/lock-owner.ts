/**
 * Who holds a worker lock: `worker.lock/owner.json`, written by the worker
 * right after its `mkdir`:
 *
 *     {"pid": 4242, "startTime": "123456", "host": "box", "bootId": "…", "pidNs": "pid:[4026531836]"}
 *
 * It lets the next worker on the same machine tell at once that a lock's
 * holder died (SIGKILL, process.exit in run, a retry of a dead attempt) instead
 * of waiting 30 s for the heartbeat to go stale. A holder counts as dead only
 * when that is certain: same host name, same boot, same pid namespace, and its
 * pid is gone, a zombie, or a different process now (start time). Anything
 * else (no owner file, another host or container, unreadable fields) leaves
 * the heartbeat rule alone in charge, so a live worker's lock is never taken.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, readlinkSync, writeFileSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, processStartTime } from '../runner/proc.js';

export const OWNER_FILE = 'owner.json';

export interface LockOwner {
  pid: number;
  startTime?: string;
  host: string;
  bootId?: string;
  pidNs?: string;
}

function quietly<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** This machine and pid namespace, as an owner file records them. */
function here(): Omit<LockOwner, 'pid' | 'startTime'> {
  const bootId = quietly(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  const pidNs = quietly(() => readlinkSync('/proc/self/ns/pid'));
  return { host: hostname(), ...(bootId ? { bootId } : {}), ...(pidNs ? { pidNs } : {}) };
}

export function thisProcess(): LockOwner {
  const startTime = processStartTime(process.pid);
  return { pid: process.pid, ...(startTime ? { startTime } : {}), ...here() };
}

/** Records this process as the lock's holder; false if it could not (the heartbeat alone then speaks for it). */
export function writeOwner(lockPath: string): boolean {
  try {
    writeFileSync(join(lockPath, OWNER_FILE), `${JSON.stringify(thisProcess())}\n`, { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/** Larger than any owner file; the read never takes more. */
const MAX_OWNER_BYTES = 4096;
/** Never follow a link, never block on a FIFO: the lock folder is worker-written. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Parses an owner file's text; undefined unless it has the shape above. */
export function parseOwner(text: string): LockOwner | undefined {
  const value = quietly(() => JSON.parse(text) as unknown);
  if (typeof value !== 'object' || value === null) return undefined;
  const owner = value as Record<string, unknown>;
  if (!Number.isSafeInteger(owner.pid) || (owner.pid as number) <= 0 || typeof owner.host !== 'string') return undefined;
  for (const key of ['startTime', 'bootId', 'pidNs']) if (owner[key] !== undefined && typeof owner[key] !== 'string') return undefined;
  return value as LockOwner;
}

/** The lock's recorded holder (synchronous: the worker runtime). */
export function readOwner(lockPath: string): LockOwner | undefined {
  return quietly(() => {
    if (!lstatSync(lockPath).isDirectory()) return undefined;
    const fd = openSync(join(lockPath, OWNER_FILE), OPEN_FLAGS);
    try {
      if (!fstatSync(fd).isFile()) return undefined;
      const buffer = Buffer.alloc(MAX_OWNER_BYTES);
      return parseOwner(buffer.toString('utf8', 0, readSync(fd, buffer, 0, MAX_OWNER_BYTES, 0)));
    } finally {
      closeSync(fd);
    }
  });
}

/** The same off the main thread, for the server (which never blocks its event loop on a job's files). */
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

/** True only when the lock's recorded holder is certainly not running (see the file comment). */
export function ownerIsDead(owner: LockOwner | undefined): boolean {
  if (!owner) return false;
  const me = here();
  if (owner.host !== me.host || owner.bootId !== me.bootId || owner.pidNs !== me.pidNs) return false;
  return !isProcessAlive(owner.pid, owner.startTime);
}

/** The same holder: pid, start time, host and pid namespace all match. */
export function isThisProcess(owner: LockOwner | undefined): boolean {
  const me = thisProcess();
  return owner !== undefined && owner.pid === me.pid && owner.startTime === me.startTime && owner.host === me.host && owner.pidNs === me.pidNs;
}
