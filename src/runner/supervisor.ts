/**
 * The supervisor follows running jobs to their end: it settles a job when its
 * worker leaves a result file or is gone, enforces timeouts, stops workers on
 * cancel, schedules retries, and applies state patches of completed jobs.
 *
 * Settling is idempotent and safe to run from anywhere (exit event, file
 * watcher, scans, a status call, another server process): it decides under the
 * job's lock and a terminal record is never changed again.
 */
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { log } from '../log.js';
import { serialize } from '../store/locks.js';
import { isLockHeld } from '../store/locks.js';
import { JOB_FILES, WORKER_LOCK_STALE_MS, jobFile } from '../store/paths.js';
import { isTerminal, type JobRecord } from '../types.js';
import type { RunnerContext } from './context.js';
import type { ExitInfo, Launched, WorkerHandle } from './launcher.js';
import { decideOutcome, willRetry, type Decision } from './outcome.js';
import { PatchError, declarativeStep, patchField } from './patches.js';
import { rebuildField } from './state-rebuild.js';
import { JobsError } from '../errors.js';
import type { ApplyOutcome } from '../store/state-store.js';
import type { ReadResult } from '../store/atomic.js';
import { crashPoint } from './crash-points.js';
import { elapsedMs } from './clock.js';
import { PatchRetries } from './patch-retry.js';
import { ownerIsDead, readOwner } from '../worker/lock-owner.js';
import { capLog } from './log-cap.js';
import { sweepDeadTemps } from '../store/temp-sweep.js';

export interface SettleOptions {
  /**
   * Record how the job ended but leave its patch pending, for a replay that
   * applies patches in finish order (the startup scan).
   */
  deferPatch?: boolean;
}

/** A claimed job whose worker has not taken its lock by then was never started. */
const LAUNCH_GRACE_MS = 10_000;

interface Tracked {
  handle?: WorkerHandle;
  /** This process started the worker: its exit status will arrive. */
  parent: boolean;
  exit?: ExitInfo;
  timer?: NodeJS.Timeout;
  /** Caps stdout.log / stderr.log while the job runs (log-cap.ts). */
  logTimer?: NodeJS.Timeout;
}

export class Supervisor {
  private readonly tracked = new Map<string, Tracked>();
  /** Settles (and the exit handlers that start them) not finished yet. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Jobs this process settled whose event waits for their patch to be applied. */
  private readonly unannounced = new Set<string>();
  /** Patches whose apply failed for a reason outside the job, waiting for their next try. */
  readonly patchRetries = new PatchRetries((id) => this.settle(id));
  private closed = false;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly hooks: { watchJob(id: string): void; unwatchJob(id: string): void },
  ) {}

  get trackedCount(): number {
    return this.tracked.size;
  }

  isTracked(id: string): boolean {
    return this.tracked.has(id);
  }

  /** Follow a running job: its exit (when we launched it), its timeout, its files. */
  track(record: JobRecord, launched?: Launched): void {
    if (this.closed) return;
    let entry = this.tracked.get(record.id);
    if (!entry) {
      entry = { parent: false };
      this.tracked.set(record.id, entry);
      this.hooks.watchJob(record.id);
    }
    if (launched) {
      entry.handle = { pid: launched.pid, startTime: launched.startTime };
      if (launched.exited) {
        entry.parent = true;
        // Not counted as in flight while the worker runs (it may outlive this manager); the settle it starts is.
        void launched.exited
          .then(async (exit) => {
            entry.exit = exit;
            if (this.closed) return; // a closed manager changes nothing: the next one settles it from the folder
            const settled = await this.settle(record.id);
            // Settled from its result file before the exit arrived: still record how the process ended.
            if (settled && isTerminal(settled.status) && settled.exitCode === undefined && settled.attempt === record.attempt) {
              await this.inFlight(this.ctx.store.update(record.id, (cur) => (cur.exitCode === undefined ? { ...cur, exitCode: exit.code, signal: exit.signal } : undefined)));
            }
          })
          .catch((error: Error) => log.error(`settling ${record.id} after exit: ${error.message}`));
      }
    } else {
      entry.handle ??= recordedHandle(record);
    }
    // A manager in `launched` mode (a CLI command) leaves other jobs' timeouts and logs to a server.
    const enforce = this.ctx.options.enforceTimeouts === 'all' || launched !== undefined;
    if (!entry.logTimer && enforce && this.ctx.options.maxLogBytes > 0) {
      entry.logTimer = setInterval(() => void this.capLogs(record.id), this.ctx.options.livenessIntervalMs);
      entry.logTimer.unref();
    }
    if (!entry.timer && record.timeoutMs > 0 && enforce) {
      // Elapsed on the monotonic clock of the attempt's boot (a restart does not start it from zero, a wall-clock jump does not move it).
      const wait = Math.max(0, record.timeoutMs - elapsedMs(record, this.ctx.clock));
      entry.timer = setTimeout(() => void this.stop(record.id, 'timeout').catch((error: Error) => log.error(`timeout of ${record.id}: ${error.message}`)), wait);
      entry.timer.unref();
    }
  }

  private untrack(id: string, ended = true): void {
    const entry = this.tracked.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    clearInterval(entry.logTimer);
    if (entry.logTimer && ended) void this.capLogs(id); // once more: what it wrote last
    this.tracked.delete(id);
    this.hooks.unwatchJob(id);
  }

  /** Trims the job's logs to `maxLogBytes`, keeping their tails. */
  private capLogs(id: string): Promise<void> {
    return serialize(`logs:${id}`, async () => {
      const dir = this.ctx.store.dir(id);
      for (const name of ['stdout', 'stderr'] as const) {
        await capLog(jobFile(dir, name), this.ctx.options.maxLogBytes).catch((error: Error) => log.warn(`capping ${name}.log of ${id}: ${error.message}`));
      }
    });
  }

  /** Liveness pass over the running jobs this process did not start (it gets no exit event for them). */
  async checkUnparented(): Promise<void> {
    const ids = [...this.tracked].filter(([, entry]) => !entry.parent).map(([id]) => id);
    for (const id of ids) await this.settle(id).catch((error: Error) => log.error(`checking ${id}: ${error.message}`));
  }

  /**
   * Settles job `id` if its current attempt has ended; applies its patch when
   * completed. Returns the record as it now stands.
   */
  settle(id: string, options: SettleOptions = {}): Promise<JobRecord | undefined> {
    return this.inFlight(serialize(`settle:${id}`, () => this.settleNow(id, options)));
  }

  /** Counts `work` as in flight until it ends (close() waits for it: a write is never cut off by an exit). */
  private inFlight<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.then(
      () => this.pending.delete(work),
      () => this.pending.delete(work),
    );
    return work;
  }

  /** Resolves when no settle (and no write it makes) is in flight, or after `ms`. */
  async drain(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.pending.size && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
    }
  }

  private async settleNow(id: string, options: SettleOptions): Promise<JobRecord | undefined> {
    const read = await this.ctx.store.read(id);
    if (!read.ok) return undefined;
    const record = read.value;
    if (record.status !== 'running') {
      if (isTerminal(record.status)) {
        this.untrack(id);
        if (!options.deferPatch) return this.finishUp(record);
      }
      return record;
    }
    const entry = this.tracked.get(id);
    const handle = entry?.handle ?? recordedHandle(record);
    // Liveness first, files second: a worker seen gone wrote its files before.
    let gone: boolean;
    if (entry?.parent) gone = entry.exit !== undefined;
    else if (handle) gone = !this.ctx.launcher.isAlive(handle);
    else gone = await this.neverLaunched(record);
    const files = await this.ctx.store.readOutcome(id);
    // Claimed, no worker ever started, nothing written: queue it again rather than call it lost.
    const wroteNothing = !files.results.ok && files.results.reason === 'missing' && !files.error.ok && files.error.reason === 'missing';
    if (!handle && gone && wroteNothing) return this.requeueUnlaunched(record);
    const decision = decideOutcome(record, { files, exit: entry?.exit, gone });
    if (!decision) return record;
    return this.finish(record, decision, entry?.exit, options, files.results);
  }

  /** Claimed but no pid recorded: the server stopped while launching. Was a worker ever started? */
  private async neverLaunched(record: JobRecord): Promise<boolean> {
    if (Date.now() - Date.parse(record.startedAt ?? record.createdAt) < LAUNCH_GRACE_MS) return false;
    return !(await isLockHeld(jobFile(this.ctx.store.dir(record.id), 'workerLock'), WORKER_LOCK_STALE_MS));
  }

  private async requeueUnlaunched(record: JobRecord): Promise<JobRecord> {
    const { record: next } = await this.ctx.store.update(record.id, (cur) => {
      if (cur.status !== 'running' || cur.pid || cur.attempt !== record.attempt) return undefined;
      const { startedAt: _s, ...rest } = cur;
      return { ...rest, status: 'queued' };
    });
    log.warn(`job ${record.id} was claimed but never launched (server stopped while launching); queued again`);
    this.untrack(record.id);
    this.ctx.scheduleDispatch();
    return next;
  }

  /** Records the attempt's outcome: terminal, or queued again for a retry. */
  async finish(record: JobRecord, decision: Decision, exit?: ExitInfo, options: SettleOptions = {}, results?: ReadResult<unknown>): Promise<JobRecord> {
    const dir = this.ctx.store.dir(record.id);
    const finishedAt = await finishTime(dir, decision);
    if (decision.status === 'failed' && willRetry(record, decision.error)) return this.retry(record, decision.error, finishedAt);
    crashPoint('before-settle');
    const { record: next, changed } = await this.ctx.store.update(record.id, (cur) => {
      if (cur.status !== 'running' || cur.attempt !== record.attempt) return undefined;
      const patchState = !cur.patch ? 'none' : decision.status === 'completed' ? 'pending' : 'skipped';
      const done: JobRecord = { ...cur, status: decision.status, finishedAt, patchState };
      if (decision.status === 'failed') done.error = decision.error;
      if (exit) {
        done.exitCode = exit.code;
        done.signal = exit.signal;
      }
      return done;
    });
    this.untrack(record.id);
    if (!changed) return options.deferPatch ? next : this.finishUp(next, results);
    // Announced once the patch is applied: whoever hears `job:completed` finds the state updated.
    this.unannounced.add(next.id);
    if (options.deferPatch) {
      this.ctx.scheduleDispatch();
      return next;
    }
    const settled = await this.finishUp(next, results);
    this.ctx.scheduleDispatch(); // the freed slot, after the announcement: the pass does not compete with it
    return settled;
  }

  private async retry(record: JobRecord, error: NonNullable<JobRecord['error']>, finishedAt: string): Promise<JobRecord> {
    const dir = this.ctx.store.dir(record.id);
    const aside = this.ctx.store.attemptDir(record.id, record.attempt);
    for (const name of ['results', 'error', 'progress', 'stdout', 'stderr'] as const) {
      await rename(jobFile(dir, name), join(aside, JOB_FILES[name])).catch(() => {});
    }
    // The dead attempt's worker lock goes aside with its files, so the next worker finds the folder free. Only
    // when its owner file proves the holder dead on this machine: a live holder's lock (a worker still exiting
    // after its error.json, a grandchild holding it) is never touched; the runtimes apply the same rule.
    const lock = jobFile(dir, 'workerLock');
    if (ownerIsDead(readOwner(lock))) await rename(lock, join(aside, JOB_FILES.workerLock)).catch(() => {});
    const delay = this.ctx.options.retryBackoffMs * 2 ** (record.attempt - 1);
    const { record: next, changed } = await this.ctx.store.update(record.id, (cur) => {
      if (cur.status !== 'running' || cur.attempt !== record.attempt) return undefined;
      const { pid: _p, pidStartTime: _t, startedAt: _s, stopRequested: _r, exitCode: _e, signal: _g, ...rest } = cur;
      return {
        ...rest,
        status: 'queued',
        attempt: cur.attempt + 1,
        notBefore: new Date(Date.now() + delay).toISOString(),
        history: [...(cur.history ?? []), { attempt: cur.attempt, error, finishedAt }],
      };
    });
    this.untrack(record.id);
    if (changed) {
      log.info(`job ${record.id} attempt ${record.attempt} failed (${error.kind}); retry ${next.attempt}/${next.maxAttempts} in ${delay} ms`);
      this.ctx.events.emit('job:retry', next);
      this.ctx.scheduleDispatch();
    }
    return next;
  }

  /**
   * After a job is terminal: apply its patch if pending, then drop it from the
   * index. `results`: results.json as the caller already read it, if it did.
   * Never throws for the patch: a failure of the job's own patch is its
   * `patchState: error`; any other failure (full disk, I/O) leaves the patch
   * pending on disk and `patchRetries` tries again later, so no read and no
   * dispatch waits for it.
   */
  async finishUp(record: JobRecord, results?: ReadResult<unknown>): Promise<JobRecord> {
    let current = record;
    try {
      if (current.patchState === 'pending') {
        if (this.patchRetries.isWaiting(current.id)) return current; // its retry timer comes back for it
        crashPoint('before-patch');
        current = await this.applyPatch(current, results);
      }
      if (current.patchState !== 'pending') {
        // Last look at the folder before it leaves the index: temp files of writers killed mid-write go.
        if (!this.ctx.store.folderProblem(current.id)) sweepDeadTemps(this.ctx.store.dir(current.id));
        await this.ctx.store.unmarkActive(current.id, current);
      }
    } catch (error) {
      this.patchRetries.failed(current.id, error as Error);
      return current;
    }
    this.patchRetries.done(current.id);
    if (this.unannounced.delete(current.id)) {
      const event = current.status === 'completed' ? 'job:completed' : current.status === 'failed' ? 'job:failed' : 'job:cancelled';
      this.ctx.events.emit(event, current);
    }
    return current;
  }

  /** Applies a completed job's patch exactly once (see StateStore.apply), then records it in job.json. */
  async applyPatch(record: JobRecord, results?: ReadResult<unknown>): Promise<JobRecord> {
    const patch = record.patch;
    if (!patch || record.status !== 'completed' || record.patchState !== 'pending') return record;
    if (patch.kind === 'named' && !this.ctx.patches.has(patch.name)) {
      // Handlers live in the process that registered them (e.g. the server, not the CLI):
      // leave the patch pending, with the reason on the job, for a process that has it.
      const patchError = `no state patch handler named \`${patch.name}\` is registered in this process (pid ${process.pid}); the patch stays pending until a process that has it applies it`;
      if (record.patchError === patchError) return record;
      log.warn(`job ${record.id}: ${patchError}`);
      return (await this.ctx.store.update(record.id, (cur) => (cur.patchState === 'pending' ? { ...cur, patchError } : undefined))).record;
    }
    const field = patchField(patch);
    let patchState: JobRecord['patchState'] = 'applied';
    let patchError: string | undefined;
    try {
      let outcome: ApplyOutcome;
      try {
        outcome = await this.applyToState(record, results);
      } catch (error) {
        // The field's file was found damaged just now: rebuild it from the jobs, then apply.
        if (!(error instanceof JobsError && error.code === 'storage' && this.ctx.state.damaged.has(field))) throw error;
        await rebuildField(this.ctx, this, field);
        outcome = await this.applyToState(record, results);
      }
      crashPoint('after-state-write');
      if (outcome === 'applied') this.ctx.events.emit('state:changed', { field, jobId: record.id });
    } catch (error) {
      if (!(error instanceof PatchError)) throw error;
      patchState = 'error';
      patchError = error.message;
      log.warn(`job ${record.id}: state patch not applied: ${error.message}`);
    }
    const { record: next } = await this.ctx.store.update(record.id, (cur) => {
      if (cur.patchState !== 'pending') return undefined;
      const { patchError: _previous, ...rest } = cur;
      return { ...rest, patchState, ...(patchError ? { patchError } : {}) };
    });
    return next;
  }

  /** Writes a completed job's patch into its state field (exactly once: see StateStore.apply). */
  async applyToState(record: JobRecord, known?: ReadResult<unknown>): Promise<ApplyOutcome> {
    const patch = record.patch!;
    const results = known ?? (await this.ctx.store.readResults(record.id));
    if (!results.ok) throw new PatchError(`results.json: ${results.message}`);
    const result = results.value;
    const finishedAt = record.finishedAt ?? new Date().toISOString();
    return this.ctx.state.apply(patchField(patch), record.id, finishedAt, (current) =>
      patch.kind === 'declarative'
        ? declarativeStep(patch.patch, result, { id: record.id, finishedAt }, current)
        : this.ctx.patches.step(patch.name, result, record, current),
    );
  }

  /** Asks a running job to stop (cancel or timeout) and waits until it is settled. */
  async stop(id: string, reason: 'cancel' | 'timeout'): Promise<JobRecord | undefined> {
    const { record, changed } = await this.ctx.store.update(id, (cur) =>
      cur.status === 'running' && !cur.stopRequested ? { ...cur, stopRequested: { reason, at: new Date().toISOString() } } : undefined,
    );
    if (!changed && record.status !== 'running') return record;
    let handle = this.tracked.get(id)?.handle ?? recordedHandle(record);
    if (!handle) {
      // Claimed, worker not started yet: the launch sees stopRequested and stops it. Wait for its pid.
      const launched = await this.waitForLaunch(id);
      if (!launched || launched.status !== 'running') return launched ?? this.settle(id);
      handle = { pid: launched.pid!, startTime: launched.pidStartTime };
    }
    await this.ctx.launcher.terminate({ ...handle, jobId: id }, this.ctx.options.killGraceMs);
    const entry = this.tracked.get(id);
    if (entry?.parent && !entry.exit) await waitFor(() => entry.exit !== undefined, 2000);
    return this.settle(id);
  }

  /** Waits until a claimed job has a pid or has ended; undefined if neither happens in time. */
  private async waitForLaunch(id: string): Promise<JobRecord | undefined> {
    const deadline = Date.now() + this.ctx.options.killGraceMs + 5000;
    while (Date.now() < deadline) {
      const current = await this.ctx.store.get(id);
      if (current.status !== 'running' || current.pid) return current;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }

  /** Stops following jobs; leaves their workers running. */
  close(): void {
    this.closed = true;
    this.patchRetries.close();
    for (const id of [...this.tracked.keys()]) this.untrack(id, false);
  }
}

/** The worker identity a record carries, if its pid was recorded. */
function recordedHandle(record: JobRecord): WorkerHandle | undefined {
  return record.pid ? { pid: record.pid, startTime: record.pidStartTime } : undefined;
}

/** When the attempt really ended: the result file's time, not when we noticed. */
async function finishTime(dir: string, decision: Decision): Promise<string> {
  const file = decision.status === 'completed' ? jobFile(dir, 'results') : jobFile(dir, 'error');
  const info = await stat(file).catch(() => undefined);
  return (info ? info.mtime : new Date()).toISOString();
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
