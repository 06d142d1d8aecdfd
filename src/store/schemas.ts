/** zod schemas for the files of a job folder, checked on every read by the server. */
import { z } from 'zod';
import type { JobProgress, JobRecord } from '../types.js';

const iso = z.string().min(1);

export const failureKindSchema = z.enum(['error', 'invalid_input', 'exit', 'lost', 'timeout', 'spawn', 'invalid_result']);

export const statePatchSchema = z.strictObject({
  field: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'a field name: a letter, then up to 63 of A-Z a-z 0-9 _ . -'),
  pointer: z.string().regex(/^(\/([^~/]|~[01])*)*$/, 'a JSON pointer like /a/b/0').optional(),
  mode: z.enum(['replace', 'merge', 'append']),
});

export const jobPatchSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('declarative'), patch: statePatchSchema }),
  z.object({ kind: z.literal('named'), name: z.string().min(1).max(128), field: statePatchSchema.shape.field }),
]);

export const jobFailureSchema = z.object({ kind: failureKindSchema, message: z.string(), details: z.unknown().optional() });

export const jobRecordSchema = z.object({
  v: z.literal(1),
  id: z.string(),
  type: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
  priority: z.number(),
  createdAt: iso,
  startedAt: iso.optional(),
  startedMono: z.object({ boot: z.string().max(64), ms: z.number().nonnegative() }).optional(),
  finishedAt: iso.optional(),
  timeoutMs: z.number().int().min(0),
  attempt: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
  notBefore: iso.optional(),
  inputDigest: z.string(),
  command: z.array(z.string()).min(1),
  pid: z.number().int().positive().optional(),
  pidStartTime: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().nullable().optional(),
  stopRequested: z.object({ reason: z.enum(['cancel', 'timeout']), at: iso }).optional(),
  error: jobFailureSchema.optional(),
  history: z.array(z.object({ attempt: z.number().int(), error: jobFailureSchema, finishedAt: iso })).optional(),
  patch: jobPatchSchema.optional(),
  patchState: z.enum(['none', 'pending', 'applied', 'skipped', 'error']),
  patchError: z.string().optional(),
  owner: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
}) satisfies z.ZodType<JobRecord>;

/** Longest progress message kept (longer ones are cut); progress is shown in status lines. */
export const PROGRESS_MESSAGE_MAX = 1000;

/**
 * progress.json, sanitized as it is read: any finite numbers pass the file's
 * schema, but what the server hands on is usable. `total` below 0 becomes 0
 * (unknown: no percentage); `current` is clamped to 0..total (to 0.. when the
 * total is unknown), so current / total is a finite fraction from 0 to 1; a
 * long message is cut. (JSON itself carries no NaN or Infinity.)
 */
export const progressSchema = z
  .object({
    current: z.number(),
    total: z.number(),
    message: z.string().optional(),
    updatedAt: z.string(),
  })
  .transform((raw): JobProgress => {
    const total = Number.isFinite(raw.total) && raw.total > 0 ? raw.total : 0;
    const current = Number.isFinite(raw.current) ? Math.max(0, total > 0 ? Math.min(raw.current, total) : raw.current) : 0;
    const progress: JobProgress = { current, total, updatedAt: raw.updatedAt.slice(0, 64) };
    if (raw.message !== undefined) progress.message = raw.message.slice(0, PROGRESS_MESSAGE_MAX);
    return progress;
  });

/** error.json as a worker writes it. Kinds other than the known ones are kept as `error`. */
export const workerErrorSchema = z.object({
  message: z.string(),
  kind: z.string().optional(),
  details: z.unknown().optional(),
});
