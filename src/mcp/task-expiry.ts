/**
 * Task ttl: a job started as a task with a `ttl` records it (label
 * `mcp.task_ttl_ms`); once the ttl has passed since creation, the finished job
 * and its results are removed, as the spec allows. A job is never removed while
 * queued or running, nor with its state patch still pending, and its result
 * stays at least `graceMs` after it ends, so a short ttl cannot take a result
 * away before its client had a chance to fetch it.
 */
import { log } from '../log.js';
import type { JobManager } from '../runner/job-manager.js';
import { needsAttention } from '../store/job-store.js';
import { isTerminal } from '../types.js';
import { TASK_LABELS } from './views.js';

export interface TaskExpiryOptions {
  /** Between sweeps. Default 60 s. */
  intervalMs?: number;
  /** Minimum time a result stays after its job ended. Default 60 s. */
  graceMs?: number;
}

/** One pass: removes finished jobs whose task ttl has passed. Returns their ids. */
export async function sweepExpiredTasks(runner: JobManager, graceMs = 60_000, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const id of await runner.store.listIds()) {
    const read = await runner.store.read(id);
    if (!read.ok) continue;
    const record = read.value;
    const ttl = record.labels?.[TASK_LABELS.ttl];
    if (ttl === undefined || !isTerminal(record.status) || needsAttention(record)) continue;
    const expires = Math.max(Date.parse(record.createdAt) + Number(ttl), Date.parse(record.finishedAt ?? record.createdAt) + graceMs);
    if (!(expires <= now)) continue;
    await runner.store.remove(id);
    removed.push(id);
  }
  if (removed.length) log.info(`removed ${removed.length} finished task(s) past their ttl`);
  return removed;
}

/** Sweeps on an interval until the returned function is called. */
export function startTaskExpiry(runner: JobManager, options: TaskExpiryOptions = {}): () => void {
  const { intervalMs = 60_000, graceMs = 60_000 } = options;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredTasks(runner, graceMs)
      .catch((error: Error) => log.warn(`task ttl sweep: ${error.message}`))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
