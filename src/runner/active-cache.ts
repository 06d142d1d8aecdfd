/**
 * The dispatcher's view of the active records (`.active/` index), kept in
 * memory so that a dispatch pass does not reread and re-validate every
 * active job.json. Each pass lists the index (new ids are read, removed ones
 * dropped) and revalidates a cached record by the identity of its job.json
 * (device, inode, size, mtime and ctime in nanoseconds: every write of
 * job.json is the rename of a new file, so any process's rewrite changes it).
 *
 * Queued records are not even `stat`ed on every pass: a queued record only
 * ever changes by being claimed (by a dispatcher, under the dispatch lock:
 * each claiming pass touches `jobs/.claims`, see `noteClaims`) or cancelled
 * (its claim is then refused by `store.update`, and `invalidate` drops it).
 * When `.claims` changed since this view's last pass (another manager
 * claimed), every cached record is revalidated. So a pass with nothing
 * changed costs one readdir, one stat of `.claims` and one stat per running
 * or settling job, not one read per queued one.
 *
 * A stale view can never launch a job twice: a claim goes through
 * `store.update`, which rereads job.json under its lock and claims only a
 * record that is `queued` there. A job.json that is not a regular file (a
 * directory, a FIFO) is skipped without being opened; a missing, torn or
 * invalid one is left to the reconciler, as before.
 */
import { stat } from 'node:fs/promises';
import { statSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { jobFile } from '../store/paths.js';
import type { JobStore } from '../store/job-store.js';
import type { JobRecord } from '../types.js';

interface Entry {
  key: string;
  record: JobRecord;
}

export interface ActiveCacheStats {
  passes: number;
  /** job.json files read and parsed (changed or new since the previous pass). */
  reads: number;
  /** Records served from memory (job.json unchanged, or queued with no claim anywhere since). */
  hits: number;
  /** Passes that revalidated every record because another manager claimed jobs. */
  full: number;
}

/** Touched by every dispatch pass that claims jobs (under the dispatch lock). */
export const CLAIMS_FILE = '.claims';

/** How many `stat` calls are in flight at once (the thread pool has 4 threads by default). */
const PARALLEL = 32;

const identity = (s: BigIntStats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

export class ActiveRecordsCache {
  private readonly entries = new Map<string, Entry>();
  readonly stats: ActiveCacheStats = { passes: 0, reads: 0, hits: 0, full: 0 };
  /** Identity of `.claims` as of this view's last pass ('' = never looked). */
  private claims = '';

  constructor(private readonly store: JobStore) {}

  private get claimsPath(): string {
    return join(this.store.root, CLAIMS_FILE);
  }

  /** The readable records of the index, in index order; equal to `store.activeRecords()`. */
  async records(): Promise<JobRecord[]> {
    this.stats.passes += 1;
    // Stryker disable next-line ArrowFunction: equivalent, any constant but '' (never looked) marks a missing `.claims`.
    const claims = await stat(this.claimsPath, { bigint: true }).then(identity, () => 'none');
    const full = claims !== this.claims;
    if (full) this.stats.full += 1;
    this.claims = claims;
    const ids = await this.store.activeIds();
    const listed = new Set(ids);
    for (const id of this.entries.keys()) if (!listed.has(id)) this.entries.delete(id);
    const found: (JobRecord | undefined)[] = new Array(ids.length);
    for (let start = 0; start < ids.length; start += PARALLEL) {
      const chunk = ids.slice(start, start + PARALLEL);
      const records = await Promise.all(chunk.map((id) => this.one(id, full)));
      records.forEach((record, i) => (found[start + i] = record));
    }
    return found.filter((r): r is JobRecord => r !== undefined);
  }

  /** Forgets one job (e.g. its claim was refused: it is no longer queued); the next pass reads it again. */
  invalidate(id: string): void {
    this.entries.delete(id);
  }

  /**
   * Called under the dispatch lock after this process claimed `ids`: tells
   * every other manager's view (by touching `.claims`) that queued records
   * changed, and forgets the claimed ones here.
   */
  noteClaims(ids: string[]): void {
    for (const id of ids) this.entries.delete(id);
    writeFileSync(this.claimsPath, `${process.pid} ${Date.now()}\n`);
    // Our own touch is no news to us. Exact: since this pass looked at `.claims`, we hold the
    // dispatch lock, so no other manager can have claimed (and touched it) in between.
    this.claims = identity(statSync(this.claimsPath, { bigint: true }));
  }

  private async one(id: string, full: boolean): Promise<JobRecord | undefined> {
    const cached = this.entries.get(id);
    if (cached && !full && cached.record.status === 'queued') {
      this.stats.hits += 1;
      return cached.record;
    }
    let info: BigIntStats;
    try {
      info = await stat(jobFile(this.store.dir(id), 'record'), { bigint: true });
    } catch {
      this.entries.delete(id);
      return undefined;
    }
    if (!info.isFile()) {
      this.entries.delete(id);
      return undefined;
    }
    // The identity is taken before the read: if job.json changes in between, the
    // next pass sees a new identity and reads it again (never the other way round).
    const key = identity(info);
    if (cached?.key === key) {
      this.stats.hits += 1;
      return cached.record;
    }
    this.stats.reads += 1;
    const read = await this.store.read(id);
    if (!read.ok) {
      this.entries.delete(id);
      return undefined;
    }
    this.entries.set(id, { key, record: read.value });
    return read.value;
  }
}
