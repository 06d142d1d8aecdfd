/**
 * Retention: removes finished job folders past their time. Never touches a
 * queued or running job, nor one whose state patch is still pending, nor one
 * whose record cannot be read (that is for a person to look at).
 */
import { JobsError, describeValue } from '../errors.js';
import type { JobStore } from '../store/job-store.js';
import { needsAttention } from '../store/job-store.js';
import { isTerminal } from '../types.js';

export interface CleanupOptions {
  /** Remove finished jobs that finished longer ago than this (ms). Default: 7 days. */
  olderThanMs?: number;
  /** Always keep this many of the jobs that finished last. Default 0. */
  keepLast?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface CleanupReport {
  removed: string[];
  kept: number;
  dryRun: boolean;
}

export async function cleanupJobs(store: JobStore, options: CleanupOptions): Promise<CleanupReport> {
  const olderThanMs = options.olderThanMs ?? 7 * 24 * 3_600_000;
  const keepLast = options.keepLast ?? 0;
  for (const [name, value] of [['olderThanMs', olderThanMs], ['keepLast', keepLast]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new JobsError('invalid_option', `Expected \`${name}\` to be a non-negative integer, got ${describeValue(value)}`);
  }
  const cutoff = Date.now() - olderThanMs;
  const removed: string[] = [];
  let kept = 0;
  const finished: { id: string; at: number }[] = [];
  for (const id of await store.listIds()) {
    const read = await store.read(id);
    if (!read.ok || !isTerminal(read.value.status) || needsAttention(read.value)) kept += 1;
    else finished.push({ id, at: Date.parse(read.value.finishedAt ?? read.value.createdAt) });
  }
  // The newest by finish time are kept (ties: the newer id), whatever order they were created in.
  finished.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  for (const [index, { id, at }] of finished.entries()) {
    if (index < keepLast || at > cutoff) {
      kept += 1;
      continue;
    }
    if (!options.dryRun) await store.remove(id);
    removed.push(id);
  }
  return { removed, kept, dryRun: options.dryRun === true };
}
