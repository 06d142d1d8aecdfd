/**
 * How an attempt ended, decided from what the worker left (results.json,
 * error.json) and, where known, its exit status. Files are the truth: a job
 * whose results.json exists completed, whatever happened to its process after.
 */
import type { ExitInfo } from './launcher.js';
import type { OutcomeFiles } from '../store/job-store.js';
import { RETRYABLE_KINDS, type FailureKind, type JobFailure, type JobRecord, type JobStatus } from '../types.js';

export interface Observation {
  files: OutcomeFiles;
  /** Exit status, where this process is the worker's parent. */
  exit?: ExitInfo | undefined;
  /** The worker process is gone (checked before the files were read). */
  gone: boolean;
}

export type Decision = { status: Extract<JobStatus, 'completed' | 'cancelled'> } | { status: 'failed'; error: JobFailure };

const fail = (kind: FailureKind, message: string, details?: unknown): Decision => ({
  status: 'failed',
  error: details === undefined ? { kind, message } : { kind, message, details },
});

/** Will this failure be retried? Only kinds where the worker did not get to say no, with attempts left. */
export function willRetry(record: JobRecord, error: JobFailure): boolean {
  return RETRYABLE_KINDS.includes(error.kind) && record.attempt < record.maxAttempts;
}

/** The terminal outcome of the current attempt, or undefined while it is still running. */
export function decideOutcome(record: JobRecord, seen: Observation): Decision | undefined {
  const { results, error } = seen.files;
  const stop = record.stopRequested?.reason;
  if (results.ok) return { status: 'completed' };
  if (results.reason !== 'missing') {
    // A torn results.json while the worker lives may be a non-atomic writer mid-write.
    return seen.gone ? fail('invalid_result', results.message) : undefined;
  }
  if (error.ok) {
    if (stop === 'cancel') return { status: 'cancelled' };
    if (stop === 'timeout') return fail('timeout', `timed out after ${record.timeoutMs} ms`);
    const kind = error.value.kind;
    if (kind === 'cancelled') return { status: 'cancelled' };
    if (kind === 'invalid_input' || kind === 'invalid_result') return fail(kind, error.value.message, error.value.details);
    return fail('error', error.value.message, error.value.details);
  }
  if (!seen.gone) return undefined;
  if (stop === 'cancel') return { status: 'cancelled' };
  if (stop === 'timeout') return fail('timeout', `timed out after ${record.timeoutMs} ms`);
  if (error.reason !== 'missing') return fail('error', `the worker failed and its error.json is unreadable: ${error.message}`);
  const exit = seen.exit;
  if (exit?.signal) return fail('lost', `the worker was killed by ${exit.signal} before writing a result`);
  if (exit && exit.code !== 0) return fail('exit', `the worker exited with code ${exit.code} without writing error.json`, { exitCode: exit.code });
  if (exit) return fail('invalid_result', 'the worker exited with code 0 but wrote no results.json');
  return fail('lost', 'the worker is gone and left no results.json or error.json');
}
