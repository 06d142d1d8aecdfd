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
import { join } from 'node:path';

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

/*
 * Process identity as src/runner/proc.ts reads it (pid + /proc/<pid>/stat field 22), repeated here rather than
 * imported: node:os and every extra module cost a wrapper start-up time it does not have (bench wrapper-startup).
 */
const HAS_PROC = quietly(() => readFileSync('/proc/self/stat')) !== undefined;

/** Fields of /proc/<pid>/stat after the `(comm)` field, which may hold spaces or parens. */
function statFields(pid: number): string[] | undefined {
  const text = quietly(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const close = text?.lastIndexOf(')') ?? -1;
  return text && close >= 0 ? text.slice(close + 2).split(' ') : undefined;
}

/** Live, not a zombie, and (when known) started when recorded: not a recycled pid. */
function isAlive(pid: number, startTime: string | undefined): boolean {
  if (HAS_PROC) {
    const fields = statFields(pid);
    if (!fields || fields[0] === 'Z' || fields[0] === 'X') return false;
    return startTime === undefined || fields[19] === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The host name (uname's nodename) without loading node:os where /proc has it. */
function hostName(): string {
  const fromProc = quietly(() => readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
  if (fromProc) return fromProc;
  const load = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return (load?.('node:os') as typeof import('node:os') | undefined)?.hostname() ?? 'unknown';
}

/** This machine and pid namespace, as an owner file records them. */
function here(): Omit<LockOwner, 'pid' | 'startTime'> {
  const bootId = quietly(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  const pidNs = quietly(() => readlinkSync('/proc/self/ns/pid'));
  return { host: hostName(), ...(bootId ? { bootId } : {}), ...(pidNs ? { pidNs } : {}) };
}

export function thisProcess(): LockOwner {
  const startTime = statFields(process.pid)?.[19];
  return { pid: process.pid, ...(startTime ? { startTime } : {}), ...here() };
}

/** Records this process as the lock's holder: the text written, or undefined if it could not (the heartbeat alone then speaks for it). */
export function writeOwner(lockPath: string): string | undefined {
  const text = `${JSON.stringify(thisProcess())}\n`;
  try {
    writeFileSync(join(lockPath, OWNER_FILE), text, { flag: 'wx' });
    return text;
  } catch {
    return undefined;
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

/** The owner file's text, read safely: never through a link, never waiting on a FIFO, 4 KiB at most (the worker runtime and the server). */
export function readOwnerText(lockPath: string): string | undefined {
  return quietly(() => {
    if (!lstatSync(lockPath).isDirectory()) return undefined;
    const fd = openSync(join(lockPath, OWNER_FILE), OPEN_FLAGS);
    try {
      if (!fstatSync(fd).isFile()) return undefined;
      const buffer = Buffer.alloc(MAX_OWNER_BYTES);
      return buffer.toString('utf8', 0, readSync(fd, buffer, 0, MAX_OWNER_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  });
}

/** The lock's recorded holder (the worker runtime, and the server when a retry moves a dead attempt's lock aside). */
export function readOwner(lockPath: string): LockOwner | undefined {
  const text = readOwnerText(lockPath);
  return text === undefined ? undefined : parseOwner(text);
}

/** True only when the lock's recorded holder is certainly not running (see the file comment). */
export function ownerIsDead(owner: LockOwner | undefined): boolean {
  if (!owner) return false;
  const me = here();
  if (owner.host !== me.host || owner.bootId !== me.bootId || owner.pidNs !== me.pidNs) return false;
  return !isAlive(owner.pid, owner.startTime);
}

