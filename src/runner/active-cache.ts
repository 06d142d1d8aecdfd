/**
 * The dispatcher's view of the active records (`.active/` index), kept in
 * memory so that a dispatch pass does not reread and re-validate every
 * active job.json: each pass lists the index and `stat`s each job.json, and
 * reads only those whose identity changed since the last pass (inode, size,
 * mtime and ctime in nanoseconds: every write of job.json is a rename of a
 * new file, so it gets a new inode and new times). Records of other
 * processes are seen as soon as their rename lands, exactly like a reread.
 *
 * A stale view can never launch a job twice: a claim goes through
 * `store.update`, which rereads job.json under its lock. A job.json that is
 * not a regular file (a directory, a FIFO) is skipped without being opened;
 * a missing, torn or invalid one is left to the reconciler, as before.
 */
import { stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
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
  /** Records served from memory (job.json unchanged). */
  hits: number;
}

/** How many `stat` calls are in flight at once (the thread pool has 4 threads by default). */
const PARALLEL = 32;

const identity = (s: BigIntStats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

export class ActiveRecordsCache {
  private readonly entries = new Map<string, Entry>();
  readonly stats: ActiveCacheStats = { passes: 0, reads: 0, hits: 0 };

  constructor(private readonly store: JobStore) {}

  /** The readable records of the index, in index order; equal to `store.activeRecords()`. */
  async records(): Promise<JobRecord[]> {
    this.stats.passes += 1;
    const ids = await this.store.activeIds();
    const listed = new Set(ids);
    for (const id of this.entries.keys()) if (!listed.has(id)) this.entries.delete(id);
    const found: (JobRecord | undefined)[] = new Array(ids.length);
    for (let start = 0; start < ids.length; start += PARALLEL) {
      const chunk = ids.slice(start, start + PARALLEL);
      const records = await Promise.all(chunk.map((id) => this.one(id)));
      records.forEach((record, i) => (found[start + i] = record));
    }
    return found.filter((r): r is JobRecord => r !== undefined);
  }

  /** Forgets one job (e.g. after this process rewrote it); the next pass reads it again. */
  invalidate(id: string): void {
    this.entries.delete(id);
  }

  private async one(id: string): Promise<JobRecord | undefined> {
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
    const cached = this.entries.get(id);
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
