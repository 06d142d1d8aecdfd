/**
 * Progress as text: the live bar for terminals
 *
 *     [██████████░░░░░░░░░░]  50%  step 5/10  1.2s  ETA 1.2s
 *
 * and the plain line for logs and pipes (`50% step 5/10 (elapsed 1.2s, ETA 1.2s)`).
 * Pure functions: the caller decides when and where to print.
 */
import type { JobProgress } from '../types.js';
import { formatDuration } from './duration.js';
import { paint, visibleLength } from './output.js';

export interface ProgressSnapshot {
  progress?: JobProgress | undefined;
  /** When the job (its current attempt) started running. */
  startedAt?: string | undefined;
  now?: number;
}

/** The fraction done, 0..1, or undefined when there is no usable progress. */
export function fraction(progress: JobProgress | undefined): number | undefined {
  if (!progress || !(progress.total > 0)) return undefined;
  return Math.min(1, Math.max(0, progress.current / progress.total));
}

/** Elapsed ms since the start. */
export function elapsedMs(snapshot: ProgressSnapshot): number | undefined {
  const started = snapshot.startedAt ? Date.parse(snapshot.startedAt) : NaN;
  return Number.isNaN(started) ? undefined : Math.max(0, (snapshot.now ?? Date.now()) - started);
}

/**
 * Estimated ms left, from the rate up to the last progress report (not up to
 * now: a slow step in progress should not make the estimate jump around).
 */
export function etaMs(snapshot: ProgressSnapshot): number | undefined {
  const f = fraction(snapshot.progress);
  const started = snapshot.startedAt ? Date.parse(snapshot.startedAt) : NaN;
  if (f === undefined || f <= 0 || Number.isNaN(started)) return undefined;
  if (f >= 1) return 0;
  const reportedAt = Date.parse(snapshot.progress!.updatedAt);
  const spent = (Number.isNaN(reportedAt) ? (snapshot.now ?? Date.now()) : reportedAt) - started;
  if (spent <= 0) return undefined;
  const total = spent / f;
  const sinceReport = Number.isNaN(reportedAt) ? 0 : (snapshot.now ?? Date.now()) - reportedAt;
  return Math.max(0, total - spent - sinceReport);
}

/** `50%`, or `-` without progress. */
export function percentText(progress: JobProgress | undefined): string {
  const f = fraction(progress);
  return f === undefined ? '-' : `${Math.floor(f * 100)}%`;
}

function timing(snapshot: ProgressSnapshot): string[] {
  const parts: string[] = [];
  const elapsed = elapsedMs(snapshot);
  if (elapsed !== undefined) parts.push(formatDuration(elapsed));
  const eta = etaMs(snapshot);
  if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
  return parts;
}

/** The live bar, fitted into `width` columns. */
export function renderBar(snapshot: ProgressSnapshot, width: number): string {
  const f = fraction(snapshot.progress);
  const barWidth = Math.max(10, Math.min(30, width - 40));
  const filled = f === undefined ? 0 : Math.round(f * barWidth);
  const bar = paint('cyan', '█'.repeat(filled)) + paint('gray', '░'.repeat(barWidth - filled));
  const head = `[${bar}] ${percentText(snapshot.progress).padStart(4)}`;
  const tail = timing(snapshot).map((part) => paint('dim', part)).join('  ');
  const room = width - visibleLength(head) - visibleLength(tail) - 5;
  let message = snapshot.progress?.message ?? (snapshot.progress ? `${snapshot.progress.current}/${snapshot.progress.total}` : 'starting');
  if (message.length > room) message = room > 1 ? `${message.slice(0, room - 1)}…` : '';
  return [head, message, tail].filter(Boolean).join('  ');
}

/** The plain line: `50% step 5/10 (elapsed 1.2s, ETA 1.2s)`. */
export function plainLine(snapshot: ProgressSnapshot): string {
  const p = snapshot.progress;
  const what = p ? `${percentText(p)} ${p.message ?? `${p.current}/${p.total}`}` : 'started';
  const elapsed = elapsedMs(snapshot);
  const eta = etaMs(snapshot);
  const extra = [elapsed === undefined ? '' : `elapsed ${formatDuration(elapsed)}`, eta === undefined ? '' : `ETA ${formatDuration(eta)}`].filter(Boolean);
  return extra.length ? `${what} (${extra.join(', ')})` : what;
}
