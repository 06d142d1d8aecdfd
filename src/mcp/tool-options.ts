/**
 * Options of `registerJobTools`, their defaults (one place), and the context
 * every tool handler receives.
 */
import { JobsError, describeValue } from '../errors.js';
import type { JobManager } from '../runner/job-manager.js';
import { JobAccess } from './access.js';
import type { JobTaskStore } from './task-store.js';

export interface JobToolsOptions {
  /**
   * The principal these tools act for (HTTP with tokens). Jobs are submitted
   * with this `owner`, and only its jobs are visible. Undefined: no binding.
   */
  owner?: string;
  /** Results larger than this come back truncated with a `job://<id>/results` link. Default 256 KiB. */
  maxResultBytes?: number;
  /** Suggested polling interval for clients (`poll_interval_ms`, `Task.pollInterval`). Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * The JobTaskStore the McpServer was constructed with (see `jobsServerOptions`).
   * Given: start tools are task-capable (`execution.taskSupport: 'optional'`)
   * and task status notifications are sent. Omitted: plain tools only.
   */
  taskStore?: JobTaskStore;
}

export interface ToolContext {
  readonly runner: JobManager;
  readonly access: JobAccess;
  readonly owner: string | undefined;
  readonly maxResultBytes: number;
  readonly pollIntervalMs: number;
  readonly taskStore: JobTaskStore | undefined;
  readonly listTasks: boolean;
}

export const TOOL_DEFAULTS = { maxResultBytes: 256 * 1024, pollIntervalMs: 1000 } as const;

function positiveInt(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new JobsError('invalid_option', `Expected \`${name}\` to be an integer from 1 to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

export function toolContext(runner: JobManager, options: JobToolsOptions & { listTasks?: boolean } = {}): ToolContext {
  if (options.owner !== undefined && (typeof options.owner !== 'string' || options.owner.length === 0)) {
    throw new JobsError('invalid_option', `Expected \`owner\` to be a non-empty string, got ${describeValue(options.owner)}`);
  }
  return {
    runner,
    access: new JobAccess(runner, options.owner),
    owner: options.owner,
    maxResultBytes: positiveInt('maxResultBytes', options.maxResultBytes, TOOL_DEFAULTS.maxResultBytes, 64 * 1024 * 1024),
    pollIntervalMs: positiveInt('pollIntervalMs', options.pollIntervalMs, TOOL_DEFAULTS.pollIntervalMs, 3_600_000),
    taskStore: options.taskStore,
    listTasks: options.listTasks ?? false,
  };
}
