/**
 * Cancel and timeout stop every process of a job, also descendants that left
 * its process group (setsid) and lost their parent: they carry the job's
 * MCP_JOBS_JOB_ID marker (runner/process-tree.ts); and those with no marker
 * that still descend from the worker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { spawn } from 'node:child_process';
import { LocalLauncher } from '../../src/runner/launcher.js';
import { environHas, isProcessAlive, processStartTime, signalProcess } from '../../src/runner/proc.js';
import { JOB_MARKER, findTree } from '../../src/runner/process-tree.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { waitFor } from '../helpers.js';
import { fixture, makeManager } from './setup.js';

interface Proc {
  pid: number;
  startTime: string;
}

const spawned: Proc[] = [];
const jobs: string[] = [];
afterEach(() => {
  // Also when a test failed: what we recorded, and whatever still carries a job's marker.
  const left = [...spawned.splice(0), ...jobs.splice(0).flatMap((id) => findTree({ marker: `${JOB_MARKER}=${id}` }))];
  for (const p of left) if (isProcessAlive(p.pid, p.startTime)) process.kill(p.pid, 'SIGKILL');
});

async function escapesManager(): Promise<JobManager> {
  const m = await makeManager({ killGraceMs: 500 });
  m.register({ name: 'escapes', description: 'leaves setsid descendants', command: [process.execPath, fixture('escapes.mjs')], schema: z.object({}) });
  // `env -i` execs the worker itself with an empty environment: neither it nor its child carries the marker.
  m.register({ name: 'unmarked', description: 'no marker anywhere', command: ['env', '-i', process.execPath, fixture('unmarked-child.mjs')], schema: z.object({}) });
  return m;
}

/** The worker and its escaped descendants, once they all run. */
async function processesOf(m: JobManager, id: string): Promise<Proc[]> {
  jobs.push(id);
  const file = join(m.store.dir(id), 'escaped.json');
  const { pids } = await waitFor(() => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { pids: number[] }) : undefined), 'the escaped descendants');
  const worker = await waitFor(async () => (await m.store.get(id)).pid, 'the worker pid');
  const procs = [worker, ...pids].map((pid) => ({ pid, startTime: processStartTime(pid)! }));
  spawned.push(...procs);
  for (const p of procs) expect(p.startTime, `process ${p.pid} runs`).toBeDefined();
  return procs;
}

const alive = (procs: Proc[]) => procs.filter((p) => isProcessAlive(p.pid, p.startTime)).map((p) => p.pid);

describe.skipIf(process.platform !== 'linux')('every descendant of a job', () => {
  it('cancel stops descendants that left the process group (setsid, orphaned)', async () => {
    const m = await escapesManager();
    const { jobId } = await m.submit('escapes', {});
    const procs = await processesOf(m, jobId);
    // They really escaped: another session than the worker's group, and they carry the marker.
    for (const p of procs.slice(1)) expect(environHas(p.pid, `${JOB_MARKER}=${jobId}`)).toBe(true);
    const record = await m.cancel(jobId);
    expect(record.status).toBe('cancelled');
    expect(alive(procs)).toEqual([]);
    expect(findTree({ marker: `${JOB_MARKER}=${jobId}` })).toEqual([]);
  });

  it('a worker run through `env -i` carries no marker: cancel still stops its child that left the group, as its descendant', async () => {
    const m = await escapesManager();
    const { jobId } = await m.submit('unmarked', {});
    const procs = await processesOf(m, jobId);
    for (const p of procs) expect(environHas(p.pid, `${JOB_MARKER}=${jobId}`)).toBe(false);
    expect((await m.cancel(jobId)).status).toBe('cancelled');
    await waitFor(() => alive(procs).length === 0, 'the worker and its unmarked child to be gone', 5_000);
  });

  it('a timeout stops them too', async () => {
    const m = await escapesManager();
    const { jobId } = await m.submit('escapes', {}, { timeoutMs: 3000 }); // time to start its descendants on a loaded machine
    const procs = await processesOf(m, jobId);
    const done = await m.wait(jobId, 15_000);
    expect(done.error?.kind).toBe('timeout');
    // The job is recorded as soon as its worker is gone; the stop goes on for a SIGTERM-proof
    // descendant until SIGKILL after killGraceMs (500 ms here).
    await waitFor(() => alive(procs).length === 0, 'every process of the job to be gone', 3_000);
    expect(findTree({ marker: `${JOB_MARKER}=${jobId}` })).toEqual([]);
  });

  it('never includes this process or its ancestors, even when they carry the marker', () => {
    const marker = `${JOB_MARKER}=${'x'.repeat(20)}`;
    process.env[JOB_MARKER] = 'x'.repeat(20); // not in /proc/self/environ (set after start), nor in any ancestor's
    try {
      expect(findTree({ marker, roots: [process.pid, process.ppid] }).map((e) => e.pid)).not.toContain(process.pid);
    } finally {
      delete process.env[JOB_MARKER];
    }
  });

  it('never signals a recycled pid: a live process with another start time is left alone', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    const proc = { pid: child.pid!, startTime: await waitFor(() => processStartTime(child.pid!), 'the process to run') };
    spawned.push(proc);
    const stranger = { pid: proc.pid, startTime: String(Number(proc.startTime) - 1) };
    expect(signalProcess(stranger.pid, stranger.startTime, 'SIGKILL')).toBe(false);
    // As the launcher sees it: the recorded worker (pid + old start time) is gone, a stranger has its pid.
    await new LocalLauncher().terminate({ ...stranger, jobId: 'job-not-this-one-000' }, 100);
    expect(isProcessAlive(proc.pid, proc.startTime)).toBe(true);
    expect(signalProcess(proc.pid, proc.startTime, 'SIGKILL')).toBe(true);
    await waitFor(() => !isProcessAlive(proc.pid, proc.startTime), 'the process to be gone', 3_000);
  });
});
