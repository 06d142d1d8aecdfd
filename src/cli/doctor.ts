/**
 * `mcp-jobs doctor`: checks a jobs folder and its state folder, says what it
 * found and how to fix each thing. Looking changes nothing (but for a probe
 * folder `jobs/.doctor-*` it creates and removes to test file events).
 *
 * `--fix` applies the safe repairs, then checks again:
 * - removes stale locks (each re-checked just before: still there, same mtime),
 * - removes staging leftovers of crashed submits,
 * - rebuilds the `.active` index when it is missing or lacks a job,
 * - runs one reconcile pass, as a server does at startup, without dispatching:
 *   records ended jobs (gone workers become `failed` kind `lost`), applies
 *   pending state patches, keeps torn job.json files aside as job.json.corrupt
 *   (and, being a manager start, sets unreadable state files aside).
 * A pending patch whose handler is registered only in your server stays
 * pending (the CLI does not have the handler); the server applies it.
 */
import { rm, stat } from 'node:fs/promises';
import { registerConfiguredTypes } from '../config/register.js';
import { registerBuiltinTypes } from '../runner/builtins.js';
import type { JobManager } from '../runner/job-manager.js';
import { checkFolders } from './doctor/folders.js';
import type { DoctorContext, Finding, Repair } from './doctor/findings.js';
import { checkJobs, scanJobs } from './doctor/jobs.js';
import { checkLocks } from './doctor/locks.js';
import { checkNode, checkTypes } from './doctor/setup.js';
import { checkState } from './doctor/state.js';
import { checkWatcher } from './doctor/watcher.js';

export interface DoctorReport {
  findings: Finding[];
  healthy: boolean;
}

/** Registers the job types doctor checks; resolves to why that failed, if it did (a broken config file). */
export async function loadTypes(manager: JobManager, config: string | undefined): Promise<Error | undefined> {
  try {
    await registerBuiltinTypes(manager);
    await registerConfiguredTypes(manager, config);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

export async function diagnose(manager: JobManager, loadError: Error | undefined): Promise<DoctorReport> {
  const jobsDirExists = await stat(manager.store.root).then((s) => s.isDirectory(), () => false);
  const ctx: DoctorContext = { manager, jobs: jobsDirExists ? await scanJobs(manager.store) : [], jobsDirExists, now: Date.now() };
  const findings = [
    checkNode(),
    ...(await checkFolders(ctx)),
    ...(await checkTypes(ctx, loadError)),
    ...(await checkJobs(ctx)),
    ...(await checkLocks(ctx)),
    ...(await checkState(ctx)),
    ...(await checkWatcher(ctx)),
  ];
  return { findings, healthy: !findings.some((f) => f.level === 'problem') };
}

/** What `--fix` did, a line each. */
export async function repair(manager: JobManager, findings: Finding[]): Promise<string[]> {
  const done: string[] = [];
  const repairs = findings.flatMap((f) => (f.repair ? [f.repair] : []));
  const kinds = new Set(repairs.map((r) => r.kind));
  for (const r of repairs) {
    if (r.kind === 'remove-lock') {
      const info = await stat(r.path).catch(() => undefined);
      if (!info) done.push(`${r.path}: already gone`);
      else if (info.mtimeMs !== r.mtimeMs || Date.now() - info.mtimeMs <= r.staleMs) done.push(`${r.path}: left alone (taken again meanwhile)`);
      else {
        await rm(r.path, { recursive: true, force: true });
        done.push(`removed stale lock ${r.path}`);
      }
    } else if (r.kind === 'remove-staging') {
      await rm(r.path, { recursive: true, force: true });
      done.push(`removed staging leftover ${r.path}`);
    } else if (r.kind === 'mark-active') {
      await manager.store.markActive(r.id);
    }
  }
  if (kinds.has('rebuild-index')) {
    const count = await manager.store.rebuildIndex();
    done.push(`rebuilt the .active index (${count} job${count === 1 ? '' : 's'} need attention)`);
  }
  if (kinds.has('reconcile') || kinds.has('mark-active')) {
    await manager.reconcile();
    done.push('ran a reconcile pass (ended jobs recorded, pending patches applied, torn records kept aside)');
  }
  return done;
}

export type { Finding, Repair };
