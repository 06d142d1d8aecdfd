/**
 * Runner options: every option has a default (in `DEFAULTS`, one place) and a
 * clear message when it is wrong, e.g.
 * ``Expected `maxConcurrent` to be a positive integer, got `0` (number)``.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { JobsError, describeValue } from './errors.js';
import type { Launcher } from './runner/launcher.js';
import type { Clock } from './runner/clock.js';
import { DEFAULT_FILE_LIMITS } from './store/job-store.js';
import { MAX_READ_BYTES } from './store/safe-read.js';

export interface RunnerOptions {
  /** Root of the job folders. Default `./jobs` (env `MCP_JOBS_DIR`). */
  jobsDir?: string;
  /** Root of the state files. Default `./state` (env `MCP_JOBS_STATE_DIR`). */
  stateDir?: string;
  /** Jobs of this jobs folder running at once, across every manager on it. Default `os.availableParallelism()`. */
  maxConcurrent?: number;
  /** Timeout per attempt in ms, when neither the job nor its type sets one; 0 = none. Default 5 minutes. */
  defaultTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when cancelling or timing out. Default 5 s. */
  killGraceMs?: number;
  /** Programs `run_command` may start (argv[0], exactly). Empty: `run_command` is not registered. */
  allowCommands?: string[];
  /** Slow full rescan of unfinished jobs (watchers miss events). Default 30 s; 0 = off. */
  scanIntervalMs?: number;
  /** Liveness checks of running workers this process did not start. Default 1 s. */
  livenessIntervalMs?: number;
  /** First retry delay; doubles per attempt. Default 1 s. */
  retryBackoffMs?: number;
  /** Automatic cleanup of finished jobs; off unless `intervalMs` > 0. */
  cleanup?: { intervalMs?: number; olderThanMs?: number; keepLast?: number };
  /** Most unfinished jobs in the jobs folder (counted from its `.active/` index); a submit past it is refused with `queue_full`. Default 10,000. */
  maxQueued?: number;
  /** Start dispatching queued jobs (false: submit only, e.g. for benchmarks). Default true. */
  dispatch?: boolean;
  /** Watch the folders of unfinished jobs (false: rely on exit events and scans). Default true. */
  watch?: boolean;
  /** How: `fs` (fs.watch, default) or `chokidar` (for file systems where fs.watch is weak). */
  watcher?: 'fs' | 'chokidar';
  /**
   * Whose timeouts this manager enforces: `all` running jobs of the folder (a
   * server, default), or only those it `launched` itself (short-lived CLI
   * commands: they must not end other jobs).
   */
  enforceTimeouts?: 'all' | 'launched';
  /** An input whose JSON (`input.json`) is over this many bytes is refused at submit. Default 1 MiB. */
  maxInputBytes?: number;
  /**
   * Largest results.json the server reads (bytes). A larger one is never read:
   * the job fails `invalid_result` with a message naming this limit, and the
   * file stays in the job folder. Default 64 MiB.
   */
  maxResultsFileBytes?: number;
  /** Largest error.json / progress.json the server reads (bytes); larger ones count as unreadable. Default 1 MiB. */
  maxWorkerFileBytes?: number;
  /** Cap of each job's stdout.log / stderr.log in bytes; past it the tail is kept (runner/log-cap.ts). Default 10 MiB; 0 = none. */
  maxLogBytes?: number;
  /** How workers are started. Default: local detached processes. */
  launcher?: Launcher;
  /** Wall and monotonic time, for timeouts (tests jump it). Default: the system's (runner/clock.ts). */
  clock?: Clock;
}

export type ResolvedOptions = Required<Omit<RunnerOptions, 'cleanup' | 'launcher' | 'clock'>> & {
  cleanup: { intervalMs: number; olderThanMs: number; keepLast: number };
  launcher?: Launcher;
  clock?: Clock;
};

export function defaults(env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  return {
    jobsDir: env.MCP_JOBS_DIR || './jobs',
    stateDir: env.MCP_JOBS_STATE_DIR || './state',
    maxConcurrent: availableParallelism(),
    defaultTimeoutMs: 5 * 60_000,
    killGraceMs: 5_000,
    allowCommands: [],
    scanIntervalMs: 30_000,
    livenessIntervalMs: 1_000,
    retryBackoffMs: 1_000,
    cleanup: { intervalMs: 0, olderThanMs: 7 * 24 * 3_600_000, keepLast: 100 },
    maxQueued: 10_000,
    dispatch: true,
    watch: true,
    watcher: 'fs',
    enforceTimeouts: 'all',
    maxInputBytes: 1024 * 1024,
    maxResultsFileBytes: DEFAULT_FILE_LIMITS.resultsBytes,
    maxWorkerFileBytes: DEFAULT_FILE_LIMITS.workerFileBytes,
    maxLogBytes: 10 * 1024 * 1024,
  };
}

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const expectations: Record<string, [z.ZodType, string]> = {
  jobsDir: [z.string().min(1), 'a non-empty path'],
  stateDir: [z.string().min(1), 'a non-empty path'],
  maxConcurrent: [positiveInt, 'a positive integer'],
  defaultTimeoutMs: [nonNegativeInt, 'a non-negative integer (ms; 0 = none)'],
  killGraceMs: [nonNegativeInt, 'a non-negative integer (ms)'],
  allowCommands: [z.array(z.string().min(1)), 'an array of program names'],
  scanIntervalMs: [nonNegativeInt, 'a non-negative integer (ms; 0 = off)'],
  livenessIntervalMs: [positiveInt, 'a positive integer (ms)'],
  retryBackoffMs: [nonNegativeInt, 'a non-negative integer (ms)'],
  maxQueued: [positiveInt, 'a positive integer'],
  dispatch: [z.boolean(), 'a boolean'],
  watch: [z.boolean(), 'a boolean'],
  watcher: [z.enum(['fs', 'chokidar']), '`fs` or `chokidar`'],
  enforceTimeouts: [z.enum(['all', 'launched']), '`all` or `launched`'],
  maxInputBytes: [positiveInt, 'a positive integer (bytes)'],
  maxResultsFileBytes: [positiveInt.max(MAX_READ_BYTES), `a positive integer (bytes) up to ${MAX_READ_BYTES}`],
  maxWorkerFileBytes: [positiveInt.max(MAX_READ_BYTES), `a positive integer (bytes) up to ${MAX_READ_BYTES}`],
  maxLogBytes: [nonNegativeInt, 'a non-negative integer (bytes; 0 = no cap)'],
  'cleanup.intervalMs': [nonNegativeInt, 'a non-negative integer (ms; 0 = off)'],
  'cleanup.olderThanMs': [nonNegativeInt, 'a non-negative integer (ms)'],
  'cleanup.keepLast': [nonNegativeInt, 'a non-negative integer'],
};

function check(name: string, value: unknown): void {
  const [schema, expected] = expectations[name]!;
  if (!schema.safeParse(value).success) {
    throw new JobsError('invalid_option', `Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
  }
}

/** Merges `options` over the defaults and checks every value; throws `invalid_option`. */
export function resolveOptions(options: RunnerOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const base = defaults(env);
  for (const key of Object.keys(options)) {
    if (!(key in base) && key !== 'launcher' && key !== 'clock') throw new JobsError('invalid_option', `Unknown option \`${key}\``);
  }
  const { cleanup, launcher, clock, ...rest } = options;
  const merged = { ...base, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as ResolvedOptions;
  merged.cleanup = { ...base.cleanup, ...Object.fromEntries(Object.entries(cleanup ?? {}).filter(([, v]) => v !== undefined)) };
  for (const name of Object.keys(expectations)) {
    const [head, tail] = name.split('.') as [keyof ResolvedOptions, string | undefined];
    check(name, tail ? (merged[head] as Record<string, unknown>)[tail] : merged[head]);
  }
  merged.jobsDir = resolve(merged.jobsDir);
  merged.stateDir = resolve(merged.stateDir);
  if (launcher) merged.launcher = launcher;
  if (clock) merged.clock = clock;
  return merged;
}
