/**
 * JobStateReconciler: notices how jobs end and makes the folders and the state
 * agree, whatever crashed in between.
 *
 * - Watches the folders of running jobs (`fs.watch`, or chokidar: see
 *   folder-watcher.ts) for results.json / error.json (settle) and
 *   progress.json (progress events). Files arrive by rename. Only unfinished
 *   jobs are watched: the cost does not grow with the finished folders.
 * - Scans the `.active` index at startup and every `scanIntervalMs`, because
 *   watchers miss events and because the server may have been down: running
 *   jobs are followed again (timeouts still enforced), dead ones settled,
 *   pending patches applied in finish order, queued ones dispatched.
 */
import { createFolderWatcher, type FolderWatcher } from './folder-watcher.js';
import { basename } from 'node:path';
import { rename } from 'node:fs/promises';
import { log } from '../log.js';
import { isLockHeld } from '../store/locks.js';
import { WORKER_LOCK_STALE_MS, jobFile } from '../store/paths.js';
import { isJobId } from '../ids.js';
import { isTerminal, type JobRecord } from '../types.js';
import type { RunnerContext } from './context.js';
import type { Supervisor } from './supervisor.js';

export interface ReconcilerHealth {
  watching: boolean;
  watchedJobs: number;
  lastScanAt?: string;
  lastScanMs?: number;
  lastError?: string;
  /** Jobs the last scan could not handle (each skipped, the others handled), at most 20. */
  lastScanErrors?: ScanJobError[];
}

export interface ScanJobError {
  jobId: string;
  error: string;
}

const MAX_SCAN_ERRORS = 20;

export class Reconciler {
  private watcher: FolderWatcher | undefined;
  private scanTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private readonly watched = new Set<string>();
  private scanning: Promise<void> | undefined;
  private health: ReconcilerHealth = { watching: false, watchedJobs: 0 };
  private closed = false;
  supervisor!: Supervisor;

  constructor(private readonly ctx: RunnerContext) {}

  /** Startup recovery scan, then watching and the periodic scans. */
  async start(): Promise<void> {
    if (this.ctx.options.watch) {
      this.watcher = await createFolderWatcher(this.ctx.options.watcher, (dir, name) => this.onFile(dir, name), (error) => {
        this.health.lastError = `watcher: ${error.message}`;
        log.error(this.health.lastError);
      });
      this.health.watching = true;
    }
    await this.scan();
    const { scanIntervalMs, livenessIntervalMs } = this.ctx.options;
    if (scanIntervalMs > 0) {
      this.scanTimer = setInterval(() => void this.scan(), scanIntervalMs);
      this.scanTimer.unref();
    }
    this.livenessTimer = setInterval(() => void this.supervisor.checkUnparented(), livenessIntervalMs);
    this.livenessTimer.unref();
  }

  watchJob(id: string): void {
    if (!this.watcher || this.watched.has(id)) return;
    this.watched.add(id);
    this.watcher.add(this.ctx.store.dir(id));
    this.health.watchedJobs = this.watched.size;
  }

  unwatchJob(id: string): void {
    if (!this.watcher || !this.watched.delete(id)) return;
    this.watcher.remove(this.ctx.store.dir(id));
    this.health.watchedJobs = this.watched.size;
  }

  private onFile(dir: string, name: string): void {
    const id = basename(dir);
    if (!isJobId(id)) return;
    if (name === 'results.json' || name === 'error.json') {
      void this.supervisor.settle(id).catch((error: Error) => log.error(`settling ${id}: ${error.message}`));
    } else if (name === 'progress.json') {
      void this.ctx.store.readProgress(id).then((progress) => {
        if (progress) this.ctx.events.emit('job:progress', { id, progress });
      });
    }
  }

  /** One pass over the unfinished jobs (coalesced: concurrent callers share it). */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    if (this.closed) return;
    const started = performance.now();
    try {
      // Phase 1: record how unfinished jobs ended, patches left pending.
      const pending: JobRecord[] = [];
      let queued = false;
      // One job's failure is that job's: recorded, and the pass goes on with the others.
      const errors: ScanJobError[] = [];
      const failed = (id: string, error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        errors.push({ jobId: id, error: message });
        log.error(`scan: job ${id}: ${message}`);
      };
      for (const id of await this.ctx.store.activeIds()) {
        try {
          const read = await this.ctx.store.read(id);
          if (!read.ok) {
            if (read.reason === 'missing') await this.ctx.store.unmarkActive(id);
            else await this.recoverTorn(id, read.message);
            continue;
          }
          let record = read.value;
          if (record.status === 'running') {
            this.supervisor.track(record);
            record = (await this.supervisor.settle(id, { deferPatch: true })) ?? record;
          }
          if (record.status === 'queued') queued = true;
          else if (isTerminal(record.status) && record.patchState === 'pending') pending.push(record);
          else if (isTerminal(record.status)) await this.ctx.store.unmarkActive(id, record);
        } catch (error) {
          failed(id, error);
        }
      }
      // Phase 2: apply pending patches in finish order, so that `append` and `merge`
      // see results in the order the jobs finished, whoever was down meanwhile.
      pending.sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id.localeCompare(b.id));
      for (const record of pending) await this.supervisor.settle(record.id).catch((error: unknown) => failed(record.id, error));
      if (queued) this.ctx.scheduleDispatch();
      this.health.lastScanAt = new Date().toISOString();
      this.health.lastScanMs = Math.round(performance.now() - started);
      this.health.lastScanErrors = errors.slice(0, MAX_SCAN_ERRORS);
      if (errors.length) this.health.lastError = `scan: ${errors.length} job(s) failed, e.g. ${errors[0]!.jobId}: ${errors[0]!.error}`;
    } catch (error) {
      this.health.lastError = `scan: ${(error as Error).message}`;
      log.error(this.health.lastError);
    }
  }

  /**
   * job.json is unreadable (damaged outside our atomic writes). Keep it aside
   * as job.json.corrupt and write the most honest record the other files allow.
   */
  private async recoverTorn(id: string, problem: string): Promise<void> {
    // A job folder replaced by a link: nothing is read or written through it (docs/design-notes.md).
    if (this.ctx.store.folderProblem(id)) return log.warn(`job ${id}: ${problem}; left alone`);
    const dir = this.ctx.store.dir(id);
    const files = await this.ctx.store.readOutcome(id);
    const workerRunning = await isLockHeld(jobFile(dir, 'workerLock'), WORKER_LOCK_STALE_MS);
    const now = new Date().toISOString();
    const record: JobRecord = {
      v: 1, id, type: 'unknown', status: 'failed', priority: 0, createdAt: now, timeoutMs: 0, attempt: 1, maxAttempts: 1,
      inputDigest: '', command: ['unknown'], patchState: 'skipped',
      patchError: `job.json was unreadable (${problem}); its state patch is unknown`,
    };
    if (files.results.ok) record.status = 'completed';
    else if (files.error.ok) record.error = { kind: 'error', message: files.error.value.message };
    else if (workerRunning) record.status = 'running';
    else record.error = { kind: 'lost', message: `job.json was unreadable (${problem}) and no worker is running` };
    if (record.status !== 'running') record.finishedAt = now;
    await rename(jobFile(dir, 'record'), `${jobFile(dir, 'record')}.corrupt`).catch(() => {});
    await this.ctx.store.overwrite(record);
    log.error(`job ${id}: ${problem}; kept as job.json.corrupt, recovered as ${record.status}`);
    if (record.status !== 'running') await this.ctx.store.unmarkActive(id);
  }

  getHealth(): ReconcilerHealth {
    return { ...this.health };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.scanTimer);
    clearInterval(this.livenessTimer);
    await this.scanning;
    await this.watcher?.close();
    this.health.watching = false;
  }
}
