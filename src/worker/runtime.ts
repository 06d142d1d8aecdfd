/**
 * The wrapper runtime: what happens when a wrapper file is executed.
 *
 *   1. parse `--job-dir <dir>` (or print `--help` / `--describe`)
 *   2. take the worker lock on the folder (heartbeat; one worker per folder)
 *   3. read input.json; validate it unless it matches the digest the server
 *      recorded after validating it at submit
 *   4. run, with progress and an AbortSignal wired to SIGTERM / SIGINT
 *   5. write results.json or error.json atomically; release the lock
 *
 * Exit codes: 0 completed, 1 failed (error.json written), 2 usage error or
 * refused (nothing written: bad arguments, no input.json, already finished,
 * another worker holds the folder).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve, basename } from 'node:path';
import { writeJsonAtomicSync, formatIssues } from '../store/atomic.js';
import { jobFile, WORKER_LOCK_STALE_MS, WORKER_LOCK_UPDATE_MS } from '../store/paths.js';
import { acquireWorkerLock, LockedError, type HeldLock } from './worker-lock.js';
import { ProgressWriter } from './progress-writer.js';
import { parseWorkerArgs, printUsage, printDescription } from './usage.js';
import { digestText } from './sha256.js';
import type { Wrapper, WrapperContext } from './define-wrapper.js';

export const EXIT = { completed: 0, failed: 1, usage: 2 } as const;

/** error.json as the runtime writes it. */
interface WorkerError {
  message: string;
  kind: 'error' | 'invalid_input' | 'cancelled' | 'invalid_result';
  details?: unknown;
}

function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function runWrapper(wrapper: Wrapper, argv: string[]): Promise<number> {
  const args = parseWorkerArgs(argv);
  if ('error' in args) {
    stderr(`${wrapper.definition.name}: ${args.error}\nRun with --help for usage.`);
    return EXIT.usage;
  }
  if (args.mode === 'help') {
    printUsage(wrapper, basename(process.argv[1] ?? wrapper.scriptPath));
    return EXIT.completed;
  }
  if (args.mode === 'describe') {
    await printDescription(wrapper);
    return EXIT.completed;
  }
  const jobDir = resolve(args.jobDir);

  let inputText: string;
  try {
    inputText = readFileSync(jobFile(jobDir, 'input'), 'utf8');
  } catch (error) {
    stderr(`${wrapper.definition.name}: cannot read ${jobFile(jobDir, 'input')}: ${(error as Error).message}`);
    return EXIT.usage;
  }
  if (args.force) clearOutputs(jobDir);
  else if (hasOutputs(jobDir)) {
    stderr(`${wrapper.definition.name}: ${jobDir} already holds results.json or error.json; pass --force to run it again`);
    return EXIT.usage;
  }

  let lock: HeldLock;
  try {
    lock = acquireWorkerLock(jobFile(jobDir, 'workerLock'), WORKER_LOCK_STALE_MS, WORKER_LOCK_UPDATE_MS);
  } catch (error) {
    stderr(`${wrapper.definition.name}: ${error instanceof LockedError ? error.message : `cannot lock ${jobDir}: ${(error as Error).message}`}`);
    return EXIT.usage;
  }
  try {
    return await runLocked(wrapper, jobDir, inputText);
  } finally {
    lock.release();
  }
}

async function runLocked(wrapper: Wrapper, jobDir: string, inputText: string): Promise<number> {
  const record = readRecord(jobDir);
  const fail = (error: WorkerError): number => {
    writeJsonAtomicSync(jobFile(jobDir, 'error'), error);
    stderr(`${wrapper.definition.name}: ${error.kind}: ${error.message}`);
    return EXIT.failed;
  };

  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch (error) {
    return fail({ kind: 'invalid_input', message: `input.json is not valid JSON: ${(error as Error).message}` });
  }
  if (record?.inputDigest !== (await digestText(inputText))) {
    const schema = await wrapper.loadSchema();
    const parsed = schema.safeParse(input);
    if (!parsed.success) return fail({ kind: 'invalid_input', message: formatIssues(parsed.error.issues) });
    input = parsed.data;
  }

  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1 && signal === 'SIGINT') process.exit(130);
    abort.abort(new Error(`received ${signal}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const progress = new ProgressWriter(jobFile(jobDir, 'progress'), wrapper.definition.progressThrottleMs ?? 100, (error) =>
    stderr(`progress.json: ${error.message}`),
  );
  const ctx: WrapperContext = {
    jobDir,
    jobId: record?.id,
    attempt: record?.attempt ?? 1,
    signal: abort.signal,
    progress(current, total, message) {
      if (!Number.isFinite(current) || !Number.isFinite(total)) throw new TypeError('progress(current, total) expects finite numbers');
      progress.report(message === undefined ? { current, total } : { current, total, message });
    },
    log: (message) => stderr(message),
  };

  try {
    const result = await wrapper.definition.run(input, ctx);
    progress.flush();
    let text: string | undefined;
    try {
      text = JSON.stringify(result ?? null, null, 2);
    } catch (error) {
      return fail({ kind: 'invalid_result', message: `the result is not JSON-serializable: ${(error as Error).message}` });
    }
    writeJsonAtomicSync(jobFile(jobDir, 'results'), JSON.parse(text));
    return EXIT.completed;
  } catch (error) {
    progress.flush();
    if (abort.signal.aborted) return fail({ kind: 'cancelled', message: `stopped: ${(abort.signal.reason as Error).message}` });
    const err = error instanceof Error ? error : new Error(String(error));
    return fail({ kind: 'error', message: err.message, details: { name: err.name, stack: err.stack?.split('\n').slice(0, 8) } });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** The parts of job.json a worker reads (read-only: job.json is server-owned). */
function readRecord(jobDir: string): { id?: string; attempt?: number; inputDigest?: string } | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(jobFile(jobDir, 'record'), 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, never>) : undefined;
  } catch {
    return undefined; // run by hand on a bare folder, or a torn record: validate input ourselves
  }
}

function hasOutputs(jobDir: string): boolean {
  return existsSync(jobFile(jobDir, 'results')) || existsSync(jobFile(jobDir, 'error'));
}

function clearOutputs(jobDir: string): void {
  for (const name of ['results', 'error', 'progress'] as const) rmSync(jobFile(jobDir, name), { force: true });
}
