import { randomUUID } from 'node:crypto';
import { JobsError, describeValue } from './errors.js';

/**
 * Job ids: a base-36 millisecond timestamp, a dash, a base-36 sequence number,
 * a dash, and a random UUID (122 random bits). Names sort by creation time and,
 * within one process, in exactly the order they were made: jobs submitted in
 * the same millisecond keep their submit order (the dispatcher starts equal
 * priorities in id order). Older ids without the sequence part stay valid.
 * Every entry point validates an id against `JOB_ID_PATTERN` before building
 * any path from it.
 */
export const JOB_ID_PATTERN = /^[a-z0-9-]{16,64}$/;

const SEQUENCE_LIMIT = 36 ** 4;
let lastMs = 0;
let sequence = 0;

/**
 * A new job id. Without `now`, ids of this process are strictly increasing,
 * also when the wall clock steps back (the last time is reused, the sequence
 * goes on). `now` makes an id for that time (tests; sequence 0).
 */
export function newJobId(now?: number): string {
  let ms = now ?? Date.now();
  let seq = 0;
  if (now === undefined) {
    if (ms > lastMs) sequence = 0;
    else if (++sequence >= SEQUENCE_LIMIT) {
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs = Math.max(ms, lastMs);
    seq = sequence;
  }
  return `${ms.toString(36).padStart(9, '0')}-${seq.toString(36).padStart(4, '0')}-${randomUUID()}`;
}

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}

/** Throws `invalid_id` unless `value` is a well-formed job id. */
export function assertJobId(value: unknown): string {
  if (!isJobId(value)) {
    throw new JobsError(
      'invalid_id',
      `Expected a job id matching ${JOB_ID_PATTERN} (16-64 of a-z, 0-9, -), got ${describeValue(value)}`,
    );
  }
  return value;
}
