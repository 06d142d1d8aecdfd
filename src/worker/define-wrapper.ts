/**
 * `defineWrapper()`: one file both defines a job type (name, description,
 * input schema, defaults) and, when executed directly, runs the job:
 *
 *     export default defineWrapper(import.meta, {
 *       name: 'simulate',
 *       description: 'A stand-in for a heavy computation',
 *       input: (z) => z.object({ steps: z.number().int() }),
 *       run: async (input, ctx) => { ... return result },
 *     });
 *
 * `node dist/cli-wrappers/simulate.js --job-dir jobs/<id>` runs it; importing
 * the module (the server, the CLI) only reads the definition.
 *
 * `input` may be a zod schema or a function that builds one from `z`. The
 * function form keeps zod out of the wrapper's start-up: the server validates
 * input at submit and records a digest of `input.json`; a worker whose
 * `input.json` still matches that digest skips validation and never loads zod.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { StatePatch } from '../types.js';
import { runWrapper } from './runtime.js';

/** What a wrapper's `run` receives besides its input. */
export interface WrapperContext {
  /** Absolute path of the job folder. */
  jobDir: string;
  /** The job id when the folder is a managed job (a `job.json` is present). */
  jobId: string | undefined;
  /** 1-based attempt number (1 when run by hand). */
  attempt: number;
  /** Aborted on SIGTERM / SIGINT (cancel, timeout, Ctrl-C): stop between steps. */
  signal: AbortSignal;
  /** Report progress; written to progress.json atomically, throttled. */
  progress(current: number, total: number, message?: string): void;
  /** A line to the job's stderr.log. */
  log(message: string): void;
}

export type InputSpec<S extends z.ZodType> = S | ((zod: typeof z) => S);

export interface WrapperDefinition<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Job type and MCP tool name: a lowercase letter, then a-z 0-9 _ (max 64). */
  name: string;
  description: string;
  input: InputSpec<S>;
  run: (input: z.output<S>, ctx: WrapperContext) => R | Promise<R>;
  /** Default timeout per attempt in ms (0 = none). Falls back to the runner's default. */
  timeoutMs?: number;
  /** Default state patch for this type's results. */
  statePatch?: StatePatch;
  /** May a caller override the state patch at submit (`state_patch` input)? */
  allowStatePatchOverride?: boolean;
  /** Attempts for kinds `lost`, `exit`, `timeout` (default 1: no retry). */
  maxAttempts?: number;
  /** Minimum ms between progress.json writes (default 100). */
  progressThrottleMs?: number;
}

export const WRAPPER_BRAND = Symbol.for('mcp-jobs.wrapper');

export interface Wrapper<S extends z.ZodType = z.ZodType, R = unknown> {
  readonly [WRAPPER_BRAND]: true;
  readonly definition: WrapperDefinition<S, R>;
  /** Absolute path of the wrapper's module: the script the launcher runs. */
  readonly scriptPath: string;
  /** The input schema, building it (and loading zod) on first use. */
  loadSchema(): Promise<S>;
  /** Runs the wrapper as a CLI (`--job-dir`, `--help`); resolves to the exit code. */
  main(argv?: string[]): Promise<number>;
}

export function isWrapper(value: unknown): value is Wrapper {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[WRAPPER_BRAND] === true;
}

const NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export function defineWrapper<S extends z.ZodType, R>(meta: ImportMeta, definition: WrapperDefinition<S, R>): Wrapper<S, R> {
  if (!NAME_PATTERN.test(definition.name)) {
    throw new TypeError(`Expected wrapper \`name\` to match ${NAME_PATTERN}, got \`${definition.name}\``);
  }
  const scriptPath = fileURLToPath(meta.url);
  let schema: Promise<S> | undefined;
  const wrapper: Wrapper<S, R> = {
    [WRAPPER_BRAND]: true,
    definition,
    scriptPath,
    loadSchema() {
      const spec = definition.input;
      schema ??= typeof spec === 'function' ? import('zod').then(({ z: zod }) => spec(zod)) : Promise.resolve(spec);
      return schema;
    },
    main(argv = process.argv.slice(2)) {
      return runWrapper(wrapper as unknown as Wrapper, argv);
    },
  };
  if (isMainModule(scriptPath)) {
    // Let the module finish evaluating, then run as a CLI and exit with its code.
    setImmediate(() => {
      void wrapper.main().then(
        (code) => process.exit(code),
        (error: unknown) => {
          // Only the runtime's own I/O can get here (e.g. the lock folder vanished): say so, exit 1.
          process.stderr.write(`${definition.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
  return wrapper;
}

function isMainModule(scriptPath: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(scriptPath);
  } catch {
    return false;
  }
}
