import { randomUUID } from 'node:crypto';
import { JobsError, describeValue } from './errors.js';

/**
 * Job ids: a base-36 millisecond timestamp (so names sort by creation time),
 * a dash, and a random UUID (122 random bits). Every entry point validates an id
 * against `JOB_ID_PATTERN` before building any path from it.
 */
export const JOB_ID_PATTERN = /^[a-z0-9-]{16,64}$/;

export function newJobId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}-${randomUUID()}`;
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
