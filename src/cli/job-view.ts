/**
 * A job as the read-only commands show it (status, result, list, logs -f),
 * without writing anything to the folder.
 *
 * `job.json` says `running` until a manager (a server, or a CLI command that
 * runs one) notices the end and records it. When no manager runs, e.g. after
 * `mcp-jobs submit` has exited, the read-only commands decide the outcome the
 * same way the manager will, from the files the worker left and its liveness
 * (`decideOutcome`), and report it as `unsettled`: the job has ended, the
 * record will say so once a manager settles it (serve, run, submit, watch,
 * cancel, doctor --fix).
 */
import { decideOutcome, willRetry } from '../runner/outcome.js';
import { isProcessAlive } from '../runner/proc.js';
import type { JobStore } from '../store/job-store.js';
import type { JobFailure, JobRecord, JobStatus, JobStatusView } from '../types.js';

export interface JobView extends JobStatusView {
  /** The job's end as the files show it, not yet recorded in job.json. */
  unsettled?: { status: JobStatus; error?: JobFailure; note: string };
}

/** Reads job `id` (throws `invalid_id`, `not_found`, `storage`) and decides an unrecorded end. */
export async function viewJob(store: JobStore, id: string): Promise<JobView> {
  return viewRecord(store, await store.get(id));
}

export async function viewRecord(store: JobStore, record: JobRecord): Promise<JobView> {
  const progress = await store.readProgress(record.id);
  const view: JobView = progress ? { ...record, progress } : { ...record };
  if (record.status !== 'running') return view;
  const gone = record.pid !== undefined && !isProcessAlive(record.pid, record.pidStartTime);
  const files = await store.readOutcome(record.id);
  const decision = decideOutcome(record, { files, gone });
  if (!decision) return view;
  const waiting = 'not recorded in job.json yet: the next manager (serve, run, submit, watch, cancel, doctor --fix) records it';
  if (decision.status === 'failed') {
    view.unsettled = willRetry(record, decision.error)
      ? { status: 'queued', error: decision.error, note: `attempt ${record.attempt} ended (${decision.error.kind}); it will be retried by the next manager` }
      : { status: 'failed', error: decision.error, note: waiting };
  } else {
    view.unsettled = { status: decision.status, note: waiting };
  }
  return view;
}

/** The status to show and act on: the recorded one, or the end the files already show. */
export function effectiveStatus(view: JobView): JobStatus {
  return view.unsettled?.status ?? view.status;
}

/** The failure to show: the recorded one, or the one the files already show. */
export function effectiveError(view: JobView): JobFailure | undefined {
  return view.unsettled?.error ?? view.error;
}
