/**
 * Atomic, durable file writes and tolerant JSON reads. Every JSON file of the
 * protocol goes through here: temp file in the same folder, fsync, rename over
 * the target, fsync the folder. A reader sees the old file or the new one,
 * never half of either. Builtins only: the worker runtime imports this.
 */
import { closeSync, fsync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
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
 * Replace `path` with `data` atomically and durably. The calls that do not wait
 * for the disk (open, write, close, rename: microseconds each) are synchronous;
 * a thread-pool round trip for each would cost more than the call. The two
 * fsyncs, which wait for the disk, run off the main thread.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    writeFileSync(fd, data);
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
export function writeFileAtomicSync(path: string, data: string): void {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, data);
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
  return issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
