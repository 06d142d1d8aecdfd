/**
 * Defect 14: a library loop that polls without pausing,
 * `while (!done(await runner.status(id)))`, must not starve the runner: every
 * public async call lets the event loop turn, so dispatch, timers, exit events
 * and signal handlers run between the calls.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobsError } from '../../src/errors.js';
import { isTerminal } from '../../src/types.js';
import { DIST, tempDir, waitFor } from '../helpers.js';
import { makeManager } from './setup.js';

/** Polls `call` back to back (no pause) until `done`, or until the deadline; returns whether it got there. */
async function tightLoop<T>(call: () => Promise<T>, done: (value: T) => boolean, deadlineMs: number): Promise<{ reached: boolean; calls: number }> {
  const deadline = Date.now() + deadlineMs;
  let calls = 0;
  while (Date.now() < deadline) {
    calls += 1;
    if (done(await call())) return { reached: true, calls };
  }
  return { reached: false, calls };
}

describe('a polling loop without pauses', () => {
  it('status() in a tight loop: the job is still dispatched, run and settled', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('simulate', { steps: 2, step_ms: 10 });
    const { reached, calls } = await tightLoop(() => m.status(jobId), (s) => isTerminal(s.status), 15_000);
    expect(reached, `still not finished after ${calls} status calls`).toBe(true);
    expect((await m.status(jobId)).status).toBe('completed');
  });

  it('result(), list() and health() in tight loops let it run too', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('simulate', { steps: 1, step_ms: 10 });
    const result = await tightLoop(
      () => m.result(jobId).then((r) => r.status, (error: unknown) => (error instanceof JobsError && error.code === 'not_finished' ? 'waiting' : Promise.reject(error))),
      (status) => status === 'completed',
      15_000,
    );
    expect(result.reached).toBe(true);
    const next = await m.submit('simulate', { steps: 1, step_ms: 10 });
    expect((await tightLoop(() => m.list({ status: 'completed' }), (page) => page.jobs.some((j) => j.id === next.jobId), 15_000)).reached).toBe(true);
    const third = await m.submit('simulate', { steps: 1, step_ms: 10 });
    expect((await tightLoop(() => m.health(), (h) => h.queued === 0 && h.running === 0, 15_000)).reached).toBe(true);
    expect((await m.status(third.jobId)).status).toBe('completed');
  });

  it('a process polling in a tight loop still answers SIGTERM (its handler runs)', async () => {
    const dir = tempDir();
    const script = join(dir, 'poll.mjs');
    writeFileSync(
      script,
      `import { createJobRunner } from ${JSON.stringify(join(DIST, 'src', 'index.js'))};
const runner = await createJobRunner({ jobsDir: ${JSON.stringify(join(dir, 'jobs'))}, stateDir: ${JSON.stringify(join(dir, 'state'))}, config: false, dispatch: false });
const { jobId } = await runner.submit('simulate', { steps: 1, step_ms: 0 });
process.on('SIGTERM', () => { process.stderr.write('got SIGTERM\\n'); process.exit(0); });
process.stderr.write('polling\\n');
for (;;) await runner.status(jobId); // queued forever: dispatch is off
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes('polling'), 'the child to start polling', 15_000);
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5_000))]);
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('got SIGTERM');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
