/**
 * Jobs in words: the status block of `mcp-jobs status`, coloured status
 * names, durations, and the JSON shape `--json` prints for a job.
 */
import type { JobStatus } from '../types.js';
import { ago, formatDuration } from './duration.js';
import { effectiveError, effectiveStatus, type JobView } from './job-view.js';
import { paint, type Colour } from './output.js';
import { percentText } from './progress-bar.js';

const STATUS_COLOUR: Record<JobStatus, Colour> = { queued: 'blue', running: 'cyan', completed: 'green', failed: 'red', cancelled: 'yellow' };

export function statusText(status: JobStatus): string {
  return paint(STATUS_COLOUR[status], status);
}

/** How long the job ran (or has been running). */
export function runTime(view: JobView, now = Date.now()): number | undefined {
  if (!view.startedAt) return undefined;
  const end = view.finishedAt ? Date.parse(view.finishedAt) : effectiveStatus(view) === 'running' ? now : NaN;
  const ms = end - Date.parse(view.startedAt);
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}

/** Progress for a table cell: `40%`, `100%` when completed, `-` without progress. */
export function progressCell(view: JobView): string {
  if (effectiveStatus(view) === 'completed') return '100%';
  return percentText(view.progress);
}

/** The `status` command's block: aligned `label  value` lines. */
export function statusBlock(view: JobView, jobDir: string): string {
  const status = effectiveStatus(view);
  const lines: [string, string][] = [];
  const add = (label: string, value: string | undefined) => value !== undefined && lines.push([label, value]);
  add('id', view.id);
  add('type', view.type);
  const attempt = view.maxAttempts > 1 ? ` (attempt ${view.attempt} of ${view.maxAttempts})` : '';
  add('status', `${statusText(status)}${attempt}${view.unsettled ? paint('dim', ` (ended; ${view.unsettled.note})`) : ''}`);
  if (view.progress) add('progress', `${percentText(view.progress)} ${view.progress.message ?? `${view.progress.current}/${view.progress.total}`}`);
  add('created', `${view.createdAt} (${ago(view.createdAt)} ago)`);
  add('started', view.startedAt);
  add('finished', view.finishedAt);
  const ran = runTime(view);
  add('duration', ran === undefined ? undefined : formatDuration(ran));
  if (view.priority) add('priority', String(view.priority));
  add('timeout', view.timeoutMs ? formatDuration(view.timeoutMs) : 'none');
  if (view.pid) add('pid', `${view.pid}${view.exitCode !== undefined ? `, exit code ${view.exitCode}${view.signal ? ` (${view.signal})` : ''}` : ''}`);
  const error = effectiveError(view);
  if (error && status !== 'completed') add('error', `${paint('red', error.kind)}: ${error.message}`);
  if (view.stopRequested) add('stop', `${view.stopRequested.reason} requested at ${view.stopRequested.at}`);
  for (const past of view.history ?? []) add(`attempt ${past.attempt}`, `${past.error.kind}: ${past.error.message}`);
  if (view.patch) {
    const target = view.patch.kind === 'declarative' ? `${view.patch.patch.field} (${view.patch.patch.mode})` : `${view.patch.field} (handler ${view.patch.name})`;
    add('patch', `state/${target}: ${view.patchState}${view.patchError ? ` - ${view.patchError}` : ''}`);
  }
  add('folder', jobDir);
  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, value]) => `${paint('bold', label.padEnd(width))}  ${value}`).join('\n');
}

/** The JSON `--json` prints for a job: the record, its progress, and an unrecorded end if any. */
export function jobJson(view: JobView, jobDir: string): Record<string, unknown> {
  const { unsettled, ...record } = view;
  return {
    ...record,
    status: effectiveStatus(view),
    ...(unsettled ? { recordedStatus: view.status, unsettled } : {}),
    ...(view.unsettled?.error ? { error: view.unsettled.error } : {}),
    dir: jobDir,
  };
}
