/**
 * After the chaos: wait until every job folder is terminal with its patch
 * settled and the `.active` index empty, asking the live server about the
 * jobs still open (a status call settles a job that ended unnoticed).
 * Returns how long it took; gives up after `timeoutMs` (verify then reports
 * what is still open).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isJobId } from '../../src/ids.js';
import type { JobRecord } from '../../src/types.js';
import type { SoakServer } from './server.js';

function open(jobsDir: string): string[] {
  const ids = readdirSync(jobsDir).filter(isJobId);
  return ids.filter((id) => {
    try {
      const r = JSON.parse(readFileSync(join(jobsDir, id, 'job.json'), 'utf8')) as JobRecord;
      return r.status === 'queued' || r.status === 'running' || r.patchState === 'pending';
    } catch {
      return true;
    }
  });
}

const markers = (jobsDir: string) => (existsSync(join(jobsDir, '.active')) ? readdirSync(join(jobsDir, '.active')).filter(isJobId) : []);

export async function settle(jobsDir: string, server: SoakServer, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const left = open(jobsDir);
    if (!left.length && !markers(jobsDir).length) break;
    for (const id of left.slice(0, 5)) await server.call('get_job_status', { job_id: id }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}
