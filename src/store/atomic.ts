/**
 * Atomic, durable file writes and tolerant JSON reads. Every JSON file of the
 * protocol goes through here: temp file in the same folder, fsync, rename over
 * the target, fsync the folder. A reader sees the old file or the new one,
 * never half of either. Builtins only: the worker runtime imports this.
 */
import { closeSync, fsync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let tempCounter = 0;

/** A temp name in the target's own folder, unique across processes. */
export function tempPathFor(path: string): string {
  tempCounter = (tempCounter + 1) % 1_000_000;
  // No node:crypto here: it costs a wrapper 2-3 ms to load. pid + counter are unique per process; the random part guards against a reused pid.
  return join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter}.${Math.random().toString(36).slice(2, 8)}.tmp`);
}

/** fsync an open file descriptor off the main thread (it waits for the disk). */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** fsync a folder so that a rename or create inside it survives a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes every byte of `data` to `fd`. write(2) may write fewer bytes than
 * asked (a nearly full disk writes what fits, and only the next call fails
 * with ENOSPC): loop until all are written. A write that makes no progress is
 * an error, so a caller never renames a truncated temp file into place.
 */
function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < bytes.byteLength) {
    const written = writeSync(fd, bytes, offset, bytes.byteLength - offset);
    if (written <= 0) throw Object.assign(new Error(`short write: ${offset} of ${bytes.byteLength} bytes written`), { code: 'EIO' });
    offset += written;
  }
}

/**
 * Replace `path` with `data` atomically and durably. The calls that do not wait
 * for the disk (open, write, close, rename: microseconds each) are synchronous;
 * a thread-pool round trip for each would cost more than the call. The two
 * fsyncs, which wait for the disk, run off the main thread.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o600);
    writeAll(fd, data);
    await fsyncFd(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** `JSON.stringify` + `writeFileAtomic`; pretty-printed so people can read job folders. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The same, synchronously: for the worker runtime, where a handful of small
 * writes on the main thread beat starting libuv's thread pool (measured: the
 * first async fs call costs a wrapper several ms of thread start-up).
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file was never created
    }
    throw error;
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export function writeJsonAtomicSync(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

// The read side lives in safe-read.ts (O_NOFOLLOW, regular files only, size limits); re-exported for existing importers.
export { parseJsonText, readJsonFile, type Parser, type ReadFailure, type ReadResult } from './safe-read.js';

/** Formats the first problems of a failed parse: `steps: Too small: expected number to be >=1`. */
export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  // Keys and messages can quote the input (an unknown 10 MB key): each part is cut.
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);
  return issues
    .slice(0, 5)
    .map((issue) => {
      const message = cut(issue.message, 200);
      return issue.path.length ? `${cut(issue.path.map((part) => cut(String(part), 40)).join('.'), 200)}: ${message}` : message;
    })
    .join('; ');
}
