/**
 * Job folders written directly in the protocol's format (see src/types.ts
 * `JobRecord`, src/store/schemas.ts): for running a wrapper by hand on a folder
 * whose job.json carries the matching `inputDigest` (so it does the same work
 * as a managed worker), and for generating thousands of finished jobs fast.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newJobId } from '../src/ids.js';
import type { JobRecord } from '../src/types.js';

/** input.json exactly as `JobManager.submit` writes it. */
export const inputTextOf = (input: unknown): string => `${JSON.stringify(input, null, 2)}\n`;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A job record with the fields every record has; `overrides` set the rest. */
export function makeRecord(overrides: Partial<JobRecord> & Pick<JobRecord, 'command' | 'inputDigest'>, createdMs = Date.now()): JobRecord {
  return {
    v: 1,
    id: newJobId(createdMs),
    type: 'simulate',
    status: 'queued',
    priority: 0,
    createdAt: new Date(createdMs).toISOString(),
    timeoutMs: 300_000,
    attempt: 1,
    maxAttempts: 1,
    patchState: 'none',
    ...overrides,
  };
}

/**
 * A folder a wrapper can run on by hand (`--job-dir <dir>`): input.json plus a
 * job.json whose `inputDigest` matches it, as a managed job has, so the wrapper
 * skips validation exactly as it does under the manager.
 */
export function writeDirectFolder(dir: string, input: unknown, command: string[]): JobRecord {
  const inputText = inputTextOf(input);
  const record = makeRecord({ command, inputDigest: sha256(inputText), status: 'running', startedAt: new Date().toISOString() });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'input.json'), inputText);
  writeFileSync(join(dir, 'job.json'), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** Writes a job folder (job.json, input.json, and results.json for completed jobs) without fsync: bench data only. */
export function writeJobFolder(jobsDir: string, record: JobRecord, inputText: string, result?: unknown): void {
  const dir = join(jobsDir, record.id);
  mkdirSync(dir);
  writeFileSync(join(dir, 'input.json'), inputText);
  writeFileSync(join(dir, 'job.json'), `${JSON.stringify(record, null, 2)}\n`);
  if (result !== undefined) writeFileSync(join(dir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
}
