/**
 * The state store: one file per field, `state/<field>.json`:
 *
 *     { "v": 1, "field": "designs", "value": <the field's value>,
 *       "applied": { "<job id>": "<finishedAt>" },     jobs this value absorbed
 *       "lastReplace": { "jobId": ..., "finishedAt": ... },
 *       "updatedAt": "..." }
 *
 * The value and the record of which jobs it absorbed land in the same atomic
 * write, so applying a job's patch is exactly-once across any crash: a replay
 * finds the job id already in `applied` and changes nothing. Writers hold a
 * proper-lockfile lock per field, so two servers never clobber each other.
 *
 * A file without the envelope (seeded by hand) is read as a bare value.
 */
import { sweepDeadTemps } from './temp-sweep.js';
import { readdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from './atomic.js';
import { withFileLock } from './locks.js';
import { ensureDir } from './ensure-dir.js';
import { log } from '../log.js';
import { JobsError, describeValue } from '../errors.js';

export const FIELD_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const envelopeSchema = z.object({
  v: z.literal(1),
  field: z.string(),
  value: z.unknown(),
  applied: z.record(z.string(), z.string()),
  lastReplace: z.object({ jobId: z.string(), finishedAt: z.string() }).optional(),
  updatedAt: z.string(),
});

export type StateFile = z.infer<typeof envelopeSchema>;

/** What a patch computes from the field's current file. */
export type PatchStep = { value: unknown; lastReplace?: StateFile['lastReplace'] } | { keep: true };

export type ApplyOutcome = 'applied' | 'already' | 'unchanged';

export class StateStore {
  readonly root: string;
  /** Fields found unreadable since start (moved aside, reported, rebuilt): field → what happened. */
  readonly damaged = new Map<string, string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * Creates the folder and loads every field. An unreadable file is moved aside,
   * logged and listed in `damaged` (the runner rebuilds it from the jobs); the
   * other fields load as usual.
   */
  async init(): Promise<string[]> {
    await ensureDir(this.root, 0o700);
    sweepDeadTemps(this.root); // a server killed mid-write left its temp file
    const fields = await this.fields();
    for (const field of fields) {
      await this.load(field).catch((error: unknown) => {
        if (!(error instanceof JobsError && error.code === 'storage')) throw error;
      });
    }
    return fields;
  }

  path(field: string): string {
    return join(this.root, `${assertField(field)}.json`);
  }

  async fields(): Promise<string[]> {
    const names = await readdir(this.root);
    return names.filter((n) => n.endsWith('.json') && FIELD_PATTERN.test(n.slice(0, -5))).map((n) => n.slice(0, -5)).sort();
  }

  /** The field's file, or an empty one when it does not exist. Throws `storage` for an unreadable file. */
  async load(field: string): Promise<StateFile> {
    const path = this.path(field);
    const read = await readJsonFile(path);
    if (!read.ok) {
      if (read.reason === 'missing') return emptyFile(field);
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside).catch(() => {});
      this.damaged.set(field, `${read.message}; moved to ${aside}`);
      const message = `state field \`${field}\`: ${read.message} (moved to ${aside}; it is rebuilt from the jobs that built it)`;
      log.error(message);
      throw new JobsError('storage', message);
    }
    const parsed = envelopeSchema.safeParse(read.value);
    return parsed.success ? parsed.data : { ...emptyFile(field), value: read.value };
  }

  /** The field's value (undefined when the field does not exist). */
  async get(field: string): Promise<unknown> {
    return (await this.load(field)).value;
  }

  /**
   * Applies job `jobId`'s patch to `field` exactly once: under the field's
   * lock, skips a job already absorbed, else writes the new value together
   * with the job id in one atomic write.
   */
  async apply(field: string, jobId: string, finishedAt: string, step: (current: StateFile) => PatchStep): Promise<ApplyOutcome> {
    const path = this.path(field);
    await ensureDir(this.root, 0o700);
    return withFileLock(`${path}.lock`, async () => {
      const current = await this.load(field);
      if (current.applied[jobId] !== undefined) return 'already';
      const next = step(current);
      const file: StateFile = {
        ...current,
        applied: { ...current.applied, [jobId]: finishedAt },
        updatedAt: new Date().toISOString(),
      };
      if (!('keep' in next)) {
        file.value = next.value;
        if (next.lastReplace) file.lastReplace = next.lastReplace;
      }
      await writeJsonAtomic(path, file);
      return 'keep' in next ? 'unchanged' : 'applied';
    });
  }

  /** Replaces a field whole (rebuild after damage). */
  async write(file: StateFile): Promise<void> {
    const path = this.path(file.field);
    await withFileLock(`${path}.lock`, () => writeJsonAtomic(path, file));
  }
}

export function emptyFile(field: string): StateFile {
  return { v: 1, field, value: undefined, applied: {}, updatedAt: new Date(0).toISOString() };
}

export function assertField(field: unknown): string {
  if (typeof field !== 'string' || !FIELD_PATTERN.test(field)) {
    throw new JobsError('invalid_input', `Expected a state field name matching ${FIELD_PATTERN}, got ${describeValue(field)}`);
  }
  return field;
}
