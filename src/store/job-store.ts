/**
 * JobStore: every file operation on a jobs folder. Job folders are created
 * whole (staged, then renamed into place), job.json is rewritten atomically
 * under a lock, and `.active/` indexes the jobs that still need attention, so
 * startup reads those and not the thousands that are long finished.
 */
import { readdir, rm, stat, writeFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { fsyncDir, fsyncFd, writeJsonAtomic } from './atomic.js';
import { readJsonFile, readRegularText, type Parser, type ReadFailure, type ReadLimit, type ReadResult } from './safe-read.js';
import { withFileLock } from './locks.js';
import { ensureDir } from './ensure-dir.js';
import { ACTIVE_DIR, DISPATCH_LOCK, JOB_FILES, STAGING_DIR, jobFile } from './paths.js';
import { jobRecordSchema, progressSchema, workerErrorSchema } from './schemas.js';
import { assertJobId, isJobId } from '../ids.js';
import { JobsError } from '../errors.js';
import { ownerIsDead, parseOwner, thisProcess } from '../worker/lock-owner.js';
import type { JobProgress, JobRecord } from '../types.js';

/** A job of the index whose job.json cannot be read: isolated and reported, never fatal. */
export interface DamagedJob {
  id: string;
  problem: string;
}

export type WorkerErrorFile = { message: string; kind?: string | undefined; details?: unknown };

/** What the worker left behind: the truth about how an attempt ended. */
export interface OutcomeFiles {
  results: ReadResult<unknown>;
  error: ReadResult<WorkerErrorFile>;
}

const closeAll = (fds: number[]) => fds.forEach((fd) => closeSync(fd));

/** Present in `.active/` while the index is being rebuilt. */
const REBUILDING = '.rebuilding';

/** A staging folder untouched this long belongs to a submit that crashed. */
export const STAGING_ABANDONED_MS = 60_000;

/** Size limits of the files the server reads from a job folder (see `maxResultsFileBytes`, `maxWorkerFileBytes`). */
export interface FileLimits {
  /** results.json. */
  resultsBytes: number;
  /** error.json and progress.json. */
  workerFileBytes: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = { resultsBytes: 64 * 1024 * 1024, workerFileBytes: 1024 * 1024 };

/** job.json is the server's own file; a limit guards against one replaced by something huge. */
const RECORD_LIMIT: ReadLimit = { maxBytes: 16 * 1024 * 1024 };

export class JobStore {
  readonly root: string;
  readonly limits: FileLimits;
  private readonly resultsLimit: ReadLimit;
  private readonly workerFileLimit: ReadLimit;

  constructor(root: string, limits: Partial<FileLimits> = {}) {
    this.root = resolve(root);
    this.limits = { ...DEFAULT_FILE_LIMITS, ...limits };
    this.resultsLimit = { maxBytes: this.limits.resultsBytes, option: 'maxResultsFileBytes' };
    this.workerFileLimit = { maxBytes: this.limits.workerFileBytes, option: 'maxWorkerFileBytes' };
  }

  /** Creates the folder layout; removes staging leftovers of crashed submits (old ones only). */
  async init(): Promise<{ indexRebuilt: boolean }> {
    await ensureDir(join(this.root, STAGING_DIR), 0o700);
    await this.removeStagingLeftovers();
    const exists = (path: string) => stat(path).then(() => true, () => false);
    const needed = !(await exists(join(this.root, ACTIVE_DIR))) || (await exists(join(this.root, ACTIVE_DIR, REBUILDING)));
    if (needed) await this.rebuildIndex();
    return { indexRebuilt: needed };
  }

  /**
   * Removes folders a crashed submit left in staging. Only old ones: another
   * process may be submitting into staging right now (a submit takes ms).
   */
  async removeStagingLeftovers(olderThanMs = STAGING_ABANDONED_MS): Promise<string[]> {
    const staging = join(this.root, STAGING_DIR);
    const removed: string[] = [];
    for (const name of await readdir(staging).catch(() => [] as string[])) {
      const info = await stat(join(staging, name)).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > olderThanMs) {
        await rm(join(staging, name), { recursive: true, force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  /** The folder of job `id`; throws `invalid_id` before any path is built from a bad id. */
  dir(id: string): string {
    return join(this.root, assertJobId(id));
  }

  get dispatchLockPath(): string {
    return join(this.root, DISPATCH_LOCK);
  }

  /**
   * Creates `jobs/<id>/` with input.json and job.json, durably: both files are
   * written and fsynced in a staging folder (in parallel with the index marker),
   * then the folder is renamed into place and the parent fsynced. A crash leaves
   * either no job or a whole one.
   */
  async create(record: JobRecord, inputText: string): Promise<void> {
    const staging = join(this.root, STAGING_DIR, assertJobId(record.id));
    const marker = join(this.root, ACTIVE_DIR, record.id);
    // Non-waiting calls are synchronous (µs each; a thread-pool round trip costs more);
    // the fsyncs, which wait for the disk, run in parallel off the main thread.
    const fds: number[] = [];
    let markerCreated = false;
    try {
      mkdirSync(staging, { mode: 0o700 });
      // 'wx' everywhere: an id that exists already (as a job or a marker) is refused, never overwritten.
      const markerFd = openSync(marker, 'wx', 0o600);
      fds.push(markerFd);
      markerCreated = true;
      // Who is submitting: a scan that finds this marker with the folder still in staging
      // can tell a submit in flight (keep it) from one whose process died (drop it).
      writeFileSync(markerFd, submitterText());
      const input = openSync(join(staging, 'input.json'), 'wx', 0o600);
      fds.push(input);
      writeFileSync(input, inputText);
      const job = openSync(join(staging, 'job.json'), 'wx', 0o600);
      fds.push(job);
      writeFileSync(job, serializeRecord(record));
      const dirs = [openSync(staging, 'r'), openSync(join(this.root, ACTIVE_DIR), 'r')];
      fds.push(...dirs);
      await Promise.all([input, job, ...dirs].map(fsyncFd));
      closeAll(fds.splice(0));
      renameSync(staging, join(this.root, record.id));
    } catch (error) {
      closeAll(fds);
      rmSync(staging, { recursive: true, force: true });
      if (markerCreated) rmSync(marker, { force: true });
      throw new JobsError('storage', `could not create job folder for ${record.id}: ${(error as Error).message}`, { cause: error });
    }
    const root = openSync(this.root, 'r');
    try {
      await fsyncFd(root);
    } finally {
      closeSync(root);
    }
  }

  /** A job.json (of any kind) is in a real folder of this job. */
  async exists(id: string): Promise<boolean> {
    if (this.folderProblem(id)) return false;
    try {
      lstatSync(jobFile(this.dir(id), 'record'));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Why the folder of job `id` must not be used: it is a symbolic link (or
   * not a directory). Nothing is read or written through such a folder: a link
   * would lead out of the jobs folder. Undefined: a real folder, or none.
   */
  folderProblem(id: string): ReadFailure | undefined {
    const info = lstatSync(this.dir(id), { throwIfNoEntry: false });
    if (!info) return undefined;
    if (info.isSymbolicLink()) return { ok: false, reason: 'unsafe', message: `the job folder ${id} is a symbolic link; the server does not follow it` };
    if (!info.isDirectory()) return { ok: false, reason: 'unsafe', message: `the job folder ${id} is not a directory` };
    return undefined;
  }

  /** Throws `storage` before a write into a folder that is a link or not a folder. */
  private assertFolder(id: string): void {
    const problem = this.folderProblem(id);
    if (problem) throw new JobsError('storage', `job ${id}: ${problem.message}; nothing written`);
  }

  /** Reads a JSON file of the job's folder safely (see safe-read.ts); never through a linked folder. */
  private async readFile<T>(id: string, name: 'record' | 'progress' | 'results' | 'error', limit: ReadLimit, parser?: Parser<T>): Promise<ReadResult<T>> {
    const problem = this.folderProblem(id);
    if (problem) return problem;
    return readJsonFile(jobFile(this.dir(id), name), parser, limit);
  }

  /** Reads and checks job.json; a missing, unsafe (link, FIFO, folder), oversized, torn or invalid record is a typed failure. */
  async read(id: string): Promise<ReadResult<JobRecord>> {
    return this.readFile(id, 'record', RECORD_LIMIT, jobRecordSchema);
  }

  /** Reads job.json or throws `not_found` (missing) / `storage` (torn or invalid). */
  async get(id: string): Promise<JobRecord> {
    const read = await this.read(id);
    if (read.ok) return read.value;
    if (read.reason === 'missing') throw new JobsError('not_found', `No job with id \`${id}\``);
    throw new JobsError('storage', `job ${id}: ${read.message}`);
  }

  /**
   * Rewrites job.json under its lock. `mutate` gets the current record and
   * returns the next one, or `undefined` to leave it as it is.
   */
  async update(id: string, mutate: (current: JobRecord) => JobRecord | undefined): Promise<{ record: JobRecord; changed: boolean }> {
    const dir = this.dir(id);
    this.assertFolder(id); // the folder is real: only job.json itself is left to look for
    if (!lstatSync(jobFile(dir, 'record'), { throwIfNoEntry: false })) throw new JobsError('not_found', `No job with id \`${id}\``);
    return withFileLock(jobFile(dir, 'recordLock'), async () => {
      const current = await this.get(id);
      const next = mutate(current);
      if (!next) return { record: current, changed: false };
      this.assertFolder(id);
      await writeJsonAtomic(jobFile(dir, 'record'), next);
      return { record: next, changed: true };
    });
  }

  /** Rewrites a record that cannot be read (torn job.json): used by recovery only. */
  async overwrite(record: JobRecord): Promise<void> {
    const dir = this.dir(record.id);
    this.assertFolder(record.id);
    await withFileLock(jobFile(dir, 'recordLock'), () => writeJsonAtomic(jobFile(dir, 'record'), record));
  }

  /**
   * Creates `attempts/<n>/` of job `id` (where a retry moves the failed
   * attempt's files) as real folders: a link or file a worker left in their
   * place is removed first (the link itself, never its target).
   */
  attemptDir(id: string, attempt: number): string {
    this.assertFolder(id);
    let path = this.dir(id);
    for (const name of [JOB_FILES.attempts, String(attempt)]) {
      path = join(path, name);
      const info = lstatSync(path, { throwIfNoEntry: false });
      if (info?.isDirectory()) continue;
      if (info) unlinkSync(path);
      mkdirSync(path, { mode: 0o700 });
    }
    return path;
  }

  /** The job's progress, sanitized; undefined when there is none or it is unusable. Never throws: a bad progress file never fails a status call. */
  async readProgress(id: string): Promise<JobProgress | undefined> {
    try {
      const read = await this.readFile(id, 'progress', this.workerFileLimit, progressSchema);
      return read.ok ? read.value : undefined;
    } catch {
      return undefined;
    }
  }

  /** results.json alone (what a state patch needs), at most `maxResultsFileBytes`. */
  async readResults(id: string): Promise<ReadResult<unknown>> {
    return this.readFile(id, 'results', this.resultsLimit);
  }

  async readOutcome(id: string): Promise<OutcomeFiles> {
    const [results, error] = await Promise.all([this.readResults(id), this.readFile(id, 'error', this.workerFileLimit, workerErrorSchema)]);
    return { results, error };
  }

  /** The raw text of results.json (at most `maxResultsFileBytes`); throws `storage` when it cannot be read safely. */
  async readResultsText(id: string): Promise<string> {
    const problem = this.folderProblem(id);
    const read = problem ?? readRegularText(jobFile(this.dir(id), 'results'), this.resultsLimit);
    if (!read.ok) throw new JobsError('storage', `job ${id}: ${read.message}`);
    return read.text;
  }

  /** All job ids in the folder, newest first (ids sort by creation time). */
  async listIds(): Promise<string[]> {
    const names = await readdir(this.root);
    return names.filter(isJobId).sort().reverse();
  }

  // ---- the index of jobs that still need attention -------------------------

  /** The readable records of the index (unreadable ones are the reconciler's business). */
  async activeRecords(): Promise<JobRecord[]> {
    return (await this.activeScan()).records;
  }

  /**
   * The index read whole: the readable records, and the jobs whose job.json
   * cannot be read (damaged, or not a file), each with its problem. One damaged
   * job never stops the others from being seen (dispatch, list, health).
   */
  async activeScan(): Promise<{ records: JobRecord[]; damaged: DamagedJob[] }> {
    const records: JobRecord[] = [];
    const damaged: DamagedJob[] = [];
    for (const id of await this.activeIds()) {
      let read: ReadResult<JobRecord>;
      try {
        read = await this.read(id);
      } catch (error) {
        damaged.push({ id, problem: `job.json cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
        continue;
      }
      if (read.ok) records.push(read.value);
      else if (read.reason !== 'missing') damaged.push({ id, problem: read.message });
    }
    return { records, damaged };
  }

  async activeIds(): Promise<string[]> {
    try {
      // Stryker disable next-line MethodExpression: equivalent under Node (libuv's scandir returns names sorted); kept to state the order.
      return (await readdir(join(this.root, ACTIVE_DIR))).filter(isJobId).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async markActive(id: string): Promise<void> {
    // O_NOFOLLOW: a link planted in place of a marker is never written through.
    await writeFile(join(this.root, ACTIVE_DIR, assertJobId(id)), '', { mode: 0o600, flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });
  }

  /**
   * Drops a job from the index once it no longer needs attention, judged from
   * the folder now, not from what the caller believes: the one rule that keeps
   * every accepted job findable. The marker goes only when job.json shows a
   * terminal, settled job, or when there is no job at all and no submit is in
   * flight: a submit writes its marker before it renames its staged folder into
   * place, so a missing job.json with a staging folder is a job being born.
   * `seen`: the record as the caller just read or wrote it. A terminal, settled
   * record never changes again, so it needs no second look; anything else
   * (queued, running, pending, or no record) is judged from the folder.
   * Returns whether the marker was removed.
   */
  async unmarkActive(id: string, seen?: JobRecord): Promise<boolean> {
    assertJobId(id);
    const settled = seen !== undefined && seen.id === id && !needsAttention(seen);
    if (!settled && !(await this.settledOrGone(id))) return false;
    await unlink(join(this.root, ACTIVE_DIR, id)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    return true;
  }

  private async settledOrGone(id: string): Promise<boolean> {
    const read = await this.read(id);
    if (read.ok) return !needsAttention(read.value);
    if (read.reason !== 'missing') return false; // damaged: the reconciler's to recover, never silently dropped
    const staging = join(this.root, STAGING_DIR, id);
    const staged = await stat(staging).catch(() => undefined);
    if (staged) {
      // A submit in flight keeps its marker; one whose process died (or that is long
      // abandoned) never returned its id: its staging folder and marker go.
      const abandoned = Date.now() - staged.mtimeMs > STAGING_ABANDONED_MS || ownerIsDead(parseOwner(this.markerText(id)));
      if (!abandoned) return false;
      await rm(staging, { recursive: true, force: true });
    }
    // The staged folder may have been renamed into place between the two looks.
    const again = await this.read(id);
    return !again.ok && again.reason === 'missing';
  }

  /** The marker's content (the submitter, for markers written by a submit), read without following links. */
  private markerText(id: string): string {
    try {
      const read = readRegularText(join(this.root, ACTIVE_DIR, id), { maxBytes: 4096 });
      return read.ok ? read.text : '';
    } catch {
      return '';
    }
  }

  /**
   * Rebuilds `.active/` from the job folders (the index is lost, or a rebuild
   * was interrupted): every job that is not terminal, or whose patch is not
   * settled, or whose record cannot be read, gets its marker. Built in place
   * and only ever adding: markers that other processes create meanwhile (their
   * submits) are never dropped. A `.rebuilding` sentinel, removed last, makes an
   * interrupted rebuild run again at the next start. Extra markers are
   * harmless: the next scan drops those of settled jobs.
   */
  async rebuildIndex(): Promise<number> {
    const active = join(this.root, ACTIVE_DIR);
    await ensureDir(active, 0o700);
    await writeFile(join(active, REBUILDING), `${process.pid}\n`, { mode: 0o600 });
    await fsyncDir(active);
    let count = 0;
    for (const id of await this.listIds()) {
      const read = await this.read(id);
      if (!read.ok || needsAttention(read.value)) {
        writeFileSync(join(active, id), '', { mode: 0o600 });
        count += 1;
      }
    }
    await fsyncDir(active);
    await unlink(join(active, REBUILDING)).catch(() => {});
    await fsyncDir(active);
    return count;
  }

  /** Removes a job folder whole (retention). */
  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
    await this.unmarkActive(id);
  }

}

let submitter: string | undefined;
/** This process as a marker records it (pid, start time, host, boot, pid namespace): computed once. */
function submitterText(): string {
  return (submitter ??= `${JSON.stringify(thisProcess())}\n`);
}

/** True while a job is unfinished or its state patch is not settled. */
export function needsAttention(record: JobRecord): boolean {
  return record.status === 'queued' || record.status === 'running' || record.patchState === 'pending';
}

export function serializeRecord(record: JobRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
