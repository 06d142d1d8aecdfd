/**
 * One error class for everything the runner refuses, with a machine-readable
 * `code`. The MCP layer turns these into `isError` tool results (or -32602 for
 * task methods); the CLI prints `message` on one line.
 */
export type ErrorCode =
  | 'invalid_id'
  | 'not_found'
  | 'unknown_type'
  | 'invalid_input'
  | 'invalid_option'
  | 'not_finished'
  | 'already_finished'
  | 'disabled'
  | 'queue_full'
  | 'storage';

export class JobsError extends Error {
  override readonly name = 'JobsError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Describes a value for error messages: `` `0` (number) ``. */
export function describeValue(value: unknown): string {
  let shown: string;
  try {
    shown = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${shown}\` (${type})`;
}
