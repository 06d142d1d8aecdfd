/**
 * How `run` and `watch` report a job's end, and the exit code it maps to:
 * 0 completed, 1 failed or cancelled.
 */
import { JobsError } from '../errors.js';
import type { JobStore } from '../store/job-store.js';
import { parseJsonText } from '../store/safe-read.js';
import { jobFile } from '../store/paths.js';
import type { JobStatusView } from '../types.js';
import { formatDuration } from './duration.js';
import { EXIT } from './exit-codes.js';
import { runTime, statusText } from './format.js';
import { paint, print, printError } from './output.js';

/** Results up to this size are printed by `run`; larger ones are pointed at. */
export const PRINT_RESULT_MAX = 2 * 1024;

export function exitCodeOf(view: JobStatusView): number {
  return view.status === 'completed' ? EXIT.ok : EXIT.jobFailed;
}

/** The one-line summary: `completed in 1.2s (job <id>)`, or the failure on stderr. */
export function printSummary(view: JobStatusView): void {
  const ran = runTime(view);
  const took = ran === undefined ? '' : ` in ${formatDuration(ran)}`;
  if (view.status === 'completed') print(`${paint('green', '✔')} ${statusText('completed')}${took} ${paint('dim', `(job ${view.id})`)}`);
  else if (view.status === 'cancelled') printError(`job ${view.id} was cancelled${took}`);
  else if (view.status === 'failed') {
    const error = view.error;
    printError(`job ${view.id} failed${error ? ` (${error.kind}): ${error.message}` : ''}; see \`mcp-jobs logs ${view.id} --stderr\``);
  }
}

export interface ResultReport {
  /** The result, when small enough to print (or always, for --json). */
  result?: unknown;
  resultsPath: string;
  bytes: number;
}

/** Reads the result of a completed job: the value, and where it lives. */
export async function readResult(store: JobStore, id: string): Promise<ResultReport> {
  const resultsPath = jobFile(store.dir(id), 'results');
  const text = await store.readResultsText(id);
  const parsed = parseJsonText(text, 'results.json');
  if (!parsed.ok) throw new JobsError('storage', `job ${id}: ${parsed.message}`);
  return { result: parsed.value, resultsPath, bytes: Buffer.byteLength(text) };
}

/** Prints a completed job's result for people: the JSON when small, else where it is. */
export function printResultForPeople(report: ResultReport, id: string): void {
  const pretty = JSON.stringify(report.result, null, 2);
  if (Buffer.byteLength(pretty) <= PRINT_RESULT_MAX) {
    print(pretty);
    return;
  }
  print(`result: ${(report.bytes / 1024).toFixed(1)} KiB in ${report.resultsPath}`);
  print(`        print it with \`mcp-jobs result ${id}\``);
}
