/**
 * What clients see of a job: the snake_case status object of the job tools and
 * `job://<id>`, the short list entry, and the MCP Task (2025-11-25) view.
 * Pure functions over a record; no I/O.
 */
import type { Task } from '@modelcontextprotocol/sdk/types.js';
import type { JobFailure, JobProgress, JobRecord, JobStatusView } from '../types.js';

export interface ProgressOutput {
  current: number;
  total: number;
  /** 0-100, one decimal; null when `total` is not positive. */
  percentage: number | null;
  message: string | null;
}

/** `get_job_status`, `wait_for_job` and `job://<id>`. */
export interface JobStatusOutput {
  job_id: string;
  type: string;
  status: JobRecord['status'];
  progress: ProgressOutput | null;
  attempt: number;
  max_attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Seconds the current attempt has run (or ran); null before it starts. */
  elapsed_s: number | null;
  exit_code: number | null;
  error: { kind: JobFailure['kind']; message: string } | null;
}

/** One entry of `list_jobs`. */
export interface JobSummaryOutput {
  job_id: string;
  type: string;
  status: JobRecord['status'];
  percentage: number | null;
  created_at: string;
  finished_at: string | null;
  error: string | null;
}

export function progressOutput(progress: JobProgress | undefined): ProgressOutput | null {
  if (!progress) return null;
  const percentage = progress.total > 0 ? Math.round((progress.current / progress.total) * 1000) / 10 : null;
  return { current: progress.current, total: progress.total, percentage, message: progress.message ?? null };
}

export function elapsedSeconds(record: JobRecord, now = Date.now()): number | null {
  if (!record.startedAt) return null;
  const end = record.finishedAt ? Date.parse(record.finishedAt) : now;
  return Math.max(0, Math.round((end - Date.parse(record.startedAt)) / 100) / 10);
}

export function jobStatusOutput(view: JobStatusView): JobStatusOutput {
  return {
    job_id: view.id,
    type: view.type,
    status: view.status,
    progress: progressOutput(view.progress),
    attempt: view.attempt,
    max_attempts: view.maxAttempts,
    created_at: view.createdAt,
    started_at: view.startedAt ?? null,
    finished_at: view.finishedAt ?? null,
    elapsed_s: elapsedSeconds(view),
    exit_code: view.exitCode ?? null,
    error: view.error ? { kind: view.error.kind, message: view.error.message } : null,
  };
}

export function jobSummaryOutput(view: JobStatusView): JobSummaryOutput {
  return {
    job_id: view.id,
    type: view.type,
    status: view.status,
    percentage: view.status === 'completed' ? 100 : (progressOutput(view.progress)?.percentage ?? null),
    created_at: view.createdAt,
    finished_at: view.finishedAt ?? null,
    error: view.error ? `${view.error.kind}: ${view.error.message}` : null,
  };
}

/** One line about where a job stands, for people and for `Task.statusMessage`. */
export function statusLine(view: JobStatusView): string {
  switch (view.status) {
    case 'queued':
      return view.attempt > 1 ? `queued for attempt ${view.attempt} of ${view.maxAttempts}` : 'queued';
    case 'running': {
      const p = view.progress;
      return p ? `running: ${p.current}/${p.total}${p.message ? ` (${p.message})` : ''}` : 'running';
    }
    case 'completed':
      return 'completed';
    case 'failed':
      return `failed (${view.error?.kind ?? 'error'}): ${view.error?.message ?? 'no details'}`;
    case 'cancelled':
      return 'cancelled';
  }
}

/** Labels a job carries for the Tasks wire format (all strings, in `job.json`). */
export const TASK_LABELS = { ttl: 'mcp.task_ttl_ms', pollInterval: 'mcp.poll_interval_ms' } as const;

/** The MCP Task view of a job: task id = job id; queued/running are `working`. */
export function taskFromJob(view: JobStatusView, defaults: { pollIntervalMs: number }): Task {
  const ttlLabel = view.labels?.[TASK_LABELS.ttl];
  const pollLabel = view.labels?.[TASK_LABELS.pollInterval];
  const updated = view.finishedAt ?? latest(view.progress?.updatedAt, view.startedAt) ?? view.createdAt;
  return {
    taskId: view.id,
    status: view.status === 'queued' || view.status === 'running' ? 'working' : view.status,
    ttl: ttlLabel === undefined ? null : Number(ttlLabel),
    createdAt: view.createdAt,
    lastUpdatedAt: updated,
    pollInterval: pollLabel === undefined ? defaults.pollIntervalMs : Number(pollLabel),
    statusMessage: statusLine(view),
  };
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
