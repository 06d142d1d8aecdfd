/**
 * mcp-jobs — public types and glossary.
 *
 * ## The state machine
 *
 * A job is born `queued` when `submit()` has written its folder durably. The
 * dispatcher claims it (`running`) when fewer than `maxConcurrent` jobs of the
 * same jobs folder are running, then launches its wrapper as a detached process.
 * It ends in exactly one terminal state, decided by the files the worker left:
 *
 *     queued ──▶ running ──▶ completed            results.json present
 *        │          │   └──▶ failed (kind)        error.json, exit code, lost, timeout, ...
 *        │          └──────▶ cancelled            cancel() while running
 *        └─────────────────▶ cancelled            cancel() while queued: never starts
 *
 *     running ──▶ queued     only for a retry (kinds `lost`, `exit`, `timeout`, with
 *                            attempts left); the failed attempt's files move to
 *                            `attempts/<n>/`.
 *
 * Terminal states (`completed`, `failed`, `cancelled`) never change. A finished
 * job is never reported `failed` because its process is gone: `results.json` is
 * the truth. A worker that is gone without `results.json` or `error.json` is
 * `failed` kind `lost` (or `exit` when its exit code is known and non-zero).
 *
 * ## Glossary
 *
 * - **jobs folder**: the root holding one folder per job (`jobs/<id>/`).
 * - **job type**: a registered name (e.g. `simulate`) with a command that runs a
 *   wrapper, an input schema, a default timeout and an optional state patch.
 * - **wrapper**: a standalone CLI program that reads `input.json` from its job
 *   folder and writes `progress.json`, then `results.json` or `error.json`.
 * - **worker**: a running wrapper process.
 * - **attempt**: one launch of a job; retries start a new attempt.
 * - **state patch**: how a completed job's result lands in `state/<field>.json`.
 * - **reconciler**: notices finished jobs (watch + scans), finalizes them and
 *   applies their state patches exactly once.
 */

/** Where a job is in its life. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** The statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** True when `status` is terminal: the job's outcome is final. */
export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * Why a job failed.
 * - `error`: the worker reported a failure in `error.json`.
 * - `invalid_input`: the worker rejected `input.json`.
 * - `exit`: the worker exited non-zero without writing `error.json`.
 * - `lost`: the worker is gone and left no result file (crash, SIGKILL, reboot).
 * - `timeout`: the job ran past its timeout and was terminated.
 * - `spawn`: the wrapper could not be started.
 * - `invalid_result`: `results.json` exists but cannot be read as JSON.
 */
export type FailureKind = 'error' | 'invalid_input' | 'exit' | 'lost' | 'timeout' | 'spawn' | 'invalid_result';

/** The failure kinds a retry may follow: the worker did not get to say no itself. */
export const RETRYABLE_KINDS: readonly FailureKind[] = ['lost', 'exit', 'timeout'];

/** A failure, as recorded in `job.json` and returned by `status()`. */
export interface JobFailure {
  kind: FailureKind;
  message: string;
  details?: unknown;
}

/**
 * How a completed job's result lands in the state store: take the result (or the
 * part at JSON pointer `pointer`) and put it into `state/<field>.json`.
 * - `replace`: the field becomes the value (a job that finished earlier never
 *   overwrites one that finished later).
 * - `merge`: shallow merge of an object value into the field's object.
 * - `append`: the field is an array; the value is appended once.
 */
export interface StatePatch {
  field: string;
  pointer?: string;
  mode: 'replace' | 'merge' | 'append';
}

/** A named patch handler registered in code: returns the field's new value. */
export type StatePatchHandler = (current: unknown, result: unknown, job: JobRecord) => unknown;

/** The patch a job carries: declarative, or the name of a registered handler. */
export type JobPatch = { kind: 'declarative'; patch: StatePatch } | { kind: 'named'; name: string; field: string };

/** Where a job's patch application stands. */
export type PatchState = 'none' | 'pending' | 'applied' | 'skipped' | 'error';

/** Progress as the worker last reported it (`progress.json`). */
export interface JobProgress {
  current: number;
  total: number;
  message?: string;
  updatedAt: string;
}

/**
 * The server-owned record of a job: `jobs/<id>/job.json`.
 * Times are ISO-8601 strings; `finishedAt` is set once a job is terminal.
 */
export interface JobRecord {
  /** Protocol version of this record. */
  v: 1;
  id: string;
  type: string;
  status: JobStatus;
  /** Higher runs first; ties run in submit order. */
  priority: number;
  createdAt: string;
  startedAt?: string;
  /** The monotonic clock at `startedAt`, with the boot it belongs to: timeouts do not follow wall-clock jumps (runner/clock.ts). */
  startedMono?: { boot: string; ms: number };
  finishedAt?: string;
  /** Millisecond timeout per attempt; 0 means none. */
  timeoutMs: number;
  attempt: number;
  maxAttempts: number;
  /** Earliest time a queued retry may start. */
  notBefore?: string;
  /** sha256 (hex) of `input.json` as the server wrote it after validation. */
  inputDigest: string;
  /** The argv that runs the wrapper; `--job-dir <dir>` is appended. */
  command: string[];
  pid?: number;
  /** Process start time (Linux: /proc/<pid>/stat field 22), so a recycled pid is not ours. */
  pidStartTime?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** Set when cancel() or a timeout asked the worker to stop. */
  stopRequested?: { reason: 'cancel' | 'timeout'; at: string };
  error?: JobFailure;
  /** Earlier attempts that failed and were retried. */
  history?: { attempt: number; error: JobFailure; finishedAt: string }[];
  patch?: JobPatch;
  patchState: PatchState;
  patchError?: string;
  /** Who submitted the job (HTTP principal); absent for local use. */
  owner?: string;
  /** Free-form labels given at submit. */
  labels?: Record<string, string>;
}

/** What `status()` returns: the record plus the worker's latest progress. */
export interface JobStatusView extends JobRecord {
  progress?: JobProgress;
}

/** Options of one `submit()` call. */
export interface SubmitOptions {
  priority?: number;
  /** Milliseconds; 0 means no timeout. Defaults to the type's, then the runner's. */
  timeoutMs?: number;
  /** Override the type's state patch (only where the type allows it). */
  statePatch?: StatePatch | null;
  owner?: string;
  labels?: Record<string, string>;
}

/** What `submit()` returns, at once. */
export interface SubmitResult {
  jobId: string;
  status: JobStatus;
}

/** Filters and paging for `list()`. Newest first. */
export interface ListOptions {
  status?: JobStatus | JobStatus[];
  type?: string;
  owner?: string;
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface ListPage {
  jobs: JobStatusView[];
  nextCursor?: string;
}

/** The outcome of a finished job, as `result()` returns it. */
export type JobOutcome =
  | { status: 'completed'; result: unknown }
  | { status: 'failed'; error: JobFailure }
  | { status: 'cancelled' };

/** Events a runner emits; the MCP layer turns them into notifications. */
export interface JobEvents {
  'job:queued': [JobRecord];
  'job:started': [JobRecord];
  'job:progress': [{ id: string; progress: JobProgress }];
  'job:completed': [JobRecord];
  'job:failed': [JobRecord];
  'job:cancelled': [JobRecord];
  'job:retry': [JobRecord];
  'state:changed': [{ field: string; jobId: string }];
}
