/**
 * JobTaskStore: the SDK's `TaskStore` (MCP Tasks, protocol 2025-11-25) as a
 * thin adapter over the job folders. Task id = job id; there is no second copy
 * of any state: every call reads the job folder.
 *
 *   queued, running → working     completed → completed
 *   failed → failed               cancelled → cancelled
 *
 * A store is bound to one principal (`owner`), like the job tools: another
 * principal's job is "not found". The `sessionId` the SDK passes is not used:
 * jobs outlive sessions (and servers), and their owner is the binding.
 *
 * Only the runner decides how a job ends, so `storeTaskResult` refuses and
 * `updateTaskStatus` accepts only `cancelled` (which cancels the job).
 */
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import { ErrorCode, McpError, type Request, type RequestId, type Result, type Task } from '@modelcontextprotocol/sdk/types.js';
import { JobsError, describeValue } from '../errors.js';
import { isJobId } from '../ids.js';
import type { JobManager } from '../runner/job-manager.js';
import { isTerminal } from '../types.js';
import { protocolError as taskError } from './errors.js';
import { taskToolResult } from './results.js';
import { toolContext, type ToolContext } from './tool-options.js';
import { taskFromJob } from './views.js';

export interface JobTaskStoreOptions {
  /** The principal whose jobs this store serves; undefined: all jobs. */
  owner?: string;
  /** `Task.pollInterval` suggested to clients. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Results over this many bytes come back truncated with a resource link. Default 256 KiB. */
  maxResultBytes?: number;
  /** Requested ttls are raised to at least this. Default 60 s. */
  minTtlMs?: number;
  /** Requested ttls are capped at this. Default 30 days. */
  maxTtlMs?: number;
  /**
   * Serve `tasks/list` (and declare it, through `jobsServerOptions`). Only where
   * callers are authenticated and bound to an `owner`, as the spec asks. Default false.
   */
  listTasks?: boolean;
}

export class JobTaskStore implements TaskStore {
  readonly ctx: ToolContext;
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  /** `tasks/list` is declared and served. */
  readonly listsTasks: boolean;

  constructor(
    readonly runner: JobManager,
    options: JobTaskStoreOptions = {},
  ) {
    this.ctx = toolContext(runner, options);
    this.minTtlMs = options.minTtlMs ?? 60_000;
    this.maxTtlMs = options.maxTtlMs ?? 30 * 24 * 3_600_000;
    this.listsTasks = options.listTasks ?? false;
    if (!(Number.isInteger(this.minTtlMs) && this.minTtlMs >= 0 && this.maxTtlMs >= this.minTtlMs)) {
      throw new JobsError('invalid_option', `Expected \`minTtlMs\` ≤ \`maxTtlMs\`, non-negative integers, got ${describeValue(this.minTtlMs)} and ${describeValue(this.maxTtlMs)}`);
    }
  }

  get owner(): string | undefined {
    return this.ctx.owner;
  }

  /** The ttl a task gets for a requested one: null (no expiry) when none was asked for, else clamped. */
  ttlFor(requested: number | null | undefined): number | null {
    if (requested === undefined || requested === null || !Number.isFinite(requested)) return null;
    return Math.min(this.maxTtlMs, Math.max(this.minTtlMs, Math.round(requested)));
  }

  /** A `pollInterval` a client asked for, kept within 100 ms to 60 s; nothing when it asked for none. */
  pollIntervalFor(requested: unknown): { pollIntervalMs?: number } {
    if (typeof requested !== 'number' || !Number.isFinite(requested)) return {};
    return { pollIntervalMs: Math.min(60_000, Math.max(100, Math.round(requested))) };
  }

  /** The task view of a visible job; McpError -32602 for a malformed, unknown or foreign id. */
  async task(taskId: string): Promise<Task> {
    try {
      return taskFromJob(await this.ctx.access.status(taskId), this.ctx);
    } catch (error) {
      throw taskError(error);
    }
  }

  /** Called after a start tool submitted the job (`context.jobId`): the task is the job. */
  async createTask(params: CreateTaskOptions, _requestId: RequestId, _request: Request, _sessionId?: string): Promise<Task> {
    const jobId = params.context?.jobId;
    if (!isJobId(jobId)) throw new Error('JobTaskStore creates tasks only for submitted jobs: pass `context: { jobId }`');
    return this.task(jobId);
  }

  async getTask(taskId: string, _sessionId?: string): Promise<Task | null> {
    try {
      return taskFromJob(await this.ctx.access.status(taskId), this.ctx);
    } catch (error) {
      if (error instanceof JobsError && error.code === 'not_found') return null;
      throw taskError(error);
    }
  }

  async storeTaskResult(taskId: string, _status: 'completed' | 'failed', _result: Result, _sessionId?: string): Promise<void> {
    throw new McpError(ErrorCode.InvalidRequest, `Task ${taskId}: results come from the job's folder; they cannot be stored through the task store`);
  }

  /** The tool result of a finished job; -32602 while it is still working. */
  async getTaskResult(taskId: string, _sessionId?: string): Promise<Result> {
    try {
      const view = await this.ctx.access.status(taskId);
      if (!isTerminal(view.status)) throw new JobsError('not_finished', `Task \`${taskId}\` is still working (${view.status}); it has no result yet`);
      return await taskToolResult(this.ctx, view);
    } catch (error) {
      throw taskError(error);
    }
  }

  /** Only `cancelled` is accepted: it cancels the job as `cancel_job` does. */
  async updateTaskStatus(taskId: string, status: Task['status'], _statusMessage?: string, _sessionId?: string): Promise<void> {
    if (status !== 'cancelled') throw new McpError(ErrorCode.InvalidRequest, `Task ${taskId}: only the job runner changes a task's status (asked: ${status})`);
    try {
      await this.ctx.access.cancel(taskId);
    } catch (error) {
      if (error instanceof JobsError && error.code === 'already_finished') {
        const task = await this.task(taskId);
        throw new McpError(ErrorCode.InvalidParams, `Cannot cancel task in terminal status: ${task.status}`);
      }
      throw taskError(error);
    }
  }

  /** This principal's tasks, newest first, 50 a page. */
  async listTasks(cursor?: string, _sessionId?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    try {
      const page = await this.ctx.access.list({ limit: 50, ...(cursor ? { cursor } : {}) });
      const tasks = page.jobs.map((view) => taskFromJob(view, this.ctx));
      return page.nextCursor ? { tasks, nextCursor: page.nextCursor } : { tasks };
    } catch (error) {
      throw taskError(error);
    }
  }
}
