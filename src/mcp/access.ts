/**
 * JobAccess: the runner as one caller (principal) may see it. Every MCP entry
 * point — tools, resources, task methods — goes through here, so a job bound to
 * another principal answers exactly as a job that does not exist, everywhere.
 *
 * `owner` undefined means no binding (stdio, HTTP without tokens): every job
 * is visible. Otherwise only jobs whose `owner` is this principal are.
 */
import { JobsError } from '../errors.js';
import { assertJobId } from '../ids.js';
import type { JobManager } from '../runner/job-manager.js';
import { isTerminal, type JobOutcome, type JobRecord, type JobStatusView, type ListOptions, type ListPage } from '../types.js';
import { notFound } from './errors.js';

export class JobAccess {
  constructor(
    readonly runner: JobManager,
    readonly owner: string | undefined,
  ) {}

  /** May this caller see `record`? */
  canSee(record: Pick<JobRecord, 'owner'>): boolean {
    return this.owner === undefined || record.owner === this.owner;
  }

  /**
   * The job's record and progress; `not_found` (same message as a missing job)
   * when it belongs to someone else. Malformed ids are refused before any path is built.
   */
  async status(id: unknown): Promise<JobStatusView> {
    const jobId = assertJobId(id);
    if (this.owner !== undefined) {
      // Check ownership on the plain record first, so nothing is done on behalf of a stranger.
      const read = await this.runner.store.read(jobId);
      if (!read.ok && read.reason === 'missing') throw notFound(jobId);
      if (read.ok && !this.canSee(read.value)) throw notFound(jobId);
    }
    const view = await this.runner.status(jobId);
    if (!this.canSee(view)) throw notFound(jobId);
    return view;
  }

  /** The outcome of a finished job (`not_finished` while it runs). */
  async result(id: unknown): Promise<JobOutcome> {
    const view = await this.status(id);
    return this.runner.result(view.id);
  }

  /**
   * Cancels a visible job and resolves once it has ended (cancelled, or
   * completed meanwhile); `already_finished` when it had ended before.
   */
  async cancel(id: unknown): Promise<JobRecord> {
    const view = await this.status(id);
    if (isTerminal(view.status)) throw new JobsError('already_finished', `Job \`${view.id}\` already ended: ${view.status}`);
    const record = await this.runner.cancel(view.id);
    if (isTerminal(record.status)) return record;
    // Claimed but not launched yet: the dispatcher stops it right after the launch.
    return this.runner.wait(view.id, this.runner.options.killGraceMs + 5_000);
  }

  /** Waits for a visible job to end, or `timeoutMs`, or `signal`. */
  async wait(id: unknown, timeoutMs: number, signal?: AbortSignal): Promise<JobStatusView> {
    const view = await this.status(id);
    if (isTerminal(view.status)) return view;
    return this.runner.wait(view.id, timeoutMs, signal);
  }

  /** Jobs newest first, only this caller's. A cursor that is not one of ours is refused plainly. */
  async list(options: Omit<ListOptions, 'owner'>): Promise<ListPage> {
    try {
      return await this.runner.list({ ...options, ...(this.owner === undefined ? {} : { owner: this.owner }) });
    } catch (error) {
      if (error instanceof JobsError && error.code === 'invalid_id' && options.cursor !== undefined) {
        throw new JobsError('invalid_input', `Invalid \`cursor\`: pass the \`next_cursor\` of a previous page, got \`${options.cursor}\``);
      }
      throw error;
    }
  }

  /** The folder of a visible job (for its log files). */
  async dir(id: unknown): Promise<{ view: JobStatusView; dir: string }> {
    const view = await this.status(id);
    return { view, dir: this.runner.store.dir(view.id) };
  }
}
