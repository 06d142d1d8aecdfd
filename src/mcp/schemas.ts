/**
 * Input and output schemas of the job tools (zod 4; the SDK turns them into
 * JSON Schema for `tools/list` and checks `structuredContent` against them).
 */
import { z } from 'zod';

export const jobIdInput = z.string().describe('the job id a start tool returned');

const statusEnum = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
const failureKind = z.enum(['error', 'invalid_input', 'exit', 'lost', 'timeout', 'spawn', 'invalid_result']);

export const progressOutputSchema = z.object({
  current: z.number(),
  total: z.number(),
  percentage: z.number().nullable(),
  message: z.string().nullable(),
});

export const jobStatusShape = {
  job_id: z.string(),
  type: z.string(),
  status: statusEnum,
  progress: progressOutputSchema.nullable(),
  attempt: z.number().int(),
  max_attempts: z.number().int(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  elapsed_s: z.number().nullable(),
  exit_code: z.number().int().nullable(),
  error: z.object({ kind: failureKind, message: z.string() }).nullable(),
};

export const jobStatusOutputSchema = z.object(jobStatusShape);

export const waitOutputSchema = z.object({
  ...jobStatusShape,
  finished: z.boolean().describe('true when the job has ended; false when the wait timed out first'),
  waited_s: z.number(),
});

export const listOutputSchema = z.object({
  jobs: z.array(
    z.object({
      job_id: z.string(),
      type: z.string(),
      status: statusEnum,
      percentage: z.number().nullable(),
      created_at: z.string(),
      finished_at: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  next_cursor: z.string().optional().describe('pass as `cursor` for the next page'),
});

export const resultsOutputSchema = z.object({
  job_id: z.string(),
  status: statusEnum,
  result: z.unknown().optional().describe('the result, when completed and not truncated'),
  truncated: z.boolean().optional(),
  size_bytes: z.number().int().optional().describe('size of results.json'),
  resource_uri: z.string().optional().describe('read this resource for the full result'),
  error: z.object({ kind: failureKind, message: z.string() }).optional(),
  progress: progressOutputSchema.nullable().optional(),
  message: z.string(),
});

export const logsOutputSchema = z.object({
  job_id: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  lines: z.array(z.string()),
  truncated: z.boolean().describe('earlier lines exist that are not shown'),
  size_bytes: z.number().int(),
});

export const stateOutputSchema = z.object({
  fields: z.array(z.string()).optional().describe('the state fields, when no `field` was asked for'),
  field: z.string().optional(),
  value: z.unknown().optional(),
  updated_at: z.string().nullable().optional(),
});

export const healthOutputSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  queued: z.number().int(),
  running: z.number().int(),
  damaged_jobs: z.array(z.object({ id: z.string(), problem: z.string() })),
  max_concurrent: z.number().int(),
  watcher: z.object({ watching: z.boolean(), watched_jobs: z.number().int() }),
  last_reconcile: z.object({ at: z.string(), duration_ms: z.number().nullable() }).nullable(),
  last_error: z.string().nullable(),
  uptime_s: z.number(),
  version: z.string(),
});
