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

/** How much of a value from input an error message quotes, at most (characters). */
export const MAX_QUOTED_CHARS = 60;

/**
 * `text` cut to `max` characters (`…` marks the cut), never splitting a
 * surrogate pair: what a message may quote of something it was given.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 3);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}...`;
}

/** Describes a value for error messages: `` `0` (number) ``; long values are cut (a 10 MB string costs no more than a short one). */
export function describeValue(value: unknown): string {
  let shown: string;
  try {
    shown = typeof value === 'string' ? clipText(value, MAX_QUOTED_CHARS + 1) : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = safeString(value);
  }
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${clipText(shown, MAX_QUOTED_CHARS)}\` (${type})`;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value); // e.g. Object.create(null)
  }
}
