/**
 * Temp files of dead writers. Every atomic write goes through a temp file in
 * the target's folder, `.<name>.<pid>.<counter>.<random>.tmp` (TypeScript) or
 * `.<name>.<pid>.<random>.tmp` (Python): a writer SIGKILLed between creating it
 * and the rename leaves it behind, and nothing else would ever remove it.
 * `sweepDeadTemps` removes those whose writer is certainly gone: the pid in
 * the name is not a live process here (and is not this process). A live pid
 * (the writer, or a stranger with a recycled pid) keeps its temp file; the
 * next sweep looks again. Swept: a job's folder when it leaves the index
 * (terminal, patch settled), the state folder at start.
 *
 * Limit: the pid is only meaningful on the writer's host. Several hosts on one
 * shared folder (not supported yet) need the host in the temp name, or a
 * minimum age longer than any write takes.
 */
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../runner/proc.js';

const TEMP_NAME = /^\.(.+?\.json)\.(\d+)\.(?:\d+\.)?[0-9a-z]+\.tmp$/;

/** The writer's pid of a temp file name, or undefined if it is not one of ours. */
export function tempWriterPid(name: string): number | undefined {
  const match = TEMP_NAME.exec(name);
  return match ? Number(match[2]) : undefined;
}

/** Removes the temp files of dead writers in `dir` (not recursive); returns their names. Never throws. */
export function sweepDeadTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = tempWriterPid(name);
    if (pid === undefined || pid === process.pid || isProcessAlive(pid)) continue;
    try {
      const path = join(dir, name);
      const info = lstatSync(path);
      if (!info.isFile()) continue;
      unlinkSync(path);
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
