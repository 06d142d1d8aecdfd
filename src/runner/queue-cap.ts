/**
 * The queue cap (`maxQueued`): how many unfinished jobs a jobs folder holds at
 * once. Counted from the folder's index (`.active/`: one empty marker per job
 * that is queued, running, or has a patch not yet applied), so every manager
 * on the folder, in any process, counts the same backlog, and counting never
 * reads a job.json.
 *
 * Listing the index costs a directory read (milliseconds at 10,000 entries),
 * so a count is reused for up to `RECOUNT_MS`, plus this process's own
 * submits since; a submit that would reach the cap always counts afresh. The
 * cap is checked before anything is written: a refused submit creates nothing.
 * Submits racing in several processes can overshoot it by what they submit
 * within `RECOUNT_MS` (a backlog bound, not a transaction).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JobsError } from '../errors.js';
import { isJobId } from '../ids.js';
import { ACTIVE_DIR } from '../store/paths.js';

export const RECOUNT_MS = 1_000;

export class QueueCap {
  private counted = 0;
  private countedAt = -Infinity;
  private since = 0;

  constructor(
    private readonly jobsDir: string,
    private readonly max: number,
  ) {}

  /** Throws `queue_full` when the folder holds `max` unfinished jobs; else counts one more submit. */
  async admit(): Promise<void> {
    if (performance.now() - this.countedAt > RECOUNT_MS || this.counted + this.since + 1 > this.max) await this.recount();
    const waiting = this.counted + this.since;
    if (waiting >= this.max) {
      throw new JobsError(
        'queue_full',
        `The job queue is full: ${waiting} jobs are waiting or running in this jobs folder (\`maxQueued\` is ${this.max}); nothing was submitted. Try again once some have finished, or cancel queued ones`,
      );
    }
    this.since += 1;
  }

  private async recount(): Promise<void> {
    const names = await readdir(join(this.jobsDir, ACTIVE_DIR)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    let count = 0;
    for (const name of names) if (isJobId(name)) count += 1;
    this.counted = count;
    this.countedAt = performance.now();
    this.since = 0;
  }
}
