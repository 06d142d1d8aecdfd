/**
 * Doctor: the job folders. Reads every job once and checks
 * - job.json is readable (torn or invalid records),
 * - the worker's files are readable (results.json, error.json, progress.json),
 * - running jobs have a live worker (pid + start time), or ended unrecorded,
 * - completed jobs had their state patch applied,
 * - the `.active` index lists every job that still needs attention.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isJobId } from '../../ids.js';
import { elapsedMs, systemClock } from '../../runner/clock.js';
import { decideOutcome } from '../../runner/outcome.js';
import { isProcessAlive } from '../../runner/proc.js';
import { readJsonFile } from '../../store/atomic.js';
import { needsAttention, type JobStore } from '../../store/job-store.js';
import { ACTIVE_DIR, jobFile } from '../../store/paths.js';
import { progressSchema } from '../../store/schemas.js';
import { isTerminal, type JobRecord } from '../../types.js';
import { formatDuration } from '../duration.js';
import { finding, type DoctorContext, type Finding, type ScannedJob } from './findings.js';

/** A claimed job without a pid after this long was never launched (as the supervisor decides). */
const LAUNCH_GRACE_MS = 10_000;

export async function scanJobs(store: JobStore): Promise<ScannedJob[]> {
  const ids = await store.listIds().catch(() => [] as string[]);
  const jobs: ScannedJob[] = [];
  for (const id of ids) {
    const read = await store.read(id);
    if (read.ok) jobs.push({ id, dir: store.dir(id), record: read.value });
    else if (read.reason !== 'missing') jobs.push({ id, dir: store.dir(id), problem: read.message });
  }
  return jobs;
}

const reconcile = { fix: 'a manager settles it: start the server, or run doctor --fix (a reconcile pass)', repair: { kind: 'reconcile' } as const };

async function checkWorker(job: ScannedJob, record: JobRecord, store: JobStore, now: number): Promise<Finding | undefined> {
  if (record.status !== 'running') return undefined;
  const files = await store.readOutcome(job.id);
  if (!record.pid) {
    const since = now - Date.parse(record.startedAt ?? record.createdAt);
    if (since < LAUNCH_GRACE_MS) return undefined;
    return finding('workers', 'problem', `job ${job.id} was claimed ${formatDuration(since)} ago but no worker pid was recorded (a manager stopped while launching)`, reconcile);
  }
  const alive = isProcessAlive(record.pid, record.pidStartTime);
  const decision = decideOutcome(record, { files, gone: !alive });
  if (alive && !decision) {
    // The rule the supervisor enforces: elapsed on the attempt's monotonic clock (runner/clock.ts).
    const over = record.timeoutMs > 0 ? elapsedMs(record, { now: () => now, monotonic: systemClock.monotonic }) - record.timeoutMs : -1;
    if (over > 0) return finding('workers', 'warn', `job ${job.id} (pid ${record.pid}) runs ${formatDuration(over)} past its timeout`, { fix: 'a server enforces the timeouts of jobs it did not start (CLI commands only their own): is the server running? or cancel it: mcp-jobs cancel <id>' });
    return undefined;
  }
  if (!decision) return undefined;
  if (alive) return finding('workers', 'warn', `job ${job.id} wrote its result but is not recorded as ${decision.status} yet`, reconcile);
  if (decision.status === 'failed' && decision.error.kind === 'lost') {
    return finding('workers', 'problem', `job ${job.id}: its worker (pid ${record.pid}) is gone without a result; it will be recorded failed (lost)`, reconcile);
  }
  return finding('workers', 'warn', `job ${job.id}: its worker is gone; it ended ${decision.status} but no manager has recorded it`, reconcile);
}

async function checkFiles(job: ScannedJob, record: JobRecord): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const name of ['results', 'error'] as const) {
    const read = await readJsonFile(jobFile(job.dir, name));
    if (!read.ok && read.reason !== 'missing') {
      const level = record.status === 'completed' && name === 'results' ? 'problem' : 'warn';
      found.push(finding('files', level, `job ${job.id}: ${read.message}`, { fix: name === 'results' && record.status === 'completed' ? 'the result is damaged; run the job again' : 'a wrapper must write its files atomically (docs/protocol.md)' }));
    }
  }
  const progress = await readJsonFile(jobFile(job.dir, 'progress'), progressSchema);
  if (!progress.ok && progress.reason !== 'missing') found.push(finding('files', 'warn', `job ${job.id}: ${progress.message}`, { fix: 'a wrapper must write progress.json atomically (docs/protocol.md)' }));
  if (await stat(`${jobFile(job.dir, 'record')}.corrupt`).then(() => true, () => false)) {
    found.push(finding('files', 'warn', `job ${job.id}: a damaged job.json was kept aside as job.json.corrupt`, { fix: 'inspect it, then delete it' }));
  }
  return found;
}

function checkPatch(job: ScannedJob, record: JobRecord): Finding | undefined {
  if (!record.patch) return undefined;
  const field = record.patch.kind === 'declarative' ? record.patch.patch.field : record.patch.field;
  if (record.patchState === 'error') {
    return finding('patches', 'problem', `job ${job.id}: its state patch to \`${field}\` failed: ${record.patchError ?? 'no reason recorded'}`, {
      fix: `fix the cause; the result is in ${jobFile(job.dir, 'results')}; a failed patch is not retried (re-run the job, or set state/${field}.json by hand)`,
    });
  }
  if (record.patchState !== 'pending' || !isTerminal(record.status)) return undefined;
  if (record.patch.kind === 'named') {
    return finding('patches', 'problem', `job ${job.id}: its state patch to \`${field}\` (handler \`${record.patch.name}\`) was not applied`, {
      fix: 'start the server that registers this handler; it applies the patch at startup (the CLI does not know handlers registered in code)',
    });
  }
  return finding('patches', 'problem', `job ${job.id} is ${record.status} but its state patch to \`${field}\` was not applied`, reconcile);
}

async function checkIndex(ctx: DoctorContext): Promise<Finding[]> {
  const root = ctx.manager.store.root;
  const markers = await readdir(join(root, ACTIVE_DIR)).catch(() => undefined);
  if (!markers) return []; // reported by the folder check
  const indexed = new Set(markers.filter(isJobId));
  const found: Finding[] = [];
  const folders = new Set(ctx.jobs.map((job) => job.id));
  for (const job of ctx.jobs) {
    const wanted = !job.record || needsAttention(job.record);
    if (wanted && !indexed.has(job.id)) {
      found.push(finding('index', 'problem', `job ${job.id} (${job.record?.status ?? 'unreadable'}) is missing from the .active index: no manager looks at it after a restart`, { fix: 'rebuild the index (doctor --fix)', repair: { kind: 'rebuild-index' } }));
    }
  }
  const orphans = [...indexed].filter((id) => !folders.has(id));
  if (orphans.length) found.push(finding('index', 'warn', `${orphans.length} index entr${orphans.length === 1 ? 'y has' : 'ies have'} no job folder (${orphans.slice(0, 3).join(', ')}${orphans.length > 3 ? ', ...' : ''})`, { fix: 'harmless; the next scan drops them (or doctor --fix rebuilds the index)', repair: { kind: 'rebuild-index' } }));
  return found;
}

export async function checkJobs(ctx: DoctorContext): Promise<Finding[]> {
  const { store } = ctx.manager;
  const found: Finding[] = [];
  const counts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const job of ctx.jobs) {
    if (!job.record) {
      found.push(finding('files', 'problem', `job ${job.id}: ${job.problem}`, { fix: 'doctor --fix keeps it aside as job.json.corrupt and records what its other files show', repair: { kind: 'mark-active', id: job.id } }));
      continue;
    }
    counts[job.record.status] += 1;
    const worker = await checkWorker(job, job.record, store, ctx.now);
    if (worker) found.push(worker);
    const patch = checkPatch(job, job.record);
    if (patch) found.push(patch);
    found.push(...(await checkFiles(job, job.record)));
  }
  found.push(...(await checkIndex(ctx)));
  const summary = Object.entries(counts).filter(([, n]) => n).map(([status, n]) => `${n} ${status}`).join(', ');
  found.unshift(finding('jobs', 'ok', `${ctx.jobs.length} job folder${ctx.jobs.length === 1 ? '' : 's'}${summary ? `: ${summary}` : ''}`));
  const stuck = ctx.jobs.filter((job) => job.record?.status === 'queued' && ctx.now - Date.parse(job.record.createdAt) > 60_000);
  if (stuck.length && counts.running === 0) {
    found.push(finding('jobs', 'warn', `${stuck.length} job${stuck.length === 1 ? ' has' : 's have'} been queued over a minute and nothing runs: is a manager running?`, { fix: 'start the server (mcp-jobs serve), or `mcp-jobs watch <id>`, which dispatches while it watches' }));
  }
  return found;
}

