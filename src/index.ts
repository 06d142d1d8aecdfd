/**
 * mcp-jobs: the public API (named exports only).
 *
 *   const runner = await createJobRunner({ jobsDir: './jobs', stateDir: './state' });
 *   const { jobId } = await runner.submit('simulate', { steps: 10, step_ms: 100 });
 */
import { JobManager } from './runner/job-manager.js';
import { registerBuiltinTypes } from './runner/builtins.js';
import type { RunnerOptions } from './options.js';

export interface CreateJobRunnerOptions extends RunnerOptions {
  /** Register the shipped job types (`simulate`, and `run_command` when allowed). Default true. */
  builtins?: boolean;
}

/** A started JobManager with the shipped job types registered. */
export async function createJobRunner(options: CreateJobRunnerOptions = {}): Promise<JobManager> {
  const { builtins = true, ...rest } = options;
  const manager = new JobManager(rest);
  if (builtins) await registerBuiltinTypes(manager);
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
export * from './types.js';
