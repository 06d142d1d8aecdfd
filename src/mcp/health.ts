/**
 * Health (seed 000's health checks): queued and running counts, the watcher's
 * state and the last reconcile. Served by the `health` tool and, over HTTP, by
 * `GET /healthz`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobManager } from '../runner/job-manager.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  queued: number;
  running: number;
  /** Jobs whose job.json cannot be read (isolated; `mcp-jobs doctor` says more). */
  damaged_jobs: { id: string; problem: string }[];
  max_concurrent: number;
  watcher: { watching: boolean; watched_jobs: number };
  last_reconcile: { at: string; duration_ms: number | null } | null;
  last_error: string | null;
  uptime_s: number;
  version: string;
}

const processStarted = Date.now() - Math.round(process.uptime() * 1000);

export async function healthReport(runner: JobManager): Promise<HealthReport> {
  const health = await runner.health();
  const { reconciler } = health;
  const watcherDown = runner.options.watch && !reconciler.watching;
  return {
    // A damaged job is that job's problem, listed below: the server itself is not degraded by it.
    status: watcherDown ? 'degraded' : 'ok',
    queued: health.queued,
    running: health.running,
    damaged_jobs: health.damaged.slice(0, 20),
    max_concurrent: health.maxConcurrent,
    watcher: { watching: reconciler.watching, watched_jobs: reconciler.watchedJobs },
    last_reconcile: reconciler.lastScanAt ? { at: reconciler.lastScanAt, duration_ms: reconciler.lastScanMs ?? null } : null,
    last_error: reconciler.lastError ?? null,
    uptime_s: Math.round((Date.now() - processStarted) / 100) / 10,
    version: packageVersion(),
  };
}

let version: string | undefined;

/** This package's version, from the nearest package.json named `mcp-jobs` (works from src/ and dist/). */
export function packageVersion(): string {
  if (version !== undefined) return version;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mcp-jobs' && pkg.version) return (version = pkg.version);
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return (version = '0.0.0');
}
