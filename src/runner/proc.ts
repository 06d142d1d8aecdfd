/**
 * Process identity and liveness. A pid alone is not an identity: pids are
 * recycled. We pair it with the process start time (Linux: /proc/<pid>/stat
 * field 22, clock ticks since boot), so a recycled pid never counts as ours.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Fields of /proc/<pid>/stat after the `(comm)` field, which may hold spaces or parens. */
function statFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  return close < 0 ? undefined : text.slice(close + 2).split(' ');
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/** The process start time as a string, or undefined where /proc is not available. */
export function processStartTime(pid: number): string | undefined {
  // Field 3 (state) is index 0 here; field 22 (starttime) is index 19.
  return statFields(pid)?.[19];
}

/**
 * True when `pid` is a live process and, when `startTime` is known, the same
 * process that was started then. Zombies count as dead.
 */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  if (hasProc) {
    const fields = statFields(pid);
    if (!fields) return false;
    if (fields[0] === 'Z' || fields[0] === 'X') return false;
    return startTime === undefined || fields[19] === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * This process and its ancestors (pids), and their process groups: never a
 * worker, never signalled. Read from /proc each time (a parent that dies
 * changes the chain); without /proc, this process and its parent only.
 */
export function lineage(): { pids: Set<number>; groups: Set<number> } {
  const pids = new Set([process.pid, process.ppid]);
  const groups = new Set<number>();
  for (let pid = process.pid, depth = 0; pid > 0 && depth < 256; depth++) {
    const fields = statFields(pid);
    if (!fields) break;
    pids.add(pid);
    groups.add(Number(fields[2]));
    if (pid === 1) break;
    pid = Number(fields[1]);
  }
  return { pids, groups };
}

/**
 * A pid that can be one of our workers: a real pid (> 1; 0 and 1 are never
 * a detached child of ours) that is not this process or one of its
 * ancestors. A job.json naming another one is forged or damaged.
 */
export function isWorkerCandidate(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 1 && !lineage().pids.has(pid);
}

/**
 * A process group it is safe to signal: not 0 (`kill(0)` is our own group),
 * not 1 or less (`kill(-1)` is every process there is), and not the group of
 * this process or of an ancestor.
 */
export function isSignallableGroup(pgid: number): boolean {
  return Number.isSafeInteger(pgid) && pgid > 1 && !lineage().groups.has(pgid);
}

/** True while any process of group `pgid` exists. */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to process group `pgid`; false when the group is gone, or is not one to signal (`isSignallableGroup`). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!isSignallableGroup(pgid)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** A process as /proc shows it: pid, parent pid, process group and start time. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  startTime: string;
}

/** Every live (non-zombie) process this host's /proc lists; empty without /proc. */
export function listProcesses(): ProcEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const entries: ProcEntry[] = [];
  for (const name of names) {
    // Stryker disable next-line ConditionalExpression: equivalent, a name that is no pid (self, sys) has no /proc/NaN/stat and is skipped.
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    // Index 0: state, 1: ppid, 2: pgrp, 19: starttime.
    if (!fields || fields[0] === 'Z' || fields[0] === 'X' || fields[19] === undefined) continue;
    entries.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19] });
  }
  return entries;
}

/**
 * True when the environment `pid` was started with holds exactly `entry`
 * (`NAME=value`). Only processes of our own user are readable (others: false).
 */
export function environHas(pid: number, entry: string): boolean {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return false;
  }
  return environ.split('\0').includes(entry);
}

/** Sends `signal` to `pid` if it is still the process started at `startTime`; false when it is gone or not ours. */
export function signalProcess(pid: number, startTime: string, signal: NodeJS.Signals): boolean {
  if (!isWorkerCandidate(pid) || !isProcessAlive(pid, startTime)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
