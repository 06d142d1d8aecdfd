/**
 * Job types: a name, the argv that runs its wrapper, an input schema, and
 * defaults. Most come from a wrapper module (`typeFromWrapper`); any program
 * that speaks the job folder protocol can be registered with a command.
 */
import type { z } from 'zod';
import { JobsError } from '../errors.js';
import type { StatePatch } from '../types.js';
import type { Wrapper } from '../worker/define-wrapper.js';

export interface JobType {
  name: string;
  description: string;
  /** argv that runs the wrapper; `--job-dir <dir>` is appended. */
  command: string[];
  /** Validates (and may default) the input at submit. Must be JSON in, JSON out. */
  schema: z.ZodType;
  /** Timeout per attempt in ms (0 = none); falls back to the runner's default. */
  timeoutMs?: number;
  /** State patch for results: declarative, or the name of a registered handler. */
  statePatch?: StatePatch | { handler: string; field: string };
  /** May a caller override the state patch at submit? */
  allowStatePatchOverride?: boolean;
  /** Attempts for kinds `lost`, `exit`, `timeout` (default 1). */
  maxAttempts?: number;
  /** Extra acceptance check at submit; returns a reason to refuse. */
  accept?: (input: unknown) => string | undefined;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

export class JobTypeRegistry {
  private readonly types = new Map<string, JobType>();

  /** Adds a job type; a name already registered is refused unless `replace` says so. */
  register(type: JobType, options: { replace?: boolean } = {}): void {
    if (this.types.has(type.name) && !options.replace) {
      throw new JobsError('invalid_option', `A job type named \`${type.name}\` is already registered (pass { replace: true } to replace it)`);
    }
    if (!NAME.test(type.name)) throw new JobsError('invalid_option', `Expected a job type name matching ${NAME}, got \`${type.name}\``);
    if (!type.command.length) throw new JobsError('invalid_option', `Job type \`${type.name}\` needs a command`);
    if (type.maxAttempts !== undefined && !(Number.isInteger(type.maxAttempts) && type.maxAttempts >= 1)) {
      throw new JobsError('invalid_option', `Expected \`maxAttempts\` of \`${type.name}\` to be a positive integer, got \`${type.maxAttempts}\``);
    }
    this.types.set(type.name, type);
  }

  get(name: string): JobType {
    const type = this.types.get(name);
    if (!type) {
      const known = [...this.types.keys()].join(', ') || 'none';
      throw new JobsError('unknown_type', `Unknown job type \`${name}\` (registered: ${known})`);
    }
    return type;
  }

  has(name: string): boolean {
    return this.types.has(name);
  }

  list(): JobType[] {
    return [...this.types.values()];
  }
}

/** A job type from a wrapper module: runs `node <module>` with this process's node. */
export async function typeFromWrapper(wrapper: Wrapper, overrides: Partial<JobType> = {}): Promise<JobType> {
  const d = wrapper.definition;
  return {
    name: d.name,
    description: d.description,
    command: [process.execPath, wrapper.scriptPath],
    schema: await wrapper.loadSchema(),
    ...(d.timeoutMs === undefined ? {} : { timeoutMs: d.timeoutMs }),
    ...(d.statePatch ? { statePatch: d.statePatch } : {}),
    allowStatePatchOverride: d.allowStatePatchOverride ?? false,
    maxAttempts: d.maxAttempts ?? 1,
    ...overrides,
  };
}
