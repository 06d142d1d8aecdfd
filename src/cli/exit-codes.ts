/**
 * Exit codes of `mcp-jobs` (documented in docs/cli.md):
 *
 *   0    success (the job completed; the folder is healthy)
 *   1    the job failed or was cancelled (run, watch, result); doctor found problems
 *   2    bad input: usage, unknown type, invalid input or JSON, malformed id, bad option
 *   3    no job with that id
 *   4    the job is not in a state for this (result of an unfinished job, cancel of a finished one),
 *        or the folder is not (submit while the queue is full: `maxQueued`)
 *   5    storage or unexpected error (unreadable files, permissions, ...)
 *   130  interrupted by Ctrl-C (run: the job was cancelled; watch / logs -f: stopped following)
 */
import { JobsError, type ErrorCode } from '../errors.js';

export const EXIT = {
  ok: 0,
  jobFailed: 1,
  problems: 1,
  usage: 2,
  notFound: 3,
  wrongState: 4,
  internal: 5,
  interrupted: 130,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  invalid_id: EXIT.usage,
  unknown_type: EXIT.usage,
  invalid_input: EXIT.usage,
  invalid_option: EXIT.usage,
  disabled: EXIT.usage,
  not_found: EXIT.notFound,
  not_finished: EXIT.wrongState,
  already_finished: EXIT.wrongState,
  queue_full: EXIT.wrongState,
  storage: EXIT.internal,
};

/** The exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof JobsError) return BY_CODE[error.code] ?? EXIT.internal;
  return EXIT.internal;
}

/** An error of the command line itself (bad flag values, unreadable input file), with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}
