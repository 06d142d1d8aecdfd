/**
 * Safe reads of files another process writes (the worker's files above all:
 * untrusted input). Every read here
 * - opens with O_NOFOLLOW (a symlink is refused, never followed) and
 *   O_NONBLOCK (opening a FIFO returns at once instead of freezing the event
 *   loop), then fstats the open descriptor and refuses anything but a regular
 *   file (FIFO, directory, device, socket);
 * - has a size limit, checked on that fstat before a byte is read;
 * - decodes strict UTF-8;
 * - never puts file content into a message (positions and sizes only).
 * Small regular files are read synchronously on purpose: from the page cache
 * they cost microseconds, a thread-pool round trip costs more. Builtins only.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { constants as bufferConstants, isUtf8 } from 'node:buffer';
import { basename } from 'node:path';

/** The largest file a string can be decoded from (Node's string length limit). */
export const MAX_READ_BYTES = bufferConstants.MAX_STRING_LENGTH;

/** O_NOFOLLOW: a link is refused; O_NONBLOCK: a FIFO opens at once (and is then refused by fstat). */
export const SAFE_OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Why a file could not be read: absent, not safe to read (link, FIFO, ...), over its limit, or bad content. */
export type ReadFailureReason = 'missing' | 'unsafe' | 'too_large' | 'torn' | 'invalid';
export type ReadFailure = { ok: false; reason: ReadFailureReason; message: string };
export type ReadResult<T> = { ok: true; value: T; text: string } | ReadFailure;

/** A size limit, and the option that sets it (named in the failure message). */
export interface ReadLimit {
  maxBytes: number;
  option?: string;
}

const NO_LIMIT: ReadLimit = { maxBytes: MAX_READ_BYTES };

/** Anything with zod's `safeParse` shape; kept structural so this file never loads zod. */
export interface Parser<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}
type Issue = { path: readonly PropertyKey[]; message: string; code?: string };

const fail = (reason: ReadFailureReason, message: string): ReadFailure => ({ ok: false, reason, message });

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export type Opened = { ok: true; fd: number; size: number };

/** Opens `path` for reading if it is a regular file and not a link; the caller closes the fd. */
export function openRegular(path: string, name = basename(path)): Opened | ReadFailure {
  let fd: number;
  try {
    fd = openSync(path, SAFE_OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('missing', `${name} does not exist`);
    if (code === 'ELOOP') return fail('unsafe', `${name} is a symbolic link; links are not followed`);
    if (code === 'ENXIO' || code === 'EOPNOTSUPP') return fail('unsafe', `${name} is not a regular file (a socket or device); not read`);
    if (code === 'ENOTDIR') return fail('unsafe', `${name}: its folder is not a directory`);
    if (code === 'EACCES' || code === 'EPERM') return fail('unsafe', `${name} cannot be read (${code})`);
    throw error;
  }
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (!stats.isFile()) {
    closeSync(fd);
    return fail('unsafe', `${name} is ${kindOf(stats)}, not a regular file; not read`);
  }
  return { ok: true, fd, size: stats.size };
}

/** Reads up to `length` bytes from `position` (fewer if the file is shorter). */
export function readBytes(fd: number, length: number, position = 0): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

export function tooLarge(name: string, size: number, limit: ReadLimit): ReadFailure {
  const option = limit.option ? ` (\`${limit.option}\`)` : '';
  return fail('too_large', `${name} is ${formatBytes(size)}, over the ${formatBytes(limit.maxBytes)} limit${option}; not read`);
}

/** The whole text of a regular file of at most `limit.maxBytes` bytes, strict UTF-8. */
export function readRegularText(path: string, limit: ReadLimit = NO_LIMIT, name = basename(path)): { ok: true; text: string; size: number } | ReadFailure {
  const opened = openRegular(path, name);
  if (!opened.ok) return opened;
  try {
    const max = Math.min(limit.maxBytes, MAX_READ_BYTES);
    if (opened.size > max) return tooLarge(name, opened.size, { ...limit, maxBytes: max });
    const bytes = readBytes(opened.fd, opened.size);
    if (!isUtf8(bytes)) return fail('invalid', `${name} is not valid UTF-8`);
    return { ok: true, text: bytes.toString('utf8'), size: opened.size };
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Reads and parses a JSON file. Never throws for a missing, unsafe, oversized,
 * torn or invalid file: returns a typed failure the caller reports. Other I/O
 * errors (EIO, EMFILE) throw.
 */
export async function readJsonFile<T = unknown>(path: string, parser?: Parser<T>, limit: ReadLimit = NO_LIMIT): Promise<ReadResult<T>> {
  const read = readRegularText(path, limit);
  if (!read.ok) return read;
  return parseJsonText(read.text, basename(path), parser);
}

/** Parses JSON text; the failure message says where, never what (the text is untrusted and may be secret). */
export function parseJsonText<T>(text: string, name: string, parser?: Parser<T>): ReadResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail('torn', `${name} is not valid JSON (${jsonErrorWhere(error, text)})`);
  }
  if (!parser) return { ok: true, value: raw as T, text };
  const parsed = parser.safeParse(raw);
  if (!parsed.success) return fail('invalid', `${name} does not match its schema: ${formatFileIssues(parsed.error.issues)}`);
  return { ok: true, value: parsed.data, text };
}

/** Where JSON.parse stopped, from its message, without the excerpt of the text it may quote. */
function jsonErrorWhere(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input/i.test(message)) return `it ends early, after ${text.length} characters`;
  const at = /at position (\d+)/.exec(message);
  if (at) return `at position ${at[1]} of ${text.length}`;
  return `unexpected character; ${text.length} characters`;
}

const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

/**
 * Formats the first problems of a failed parse of a file: `status: Invalid
 * option ...`. Keys that are not plain names are shown as `[key]`, and the
 * names of unknown keys are not shown: both come from the file.
 */
export function formatFileIssues(issues: readonly Issue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((part) => (typeof part === 'number' ? String(part) : typeof part === 'string' && SAFE_KEY.test(part) ? part : '[key]')).join('.');
      const message = issue.code === 'unrecognized_keys' ? 'unrecognized keys' : issue.message.slice(0, 200);
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}
