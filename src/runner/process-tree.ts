/**
 * Every process of a job, also those that left its process group.
 *
 * A worker is started in its own process group, and a group signal reaches
 * what stayed in it. A descendant that called `setsid()` (or `setpgid`) left
 * the group; once its parent died it hangs under init, so the parent chain
 * is lost too. What it keeps is its environment: the launcher starts every
 * worker with `MCP_JOBS_JOB_ID=<id>`, and every descendant inherits it. So a
 * job's processes are: its group, every process whose /proc/<pid>/environ
 * holds the marker, and every descendant (by parent pid) of those.
 *
 * Each process is identified by pid plus start time, and signalled only if it
 * is still that process (a recycled pid is never signalled).
 *
 * Out of reach (docs/design-notes.md, "Stopping every process of a job"): a
 * descendant that exec'd with a cleared environment and also left the group
 * and lost its parent; processes of another user (unreadable environ); other
 * hosts; systems without /proc (there only the group is signalled).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { environHas, isGroupAlive, isProcessAlive, lineage, listProcesses, signalGroup, signalProcess, type ProcEntry } from './proc.js';

/** The environment variable every process of a job inherits: `MCP_JOBS_JOB_ID=<job id>`. */
export const JOB_MARKER = 'MCP_JOBS_JOB_ID';

export interface TreeSpec {
  /** A process group to signal as a whole (only when it is known to be ours). */
  group?: number | undefined;
  /** `NAME=value` every process of the tree inherited. */
  marker?: string | undefined;
  /** Processes whose descendants (by parent pid) belong to the tree. */
  roots?: number[] | undefined;
}

/** The processes of the tree (besides this process and its ancestors, never). */
export function findTree(spec: TreeSpec): ProcEntry[] {
  const all = listProcesses();
  const children = new Map<number, ProcEntry[]>();
  for (const entry of all) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const found = new Map<number, ProcEntry>();
  const queue: ProcEntry[] = [];
  const roots = new Set(spec.roots ?? []);
  for (const entry of all) {
    if (roots.has(entry.pid) || (spec.marker !== undefined && environHas(entry.pid, spec.marker))) queue.push(entry);
  }
  while (queue.length) {
    const entry = queue.pop()!;
    if (found.has(entry.pid)) continue;
    found.set(entry.pid, entry);
    queue.push(...(children.get(entry.pid) ?? []));
  }
  // This process and its ancestors are never part of a tree we stop.
  for (const pid of lineage().pids) found.delete(pid);
  return [...found.values()];
}

function signalTree(spec: TreeSpec, known: ProcEntry[], signal: NodeJS.Signals): ProcEntry[] {
  let signalled: number | undefined;
  if (spec.group !== undefined && isGroupAlive(spec.group)) {
    try {
      if (signalGroup(spec.group, signal)) signalled = spec.group;
    } catch {
      // EPERM: a group we may not signal; its members are signalled one by one.
    }
  }
  const members = uniq([...known, ...findTree(spec)]);
  // Once each: a second SIGTERM may end a worker that is shutting down cleanly on the first.
  for (const entry of members) if (entry.pgid !== signalled) signalProcess(entry.pid, entry.startTime, signal);
  return members;
}

function uniq(entries: ProcEntry[]): ProcEntry[] {
  return [...new Map(entries.map((e) => [`${e.pid}:${e.startTime}`, e])).values()];
}

const alive = (spec: TreeSpec, known: ProcEntry[]) =>
  (spec.group !== undefined && isGroupAlive(spec.group)) || known.some((e) => isProcessAlive(e.pid, e.startTime));

async function gone(spec: TreeSpec, known: ProcEntry[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(spec, known)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/**
 * Stops the tree: `first` (SIGTERM) to all of it, SIGKILL after `graceMs` to
 * what is left (found again: it may have forked meanwhile). Resolves once
 * nothing of it is left, or `graceMs + 2 s` passed.
 */
export async function stopTree(spec: TreeSpec, graceMs: number, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  let known = signalTree(spec, [], first);
  if ((await gone(spec, known, graceMs)) && !findTree(spec).length) return;
  // Rescan a few times: a process may fork while it is being killed.
  for (let round = 0; round < 3; round += 1) {
    known = signalTree(spec, known.filter((e) => isProcessAlive(e.pid, e.startTime)), 'SIGKILL');
    await gone(spec, known, round === 0 ? 2000 : 200);
    if (!findTree(spec).length) return;
  }
}
