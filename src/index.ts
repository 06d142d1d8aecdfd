/**
 * mcp-jobs: the public API (named exports only).
 *
 *   const runner = await createJobRunner({ jobsDir: './jobs', stateDir: './state' });
 *   const { jobId } = await runner.submit('simulate', { steps: 10, step_ms: 100 });
 */
import { JobManager } from './runner/job-manager.js';
import { registerBuiltinTypes } from './runner/builtins.js';
import { registerConfiguredTypes } from './config/register.js';
import type { RunnerOptions } from './options.js';

export interface CreateJobRunnerOptions extends RunnerOptions {
  /** Register the shipped job types (`simulate`, and `run_command` when allowed). Default true. */
  builtins?: boolean;
  /**
   * Config file listing your own wrappers (docs/writing-wrappers.md): a path,
   * or false to read none. Default: `$MCP_JOBS_CONFIG`, else
   * `./mcp-jobs.config.json` when it exists.
   */
  config?: string | false;
}

/** A started JobManager with the shipped job types registered. */
export async function createJobRunner(options: CreateJobRunnerOptions = {}): Promise<JobManager> {
  const { builtins = true, config, ...rest } = options;
  const manager = new JobManager(rest);
  if (builtins) await registerBuiltinTypes(manager);
  await registerConfiguredTypes(manager, config);
  await manager.start();
  return manager;
}

export { JobManager, getJobManager, type ManagerHealth } from './runner/job-manager.js';
export { defineWrapper, isWrapper, type Wrapper, type WrapperContext, type WrapperDefinition } from './worker/define-wrapper.js';
export { LocalLauncher, type Launcher, type LaunchSpec, type Launched, type WorkerHandle, type ExitInfo } from './runner/launcher.js';
export type { JobType } from './runner/registry.js';
export type { CleanupOptions, CleanupReport } from './runner/cleanup.js';
export type { ReconcilerHealth } from './runner/reconciler.js';
export { JobsError, type ErrorCode } from './errors.js';
export { JOB_ID_PATTERN, isJobId, assertJobId } from './ids.js';
export { resolveOptions, defaults, type RunnerOptions, type ResolvedOptions } from './options.js';
export { log, type LogLevel, type LogSink } from './log.js';
export { registerConfiguredTypes, loadConfig, type ConfiguredTypes } from './config/register.js';
export { CONFIG_FILE_NAME, locateConfig } from './config/load-config.js';
export * from './types.js';
// MCP server: tools, native Tasks and resources for any McpServer; the stdio / HTTP server.
export { registerJobTools, jobsServerOptions, JOB_TOOL_NAMES, type RegisteredJobTools } from './mcp/register.js';
export type { JobToolsOptions } from './mcp/tool-options.js';
export { JobTaskStore, type JobTaskStoreOptions } from './mcp/task-store.js';
export { createJobsMcpServer, type JobsMcpServer, type JobsMcpServerOptions } from './mcp/server-factory.js';
export { serve, type ServeOptions, type RunningServer } from './mcp/serve.js';
export { addServeOptions, serveOptionsFrom, type ParsedServeOptions } from './mcp/serve-options.js';
