/**
 * The wrapper runtime: what happens when a wrapper file is executed.
 *
 *   1. parse `--job-dir <dir>` (or print `--help` / `--describe`)
 *   2. take the worker lock on the folder (heartbeat; one worker per folder);
 *      only then, with `--force`, remove a previous run's outputs
 *   3. read input.json; validate it unless it matches the digest the server
 *      recorded after validating it at submit
 *   4. run, with progress and an AbortSignal wired to SIGTERM / SIGINT; the
 *      process stays alive until `run` settles, and an unhandled rejection or
 *      uncaught exception of the wrapper fails the attempt (see job-outcome.ts)
 *   5. write results.json or error.json atomically (job-outcome.ts); release
 *      the lock
 *
 * Exit codes: 0 completed, 1 failed (error.json written, unless even that
 * did not fit on the disk: then the reason is on stderr), 2 usage error or
 * refused (nothing written: bad arguments, no input.json, already finished,
 * another worker holds the folder).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve, basename } from 'node:path';
import { formatIssues } from '../store/atomic.js';
import { jobFile, WORKER_LOCK_STALE_MS, WORKER_LOCK_UPDATE_MS } from '../store/paths.js';
import { acquireWorkerLock, LockedError, type HeldLock } from './worker-lock.js';
import { ProgressWriter } from './progress-writer.js';
import { parseWorkerArgs, printUsage, printDescription } from './usage.js';
import { digestText } from './sha256.js';
import { EXIT, JobOutcome, describeError, guardRun, UnhandledInRun } from './job-outcome.js';
import type { Wrapper, WrapperContext } from './define-wrapper.js';

export { EXIT } from './job-outcome.js';

function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function runWrapper(wrapper: Wrapper, argv: string[]): Promise<number> {
  const name = wrapper.definition.name;
  const args = parseWorkerArgs(argv);
  if ('error' in args) {
    stderr(`${name}: ${args.error}\nRun with --help for usage.`);
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
    stderr(`${name}: cannot read ${jobFile(jobDir, 'input')}: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const finished = `${name}: ${jobDir} already holds results.json or error.json; pass --force to run it again`;
  if (!args.force && hasOutputs(jobDir)) {
    stderr(finished);
    return EXIT.usage;
  }

  // The lock first: a refused run (another worker holds the folder) changes nothing, also with --force.
  let lock: HeldLock;
  try {
    lock = acquireWorkerLock(jobFile(jobDir, 'workerLock'), WORKER_LOCK_STALE_MS, WORKER_LOCK_UPDATE_MS);
  } catch (error) {
    stderr(`${name}: ${error instanceof LockedError ? error.message : `cannot lock ${jobDir}: ${(error as Error).message}`}`);
    return EXIT.usage;
  }
  try {
    if (args.force) clearOutputs(jobDir);
    else if (hasOutputs(jobDir)) {
      // A worker finished it between our first look and our lock.
      stderr(finished);
      return EXIT.usage;
    }
    return await runLocked(wrapper, jobDir, inputText);
  } finally {
    lock.release();
  }
}

async function runLocked(wrapper: Wrapper, jobDir: string, inputText: string): Promise<number> {
  const record = readRecord(jobDir);
  const outcome = new JobOutcome(wrapper.definition.name, jobDir);

  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch (error) {
    return outcome.fail({ kind: 'invalid_input', message: `input.json is not valid JSON: ${(error as Error).message}` });
  }
  if (record?.inputDigest !== (await digestText(inputText))) {
    let parsed;
    try {
      parsed = (await wrapper.loadSchema()).safeParse(input);
    } catch (error) {
      // The wrapper's own `input` builder (or its schema) threw: its bug, reported like one in run.
      return outcome.fail({ kind: 'error', ...describeError(error, 'building or applying the input schema failed: ') });
    }
    if (!parsed.success) return outcome.fail({ kind: 'invalid_input', message: formatIssues(parsed.error.issues) });
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

  const guard = guardRun();
  try {
    const result = await Promise.race([Promise.resolve().then(() => wrapper.definition.run(input, ctx)), guard.crashed]);
    progress.flush();
    return outcome.complete(result);
  } catch (error) {
    progress.flush();
    if (abort.signal.aborted) return outcome.fail({ kind: 'cancelled', message: `stopped: ${describeError(abort.signal.reason).message}` });
    if (error instanceof UnhandledInRun) return outcome.fail({ kind: 'error', ...describeError(error.reason, `${error.message}: `) });
    return outcome.fail({ kind: 'error', ...describeError(error) });
  } finally {
    guard.stop();
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
