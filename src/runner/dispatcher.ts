/**
 * The dispatcher starts queued jobs: highest priority first, then submit
 * order, while fewer than `maxConcurrent` jobs of the jobs folder run. The
 * count comes from the folder (the `.active` index), under a folder-wide lock,
 * so a restarted manager or a second server on the same folder respects the
 * same cap and never launches a job twice.
 */
import { log } from '../log.js';
import { withFileLock } from '../store/locks.js';
import type { JobRecord } from '../types.js';
import type { RunnerContext } from './context.js';
import type { Supervisor } from './supervisor.js';
import { crashPoint } from './crash-points.js';
import { ActiveRecordsCache } from './active-cache.js';

export class Dispatcher {
  private scheduled = false;
  private running: Promise<void> | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The active records between passes: a pass reads only the job.json files that changed. */
  readonly active: ActiveRecordsCache;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly supervisor: Supervisor,
  ) {
    this.active = new ActiveRecordsCache(ctx.store);
  }

  /** Coalesces requests: one pass runs at a time, and one more after it if asked meanwhile. */
  schedule(): void {
    if (this.closed || !this.ctx.options.dispatch) return;
    this.scheduled = true;
    if (this.running) return;
    this.running = (async () => {
      while (this.scheduled && !this.closed) {
        this.scheduled = false;
        await this.pass().catch((error: Error) => log.error(`dispatch: ${error.message}`));
      }
      this.running = undefined;
    })();
  }

  /** Resolves when no dispatch pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pass(): Promise<void> {
    const claimed = await withFileLock(this.ctx.store.dispatchLockPath, () => this.claim());
    if (claimed.length) crashPoint('after-claim');
    await Promise.all(claimed.map((record) => this.launch(record)));
  }

  /** Under the dispatch lock: count running jobs, claim queued ones up to the cap. */
  private async claim(): Promise<JobRecord[]> {
    const { store, options } = this.ctx;
    const records = await this.active.records();
    const now = Date.now();
    const running = records.filter((r) => r.status === 'running');
    // Running jobs nobody here follows (another manager's, which may have died): follow them
    // now, so a dead one is settled by the next liveness check instead of the next slow scan.
    for (const record of running) if (!this.supervisor.isTracked(record.id)) this.supervisor.track(record);
    let free = options.maxConcurrent - running.length;
    const queued = records.filter((r) => r.status === 'queued');
    const ready = queued
      .filter((r) => !r.notBefore || Date.parse(r.notBefore) <= now)
      .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
    this.wakeAt(queued.filter((r) => r.notBefore && Date.parse(r.notBefore) > now).map((r) => Date.parse(r.notBefore!)));
    const claimed: JobRecord[] = [];
    for (const candidate of ready) {
      if (free <= 0) break;
      let claim;
      try {
        claim = await store.update(candidate.id, (cur) =>
          cur.status === 'queued' ? { ...cur, status: 'running', startedAt: new Date(this.ctx.clock.now()).toISOString(), startedMono: this.ctx.clock.monotonic() } : undefined,
        );
      } catch (error) {
        // Damaged or removed since the view was taken: that job alone is skipped (the reconciler reports it).
        this.active.invalidate(candidate.id);
        log.warn(`dispatch: skipping ${candidate.id}: ${(error as Error).message}`);
        continue;
      }
      const { record, changed } = claim;
      if (changed) {
        claimed.push(record);
        free -= 1;
      } else this.active.invalidate(candidate.id);
    }
    if (claimed.length) this.active.noteClaims(claimed.map((r) => r.id));
    return claimed;
  }

  /** Starts the worker of a claimed job and records its pid and start time. */
  private async launch(record: JobRecord): Promise<void> {
    const { store, launcher, events } = this.ctx;
    const jobDir = store.dir(record.id);
    let launched;
    try {
      launched = await launcher.start({ jobId: record.id, jobDir, command: record.command });
    } catch (error) {
      const message = `could not start the worker (${record.command.join(' ')}): ${(error as Error).message}`;
      await this.supervisor.finish(record, { status: 'failed', error: { kind: 'spawn', message } });
      return;
    }
    const { record: started } = await store.update(record.id, (cur) =>
      cur.status === 'running' && cur.attempt === record.attempt
        ? { ...cur, pid: launched.pid, ...(launched.startTime ? { pidStartTime: launched.startTime } : {}) }
        : undefined,
    );
    this.supervisor.track(started, launched);
    crashPoint('after-spawn');
    events.emit('job:started', started);
    // Cancelled while it was being launched: stop it now.
    if (started.stopRequested) await this.supervisor.stop(record.id, started.stopRequested.reason);
  }

  /** Wake up for the earliest retry whose backoff has not passed yet. */
  private wakeAt(times: number[]): void {
    if (!times.length || this.closed) return;
    const at = Math.min(...times);
    clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => this.schedule(), Math.max(0, at - Date.now()) + 5);
    this.wakeTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    await this.idle();
  }
}
