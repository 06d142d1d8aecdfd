/**
 * Launching workers. Everything goes through the small `Launcher` interface,
 * so a later launcher can hand the same job folder to a cluster scheduler
 * (Slurm, a Kubernetes Job) on a shared filesystem.
 *
 * `LocalLauncher` spawns the wrapper detached (its own process group), stdin
 * from /dev/null, stdout/stderr appended to the job's log files, then unrefs
 * it: the worker outlives the server.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { jobFile } from '../store/paths.js';
import { isGroupAlive, isProcessAlive, isSignallableGroup, isWorkerCandidate, processStartTime } from './proc.js';
import { JOB_MARKER, stopTree } from './process-tree.js';

/** A worker's identity: pid plus start time. */
export interface WorkerHandle {
  pid: number;
  startTime?: string | undefined;
  /** The job it runs: `terminate` also stops processes that left the group but carry `MCP_JOBS_JOB_ID=<jobId>`. */
  jobId?: string | undefined;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchSpec {
  jobId: string;
  jobDir: string;
  /** argv of the wrapper; `--job-dir <jobDir>` is appended. */
  command: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Launched extends WorkerHandle {
  /** Resolves when the worker exits, where this process can see it (its parent). */
  exited?: Promise<ExitInfo>;
}

export interface Launcher {
  /** Starts a worker; rejects when it cannot be started (the job fails kind `spawn`). */
  start(spec: LaunchSpec): Promise<Launched>;
  /** Is this exact worker still running? */
  isAlive(handle: WorkerHandle): boolean;
  /**
   * Stops the worker's whole process group and, given `handle.jobId`, every
   * process of the job that left the group (process-tree.ts): SIGTERM, then
   * SIGKILL after `graceMs` to what is left. Resolves once all of it is gone
   * (or `graceMs + 2 s` passed). Never signals a process that is not ours.
   */
  terminate(handle: WorkerHandle, graceMs: number): Promise<void>;
}

export class LocalLauncher implements Launcher {
  async start(spec: LaunchSpec): Promise<Launched> {
    const [out, err] = await openLogs(spec.jobDir);
    try {
      const [program, ...args] = spec.command as [string, ...string[]];
      const child = spawn(program, [...args, '--job-dir', spec.jobDir], {
        detached: true,
        stdio: ['ignore', out.fd, err.fd],
        // Every descendant inherits the marker, also one that leaves the process group (process-tree.ts).
        env: { ...(spec.env ?? process.env), [JOB_MARKER]: spec.jobId },
        windowsHide: true,
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      const exited = new Promise<ExitInfo>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      child.unref();
      const pid = child.pid!;
      return { pid, startTime: processStartTime(pid), exited };
    } finally {
      await Promise.all([out.close(), err.close()]);
    }
  }

  isAlive(handle: WorkerHandle): boolean {
    // A job.json naming this process, an ancestor or init is forged or damaged: that is no worker of ours.
    return isWorkerCandidate(handle.pid) && isProcessAlive(handle.pid, handle.startTime);
  }

  async terminate(handle: WorkerHandle, graceMs: number): Promise<void> {
    const leader = this.isAlive(handle);
    // Never signal a group whose leader is not our worker (a recycled pid). The leader
    // gone, its group may hold our grandchildren: signal it only if the pid is not a live process.
    const groupOurs =
      isSignallableGroup(handle.pid) && isGroupAlive(handle.pid) && (leader || handle.startTime === undefined || !isProcessAlive(handle.pid));
    const spec = {
      group: groupOurs ? handle.pid : undefined,
      marker: handle.jobId === undefined ? undefined : `${JOB_MARKER}=${handle.jobId}`,
      roots: leader ? [handle.pid] : [],
    };
    if (spec.group === undefined && spec.marker === undefined) return;
    await stopTree(spec, graceMs);
  }
}

/** How the worker's logs are opened: appending, never through a link, never waiting on a FIFO. */
const LOG_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK;

async function openLog(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, LOG_FLAGS, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new Error(`${basename(path)} is a symbolic link; links are not followed`, { cause: error });
    if (code === 'ENXIO' || code === 'EISDIR') throw new Error(`${basename(path)} is not a regular file`, { cause: error });
    throw error;
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new Error(`${basename(path)} is not a regular file`);
  }
  return handle;
}

/** stdout.log and stderr.log of a job, both or neither. */
async function openLogs(jobDir: string): Promise<[FileHandle, FileHandle]> {
  const [out, err] = await Promise.allSettled([openLog(jobFile(jobDir, 'stdout')), openLog(jobFile(jobDir, 'stderr'))]);
  if (out.status === 'fulfilled' && err.status === 'fulfilled') return [out.value, err.value];
  for (const r of [out, err]) if (r.status === 'fulfilled') await r.value.close();
  throw ((out.status === 'rejected' ? out.reason : undefined) ?? (err as PromiseRejectedResult).reason) as Error;
}

