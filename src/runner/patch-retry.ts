/**
 * Patch applies that failed for a reason outside the job (a full or read-only
 * state disk, a lock that could not be taken, an I/O error): the patch stays
 * `pending` on disk and is tried again later, with backoff, by a timer of its
 * own. Nothing waits for it: reads answer from what is on disk meanwhile, and
 * dispatch goes on. A failure of the job itself (its handler throws, its
 * result does not fit) is not retried: it is the job's `patchState: error`.
 *
 * Exactly-once does not depend on this: the state file records the jobs it
 * absorbed, so a retry after a half-done apply changes nothing twice.
 */
import { log } from '../log.js';

/** First retry after this; doubles per failure up to `PATCH_RETRY_MAX_MS`. */
export const PATCH_RETRY_FIRST_MS = 250;
export const PATCH_RETRY_MAX_MS = 30_000;

export interface PatchRetryInfo {
  jobId: string;
  /** Failed applies so far. */
  failures: number;
  error: string;
  nextAt: string;
}

interface Waiting {
  failures: number;
  error: string;
  nextAt: number;
  timer?: NodeJS.Timeout;
}

export class PatchRetries {
  private readonly waiting = new Map<string, Waiting>();
  private closed = false;

  /** `retry(id)` tries the job's patch again (it reports back through `failed` / `done`). */
  constructor(private readonly retry: (id: string) => Promise<unknown>) {}

  /** True while job `id` waits for its next try: callers leave its patch alone until then. */
  isWaiting(id: string): boolean {
    return this.waiting.get(id)?.timer !== undefined;
  }

  /** Records a failed apply and schedules the next try. */
  failed(id: string, error: Error): void {
    const entry = this.waiting.get(id) ?? { failures: 0, error: '', nextAt: 0 };
    clearTimeout(entry.timer);
    entry.failures += 1;
    entry.error = error.message;
    const delay = Math.min(PATCH_RETRY_MAX_MS, PATCH_RETRY_FIRST_MS * 2 ** (entry.failures - 1));
    entry.nextAt = Date.now() + delay;
    this.waiting.set(id, entry);
    if (entry.failures === 1 || entry.failures % 10 === 0) log.warn(`job ${id}: state patch not applied yet (${error.message}); trying again in ${delay} ms`);
    if (this.closed) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.retry(id).catch((failure: Error) => log.error(`retrying the patch of ${id}: ${failure.message}`));
    }, delay);
    entry.timer.unref();
  }

  /** The job's patch is settled (applied, error, or by another process): forget it. */
  done(id: string): void {
    const entry = this.waiting.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.waiting.delete(id);
    if (entry.failures) log.info(`job ${id}: state patch settled after ${entry.failures} failed tr${entry.failures === 1 ? 'y' : 'ies'}`);
  }

  list(): PatchRetryInfo[] {
    return [...this.waiting].map(([jobId, w]) => ({ jobId, failures: w.failures, error: w.error, nextAt: new Date(w.nextAt).toISOString() }));
  }

  close(): void {
    this.closed = true;
    for (const entry of this.waiting.values()) clearTimeout(entry.timer);
    this.waiting.clear();
  }
}
