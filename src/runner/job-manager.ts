/**
 * JobManager: submit, status, result, list, cancel, wait and cleanup over one
 * jobs folder. One instance per folder via `getJobManager(dir)`; plain
 * construction stays possible (tests, a second manager on purpose).
 *
 * Everything it knows comes from the folder, so a restarted manager, or a
 * second one in another process, sees the same jobs and the same cap.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { JobsError, describeValue } from '../errors.js';
import { log } from '../log.js';
import { assertJobId, newJobId } from '../ids.js';
import { resolveOptions, type ResolvedOptions, type RunnerOptions } from '../options.js';
import { formatIssues } from '../store/atomic.js';
import { JobStore, type DamagedJob } from '../store/job-store.js';
import { serializeInput } from './input-limit.js';
import { statePatchSchema } from '../store/schemas.js';
import { StateStore } from '../store/state-store.js';
import { isTerminal, type JobOutcome, type JobRecord, type JobStatus, type JobStatusView, type ListOptions, type ListPage, type StatePatchHandler, type SubmitOptions, type SubmitResult } from '../types.js';
import { JobEventEmitter, type RunnerContext } from './context.js';
import { Dispatcher } from './dispatcher.js';
import { LocalLauncher } from './launcher.js';
import { systemClock } from './clock.js';
import { PatchHandlers } from './patches.js';
import type { PatchRetryInfo } from './patch-retry.js';
import { Reconciler, type ReconcilerHealth } from './reconciler.js';
import { JobTypeRegistry, typeFromWrapper, type JobType } from './registry.js';
import { Supervisor } from './supervisor.js';
import { crashPoint } from './crash-points.js';
import { letLoopTurn } from './turn.js';
import { QueueCap } from './queue-cap.js';
import { rebuildField } from './state-rebuild.js';
import { cleanupJobs, type CleanupOptions, type CleanupReport } from './cleanup.js';
import type { Wrapper } from '../worker/define-wrapper.js';

export interface ManagerHealth {
  queued: number;
  running: number;
  /** Jobs of the index whose job.json cannot be read: isolated, for a person to look at (doctor). */
  damaged: DamagedJob[];
  reconciler: ReconcilerHealth;
  maxConcurrent: number;
  /** Patches whose apply failed for a reason outside the job (e.g. a full state disk), waiting for their next try. */
  patchRetries: PatchRetryInfo[];
}

export class JobManager extends JobEventEmitter {
  readonly options: ResolvedOptions;
  readonly store: JobStore;
  readonly state: StateStore;
  readonly registry = new JobTypeRegistry();
  readonly patches = new PatchHandlers();
  private readonly ctx: RunnerContext;
  private readonly supervisor: Supervisor;
  private readonly dispatcher: Dispatcher;
  private readonly reconciler: Reconciler;
  private readonly queueCap: QueueCap;
  private started: Promise<void> | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: RunnerOptions = {}) {
    super();
    this.options = resolveOptions(options);
    this.store = new JobStore(this.options.jobsDir, { resultsBytes: this.options.maxResultsFileBytes, workerFileBytes: this.options.maxWorkerFileBytes });
    this.state = new StateStore(this.options.stateDir);
    const ctx: RunnerContext = {
      options: this.options,
      store: this.store,
      state: this.state,
      launcher: this.options.launcher ?? new LocalLauncher(),
      clock: this.options.clock ?? systemClock,
      registry: this.registry,
      patches: this.patches,
      events: this,
      scheduleDispatch: () => this.dispatcher.schedule(),
    };
    this.ctx = ctx;
    this.reconciler = new Reconciler(ctx);
    this.supervisor = new Supervisor(ctx, this.reconciler);
    this.reconciler.supervisor = this.supervisor;
    this.dispatcher = new Dispatcher(ctx, this.supervisor);
    this.queueCap = new QueueCap(this.options.jobsDir, this.options.maxQueued);
  }

  /** Registers a job type. */
  register(type: JobType, options: { replace?: boolean } = {}): this {
    this.registry.register(type, options);
    return this;
  }

  /** Registers the job type a wrapper module defines. */
  async registerWrapper(wrapper: Wrapper, overrides: Partial<JobType> = {}): Promise<this> {
    return this.register(await typeFromWrapper(wrapper, overrides));
  }

  /**
   * Registers a named state patch handler that job types can refer to. It must
   * be synchronous (an `async` function is refused: it runs under the field's
   * lock) and return JSON; whatever it throws is that job's `patchState: error`.
   */
  registerStatePatch(name: string, handler: StatePatchHandler): this {
    this.patches.register(name, handler);
    return this;
  }

  /**
   * Creates the folders, loads the state, recovers what happened while no
   * server ran, and starts dispatching. Called by every method; idempotent.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      await usingFolder('jobs', this.store.root, () => this.store.init());
      await usingFolder('state', this.state.root, () => this.state.init());
      // Damaged state files were set aside: rebuild them from the jobs before new patches land.
      for (const field of [...this.state.damaged.keys()]) await rebuildField(this.ctx, this.supervisor, field);
      await this.reconciler.start();
      this.dispatcher.schedule();
      const { intervalMs, olderThanMs, keepLast } = this.options.cleanup;
      if (intervalMs > 0) {
        this.cleanupTimer = setInterval(() => void this.cleanup({ olderThanMs, keepLast }).catch(() => {}), intervalMs);
        this.cleanupTimer.unref();
      }
    })();
    return this.started;
  }

  /**
   * Validates `input` against the type's schema and writes the job folder
   * durably. Returns at once with `{ jobId, status: 'queued' }`; the worker is
   * started by the dispatcher.
   */
  async submit(typeName: string, input: unknown, options: SubmitOptions = {}): Promise<SubmitResult> {
    await letLoopTurn();
    this.assertOpen();
    const type = this.registry.get(typeName);
    const parsed = type.schema.safeParse(input);
    if (!parsed.success) throw new JobsError('invalid_input', `Invalid input for \`${typeName}\`: ${formatIssues(parsed.error.issues)}`);
    const refusal = type.accept?.(parsed.data);
    if (refusal) throw new JobsError('invalid_input', `Invalid input for \`${typeName}\`: ${refusal}`);
    const record = this.newRecord(type, options);
    const inputText = serializeInput(typeName, parsed.data, this.options.maxInputBytes);
    record.inputDigest = createHash('sha256').update(inputText).digest('hex');
    await this.start();
    await this.queueCap.admit();
    await this.store.create(record, inputText);
    crashPoint('after-submit');
    this.emit('job:queued', record);
    this.dispatcher.schedule();
    return { jobId: record.id, status: 'queued' };
  }

  private newRecord(type: JobType, options: SubmitOptions): JobRecord {
    const priority = options.priority ?? 0;
    if (!Number.isInteger(priority) || Math.abs(priority) > 1000) throw new JobsError('invalid_input', `Expected \`priority\` to be an integer from -1000 to 1000, got ${describeValue(priority)}`);
    const timeoutMs = options.timeoutMs ?? type.timeoutMs ?? this.options.defaultTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new JobsError('invalid_input', `Expected \`timeoutMs\` to be a non-negative integer (0 = none), got ${describeValue(timeoutMs)}`);
    const record: JobRecord = {
      v: 1,
      id: newJobId(),
      type: type.name,
      status: 'queued',
      priority,
      createdAt: new Date().toISOString(),
      timeoutMs,
      attempt: 1,
      maxAttempts: type.maxAttempts ?? 1,
      inputDigest: '',
      command: type.command,
      patchState: 'none',
    };
    let patch = type.statePatch;
    if (options.statePatch !== undefined) {
      if (!type.allowStatePatchOverride) throw new JobsError('invalid_input', `Job type \`${type.name}\` does not take a state_patch`);
      if (options.statePatch !== null) {
        const checked = statePatchSchema.safeParse(options.statePatch);
        if (!checked.success) throw new JobsError('invalid_input', `Invalid state_patch: ${formatIssues(checked.error.issues)}`);
        patch = checked.data;
      } else patch = undefined;
    }
    if (patch) record.patch = 'handler' in patch ? { kind: 'named', name: patch.handler, field: patch.field } : { kind: 'declarative', patch };
    if (options.owner !== undefined) record.owner = options.owner;
    if (options.labels) record.labels = options.labels;
    return record;
  }

  /** The job's record and latest progress. Settles a job that has ended but was not noticed yet. */
  async status(id: string): Promise<JobStatusView> {
    await letLoopTurn();
    return this.currentStatus(id);
  }

  private async currentStatus(id: string): Promise<JobStatusView> {
    assertJobId(id);
    await this.start();
    let record = await this.store.get(id);
    // A running job may have ended unnoticed; a terminal one may have its patch being applied: settle waits for that.
    // A read answers from what is on disk: if settling fails (a full disk, say), the record as read is the answer.
    if (record.status === 'running' || record.patchState === 'pending') {
      record = (await this.supervisor.settle(id).catch((error: Error) => void log.warn(`status of ${id}: could not settle it now (${error.message})`))) ?? record;
    }
    const progress = await this.store.readProgress(id);
    return progress ? { ...record, progress } : record;
  }

  /** The outcome of a finished job; `not_finished` while it is queued or running. */
  async result(id: string): Promise<JobOutcome> {
    await letLoopTurn();
    const record = await this.currentStatus(id);
    if (!isTerminal(record.status)) {
      const where = record.progress ? ` (${record.progress.current}/${record.progress.total}${record.progress.message ? `: ${record.progress.message}` : ''})` : '';
      throw new JobsError('not_finished', `Job \`${id}\` is ${record.status}${where}; it has no result yet`);
    }
    if (record.status === 'completed') {
      const results = await this.store.readResults(id);
      if (!results.ok) throw new JobsError('storage', `job ${id}: ${results.message}`);
      return { status: 'completed', result: results.value };
    }
    if (record.status === 'failed') return { status: 'failed', error: record.error ?? { kind: 'lost', message: 'failed' } };
    return { status: 'cancelled' };
  }

  /** Jobs newest first, filtered, in pages (`cursor` from the previous page). */
  async list(options: ListOptions = {}): Promise<ListPage> {
    await letLoopTurn();
    await this.start();
    const statuses = options.status === undefined ? undefined : new Set<JobStatus>([options.status].flat());
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new JobsError('invalid_input', `Expected \`limit\` to be an integer from 1 to 1000, got ${describeValue(limit)}`);
    let after: string | undefined;
    if (options.cursor !== undefined) {
      after = Buffer.from(options.cursor, 'base64url').toString('utf8');
      assertJobId(after);
    }
    const onlyUnfinished = statuses && [...statuses].every((s) => s === 'queued' || s === 'running');
    const ids = onlyUnfinished ? (await this.store.activeIds()).reverse() : await this.store.listIds();
    const jobs: JobStatusView[] = [];
    let nextCursor: string | undefined;
    for (const id of ids) {
      if (after !== undefined && id >= after) continue;
      const read = await this.store.read(id).catch(() => undefined);
      if (!read?.ok) continue; // unreadable: isolated (health and doctor report it), never fails the listing
      const record = read.value;
      if (statuses && !statuses.has(record.status)) continue;
      if (options.type && record.type !== options.type) continue;
      if (options.owner !== undefined && record.owner !== options.owner) continue;
      if (jobs.length === limit) {
        nextCursor = Buffer.from(jobs[jobs.length - 1]!.id).toString('base64url');
        break;
      }
      const progress = record.status === 'running' ? await this.store.readProgress(id) : undefined;
      jobs.push(progress ? { ...record, progress } : record);
    }
    return nextCursor ? { jobs, nextCursor } : { jobs };
  }

  /**
   * Cancels a job. Queued: it never starts. Running: its process group gets
   * SIGTERM, then SIGKILL after `killGraceMs`; resolves once it is settled
   * (a job that finished meanwhile stays completed). Throws
   * `already_finished` for a terminal job.
   */
  async cancel(id: string): Promise<JobRecord> {
    await letLoopTurn();
    assertJobId(id);
    await this.start();
    const { record, changed } = await this.store.update(id, (cur) =>
      cur.status === 'queued' ? { ...cur, status: 'cancelled', finishedAt: new Date().toISOString(), patchState: cur.patch ? 'skipped' : 'none' } : undefined,
    );
    if (changed) {
      await this.store.unmarkActive(id, record);
      this.emit('job:cancelled', record);
      return record;
    }
    if (isTerminal(record.status)) throw new JobsError('already_finished', `Job \`${id}\` already ended: ${record.status}`);
    const stopped = await this.supervisor.stop(id, 'cancel');
    return stopped ?? (await this.store.get(id));
  }

  /** Resolves with the record once the job is terminal, or after `timeoutMs` with it as it stands. */
  async wait(id: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<JobStatusView> {
    const first = await this.status(id);
    if (isTerminal(first.status)) return first;
    return new Promise<JobStatusView>((resolvePromise, reject) => {
      const finish = () => {
        cleanup();
        this.status(id).then(resolvePromise, reject);
      };
      const onEvent = (record: JobRecord) => {
        if (record.id === id) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      const poll = setInterval(() => {
        void this.status(id).then((r) => isTerminal(r.status) && finish(), () => {});
      }, 500);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off('job:completed', onEvent).off('job:failed', onEvent).off('job:cancelled', onEvent);
        signal?.removeEventListener('abort', finish);
      };
      this.on('job:completed', onEvent).on('job:failed', onEvent).on('job:cancelled', onEvent);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /** Removes finished job folders past retention (never queued, running or unapplied ones). */
  async cleanup(options: CleanupOptions): Promise<CleanupReport> {
    await letLoopTurn();
    await this.start();
    return cleanupJobs(this.store, options);
  }

  /** Counts and the reconciler's state, for health checks. */
  async health(): Promise<ManagerHealth> {
    await letLoopTurn();
    await this.start();
    let queued = 0;
    let running = 0;
    const { records, damaged } = await this.store.activeScan();
    for (const record of records) {
      if (record.status === 'queued') queued += 1;
      if (record.status === 'running') running += 1;
    }
    return { queued, running, damaged, reconciler: this.reconciler.getHealth(), maxConcurrent: this.options.maxConcurrent, patchRetries: this.supervisor.patchRetries.list() };
  }

  /** Runs a reconcile pass now (the periodic scan, on demand). */
  async reconcile(): Promise<void> {
    await letLoopTurn();
    await this.start();
    await this.reconciler.scan();
  }

  /** Resolves when no dispatch pass is in progress (for tests and benchmarks). */
  async idle(): Promise<void> {
    await this.dispatcher.idle();
  }

  /**
   * Stops watching, scanning and dispatching. Detached workers keep running;
   * the next start reconciles them.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.cleanupTimer);
    await this.started?.catch(() => {});
    await this.dispatcher.close();
    this.supervisor.close();
    await this.reconciler.close();
    // A settle in flight finishes its writes: a process that exits right after close() (the CLI) never leaves a half-done update.
    await this.supervisor.drain();
    managers.delete(this.options.jobsDir);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new JobsError('invalid_option', 'This job manager is closed');
  }
}

/** Runs a folder's set-up; any failure says which folder could not be used, and why. */
async function usingFolder<T>(what: 'jobs' | 'state', dir: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const reason = error instanceof JobsError ? error.message : `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${(error as Error).message}`;
    throw new JobsError('storage', `cannot use the ${what} folder \`${dir}\`: ${reason}`, { cause: error });
  }
}

const managers = new Map<string, JobManager>();

/** The one manager of a jobs folder in this process (created on first use). */
export function getJobManager(jobsDir: string, options: Omit<RunnerOptions, 'jobsDir'> = {}): JobManager {
  const key = resolve(jobsDir);
  let manager = managers.get(key);
  if (!manager) {
    manager = new JobManager({ ...options, jobsDir: key });
    managers.set(key, manager);
  }
  return manager;
}
