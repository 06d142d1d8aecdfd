/**
 * The job manager a CLI command works with, and what it may change.
 *
 * - `read` (status, result, list, logs, types, doctor, cleanup): the manager is
 *   never started. Commands read through `manager.store` / `manager.state` /
 *   `manager.registry`; nothing on disk changes (cleanup removes only what it
 *   reports). A start would create folders, remove staging leftovers, settle
 *   every running job, apply pending patches and recover torn records: not
 *   what a look at the folder should do.
 * - `maintain` (cancel, doctor --fix): started without dispatching, watching
 *   or periodic scans. Its startup pass settles jobs that ended unnoticed and
 *   applies pending state patches, as any manager does; it starts no job.
 * - `launch` (submit): `maintain`, plus dispatching: it also starts queued
 *   jobs of the folder (its own first if it is first in line) under
 *   `maxConcurrent`. Workers it starts are detached and outlive it.
 * - `dispatch` (run, watch): `launch`, plus watching the job folders and a
 *   scan every second while the command follows a job, so a slot freed by
 *   another process is used soon.
 *
 * Every mode enforces only the timeouts of jobs the command launched itself
 * (`enforceTimeouts: 'launched'`): following every running job of the folder,
 * a command would otherwise end someone else's overdue job the moment it
 * starts. Those are a server's to enforce.
 */
import { registerConfiguredTypes } from '../config/register.js';
import { registerBuiltinTypes } from '../runner/builtins.js';
import { JobManager } from '../runner/job-manager.js';
import type { RunnerOptions } from '../options.js';

export type ManagerMode = 'read' | 'maintain' | 'launch' | 'dispatch';

/** The options every command takes (`--jobs-dir`, `--state-dir`, `--json`). */
export interface CommonOptions {
  jobsDir?: string;
  stateDir?: string;
  json?: boolean;
}

/** Options of the commands that need the job types. */
export interface TypeOptions {
  config?: string;
  allowCommand?: string[];
}

export interface OpenOptions extends CommonOptions, TypeOptions {
  /** Register the built-in and configured job types. */
  types?: boolean;
  maxConcurrent?: number;
}

/** Scans while a foreground command follows a job: a slot freed by another process is noticed within this. */
const FOLLOW_SCAN_MS = 1_000;

export async function openManager(mode: ManagerMode, options: OpenOptions): Promise<JobManager> {
  const runner: RunnerOptions = {
    dispatch: mode === 'launch' || mode === 'dispatch',
    watch: mode === 'dispatch',
    scanIntervalMs: mode === 'dispatch' ? FOLLOW_SCAN_MS : 0,
    // A command ends no job it is not about: only the jobs it launched itself time out here.
    enforceTimeouts: 'launched',
  };
  if (options.jobsDir !== undefined) runner.jobsDir = options.jobsDir;
  if (options.stateDir !== undefined) runner.stateDir = options.stateDir;
  if (options.maxConcurrent !== undefined) runner.maxConcurrent = options.maxConcurrent;
  if (options.allowCommand?.length) runner.allowCommands = options.allowCommand;
  const manager = new JobManager(runner);
  if (options.types) {
    await registerBuiltinTypes(manager);
    await registerConfiguredTypes(manager, options.config);
  }
  return manager;
}
