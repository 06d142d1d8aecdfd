/**
 * Caps a job's stdout.log / stderr.log, keeping the tail.
 *
 * The worker writes its logs itself, through the file descriptors the launcher
 * opened in append mode (O_APPEND): no process of ours sits in between, so the
 * worker outlives the server and any language can be a worker. The manager that
 * follows a running job checks the logs' sizes (at the liveness interval, and
 * once more when the job ends) and, past `maxLogBytes`, rewrites the file in
 * place: a one-line note of what was dropped, then the last half of the cap
 * (from a line start), then truncates. In place, not by rename: the worker's
 * descriptor keeps pointing at the same file, and O_APPEND writes land at the
 * new end. Limits (docs/design-notes.md, "Log size cap"): the log may outgrow
 * the cap by what the worker writes in one check interval; bytes written in the
 * instant between the last size check and the truncate are lost; nobody trims
 * while no manager follows the job (e.g. after `submit` exited, before a server
 * adopts it).
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { withFileLock } from '../store/locks.js';

/** The note at the top of a trimmed log. */
export const TRIM_NOTE = '[mcp-jobs: log trimmed:';

/**
 * Trims `path` to its tail when it is larger than `maxBytes` (0: no cap).
 * Regular files only, never through a symlink. Returns the bytes dropped.
 */
export async function capLog(path: string, maxBytes: number): Promise<number> {
  if (maxBytes <= 0) return 0;
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile() || info.size <= maxBytes) return 0;
  return withFileLock(`${path}.lock`, () => trim(path, maxBytes));
}

async function trim(path: string, maxBytes: number): Promise<number> {
  const file = await open(path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const { size } = await file.stat();
    if (size <= maxBytes) return 0;
    const keep = Math.max(1, Math.floor(maxBytes / 2));
    let tail = Buffer.alloc(keep);
    const { bytesRead } = await file.read(tail, 0, keep, size - keep);
    tail = tail.subarray(0, bytesRead);
    // Start at a line: drop the cut first line, if a line ends early enough.
    const newline = tail.indexOf(0x0a);
    if (newline >= 0 && newline < Math.min(4096, tail.length - 1)) tail = tail.subarray(newline + 1);
    const dropped = size - tail.length;
    const note = Buffer.from(`${TRIM_NOTE} ${dropped} earlier bytes dropped (cap ${maxBytes} bytes)]\n`);
    await file.write(note, 0, note.length, 0);
    await file.write(tail, 0, tail.length, note.length);
    let end = note.length + tail.length;
    // Output appended while we copied: move it down too, then cut.
    let copiedTo = size;
    for (let round = 0; round < 4; round += 1) {
      const now = (await file.stat()).size;
      if (now <= copiedTo) break;
      const extra = Buffer.alloc(now - copiedTo);
      const got = (await file.read(extra, 0, extra.length, copiedTo)).bytesRead;
      await file.write(extra, 0, got, end);
      end += got;
      copiedTo += got;
    }
    await file.truncate(end);
    return dropped;
  } finally {
    await file.close();
  }
}
