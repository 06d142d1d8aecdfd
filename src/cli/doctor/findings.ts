/**
 * What `mcp-jobs doctor` reports: one finding per thing it looked at or found,
 * with a level, what to do about it, and, for the safe ones, a repair that
 * `--fix` applies.
 */
import type { JobManager } from '../../runner/job-manager.js';
import type { JobRecord } from '../../types.js';

/** `ok`: checked and fine; `warn`: worth knowing, harmless; `problem`: needs fixing (exit 1). */
export type Level = 'ok' | 'warn' | 'problem';

/** Repairs `--fix` may apply: they remove only what is stale, or run what any manager runs. */
export type Repair =
  | { kind: 'remove-lock'; path: string; mtimeMs: number; staleMs: number }
  | { kind: 'remove-staging'; path: string }
  | { kind: 'rebuild-index' }
  | { kind: 'mark-active'; id: string }
  | { kind: 'reconcile' };

export interface Finding {
  /** The area: folders, locks, workers, patches, files, index, state, watcher, types. */
  check: string;
  level: Level;
  message: string;
  /** How to fix it, for people. */
  fix?: string;
  repair?: Repair;
}

/** One job folder as doctor read it. */
export interface ScannedJob {
  id: string;
  dir: string;
  record?: JobRecord;
  /** Why job.json could not be read. */
  problem?: string;
}

export interface DoctorContext {
  manager: JobManager;
  /** The job folders (read once, shared by the checks). */
  jobs: ScannedJob[];
  /** The jobs folder exists. */
  jobsDirExists: boolean;
  now: number;
}

export const finding = (check: string, level: Level, message: string, extra: { fix?: string; repair?: Repair } = {}): Finding => ({ check, level, message, ...extra });
