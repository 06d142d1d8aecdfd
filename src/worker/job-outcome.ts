/**
 * How a worker's attempt ends on disk: results.json (exit 0) or error.json
 * (exit 1), each written atomically, each strict JSON. Whatever `run` returns
 * or throws, the worker itself says what happened: a value JSON cannot hold
 * (a function, a Symbol, a BigInt, a cycle) is `invalid_result`; a thrown value
 * of any shape (even `Object.create(null)`) becomes a readable message.
 * And while `run` is pending, `guardRun()` keeps the process alive and turns
 * the wrapper's unhandled rejections and uncaught exceptions into its failure.
 * (One module, not two: every module costs a wrapper's start-up.)
 */
import { writeFileAtomicSync, writeJsonAtomicSync } from '../store/atomic.js';
import { jobFile } from '../store/paths.js';

export const EXIT = { completed: 0, failed: 1, usage: 2 } as const;

/** error.json as the runtime writes it. */
export interface WorkerError {
  message: string;
  kind: 'error' | 'invalid_input' | 'cancelled' | 'invalid_result';
  details?: unknown;
}

const MAX_MESSAGE = 2000;

function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Text for any thrown value, never throwing itself. */
function describeValue(value: unknown): string {
  try {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null) {
      const json = JSON.stringify(value);
      if (json !== undefined) return json;
    }
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `{message, details}` for error.json from whatever `run` threw (or rejected with). */
export function describeError(error: unknown, prefix = ''): Pick<WorkerError, 'message' | 'details'> {
  try {
    if (error instanceof Error) {
      const message = typeof error.message === 'string' && error.message ? error.message : error.name;
      const stack = typeof error.stack === 'string' ? error.stack.split('\n').slice(0, 8) : undefined;
      return { message: `${prefix}${message}`.slice(0, MAX_MESSAGE), details: { name: String(error.name), ...(stack ? { stack } : {}) } };
    }
  } catch {
    // a hostile Error subclass (throwing getters): describe it as a plain value
  }
  return { message: `${prefix}run threw a non-Error value: ${describeValue(error)}`.slice(0, MAX_MESSAGE), details: { name: typeof error } };
}

export class JobOutcome {
  constructor(
    private readonly name: string,
    private readonly jobDir: string,
  ) {}

  /** Writes error.json; if even that cannot be written (disk full), says so on stderr. Exit 1 either way. */
  fail(error: WorkerError): number {
    try {
      writeJsonAtomicSync(jobFile(this.jobDir, 'error'), error);
    } catch (writeError) {
      stderr(`${this.name}: cannot write error.json: ${(writeError as Error).message}`);
    }
    stderr(`${this.name}: ${error.kind}: ${error.message}`);
    return EXIT.failed;
  }

  /** Writes `result` as results.json (exit 0), or error.json when it is not JSON or cannot be written. */
  complete(result: unknown): number {
    let text: string | undefined;
    try {
      text = JSON.stringify(result ?? null, null, 2);
    } catch (error) {
      return this.fail({ kind: 'invalid_result', message: `the result is not JSON-serializable: ${describeError(error).message}` });
    }
    if (text === undefined) {
      return this.fail({ kind: 'invalid_result', message: `the result is not JSON-serializable: run returned a ${typeof result}` });
    }
    try {
      writeFileAtomicSync(jobFile(this.jobDir, 'results'), `${text}\n`);
    } catch (error) {
      return this.fail({ kind: 'error', message: `cannot write results.json: ${(error as Error).message}` });
    }
    return EXIT.completed;
  }
}

/*
 * The guard around `run`: what keeps a worker honest while it is in progress.
 *
 * - the process stays alive until `run` settles. Node exits when nothing is
 *   left in its event loop, and a `run` that only awaits `ctx.signal` leaves
 *   nothing (the lock heartbeat is unref'd): it would exit 0 at once with no
 *   result and its lock left behind. A ref'd idle timer holds the loop open.
 * - an unhandled rejection or an uncaught exception raised by the wrapper's
 *   own background work ends the attempt like a throw from `run`: error.json,
 *   lock released, exit 1 (rather than Node's crash with exit 1 and nothing
 *   written).
 */

export interface RunGuard {
  /** Rejects with the first unhandled rejection / uncaught exception while guarded. */
  readonly crashed: Promise<never>;
  stop(): void;
}

/** The largest delay a Node timer accepts (about 24.8 days). */
const IDLE_MS = 2 ** 31 - 1;

export class UnhandledInRun extends Error {
  override readonly name = 'UnhandledInRun';
  constructor(
    readonly source: 'unhandledRejection' | 'uncaughtException',
    readonly reason: unknown,
  ) {
    super(source === 'unhandledRejection' ? 'an unhandled promise rejection in run' : 'an uncaught exception in run');
  }
}

export function guardRun(): RunGuard {
  const keepAlive = setInterval(() => {}, IDLE_MS);
  let fail: (error: UnhandledInRun) => void = () => {};
  const crashed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  crashed.catch(() => {}); // observed by the race in the runtime; never an unhandled rejection itself
  const onRejection = (reason: unknown): void => fail(new UnhandledInRun('unhandledRejection', reason));
  const onException = (error: unknown): void => fail(new UnhandledInRun('uncaughtException', error));
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    crashed,
    stop() {
      clearInterval(keepAlive);
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
