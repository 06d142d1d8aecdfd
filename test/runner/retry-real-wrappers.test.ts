/**
 * Defect 15: retries with real wrappers. A real defineWrapper() wrapper and a
 * real Python wrapper take the worker lock; when attempt 1 dies without
 * releasing it (SIGKILL -> lost, process.exit / os._exit -> exit, killed on
 * timeout), attempt 2 must start cleanly, run, and complete, not be refused by
 * the dead attempt's lock ("another worker holds ...", exit 2).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { commandFor, jsWrapper, pyWrapper } from '../worker/wrappers.js';
import { makeManager } from './setup.js';

const scripts = tempDir();
const js = {
  lost: jsWrapper(scripts, 'js_lost', `if (ctx.attempt === 1) { ctx.progress(0, 1); process.kill(process.pid, 'SIGKILL'); }\n    return { attempt: ctx.attempt };`),
  exit: jsWrapper(scripts, 'js_exit', `if (ctx.attempt === 1) { ctx.progress(0, 1); process.exit(3); }\n    return { attempt: ctx.attempt };`),
  // Attempt 1 ignores its signal and never settles: SIGTERM at the timeout, SIGKILL after the grace.
  timeout: jsWrapper(scripts, 'js_timeout', `if (ctx.attempt === 1) { ctx.progress(0, 1); await new Promise(() => {}); }\n    return { attempt: ctx.attempt };`),
};
const py = {
  lost: pyWrapper(scripts, 'py_lost', `if ctx.attempt == 1:\n    ctx.progress(0, 1)\n    os.kill(os.getpid(), signal.SIGKILL)\nreturn {"attempt": ctx.attempt}`, 'import os, signal'),
  exit: pyWrapper(scripts, 'py_exit', `if ctx.attempt == 1:\n    ctx.progress(0, 1)\n    os._exit(3)\nreturn {"attempt": ctx.attempt}`, 'import os'),
  timeout: pyWrapper(scripts, 'py_timeout', `if ctx.attempt == 1:\n    ctx.progress(0, 1)\n    while True:\n        time.sleep(0.05)\nreturn {"attempt": ctx.attempt}`, 'import time'),
};

const KIND = { lost: 'lost', exit: 'exit', timeout: 'timeout' } as const;

describe.each([
  ['TypeScript (defineWrapper)', js],
  ['Python (mcp_jobs)', py],
])('retries of a %s wrapper', (_runtime, wrappers) => {
  it.each(['lost', 'exit', 'timeout'] as const)('attempt 1 ends %s without releasing its lock: attempt 2 runs and completes', async (how) => {
    const m = await makeManager({ retryBackoffMs: 50, killGraceMs: 500 });
    m.register({
      name: `retry_${how}`,
      description: `attempt 1 ends ${how}`,
      command: commandFor(wrappers[how]),
      schema: z.object({}),
      maxAttempts: 3,
      ...(how === 'timeout' ? { timeoutMs: 4000 } : {}),
    });
    const started = Date.now();
    const { jobId } = await m.submit(`retry_${how}`, {});
    // On failure, no worker outlives the test (the manager's close leaves workers running by design).
    onTestFinished(() => {
      const { pid } = JSON.parse(readFileSync(join(m.store.dir(jobId), 'job.json'), 'utf8')) as { pid?: number };
      if (pid && pidAlive(pid)) process.kill(-pid, 'SIGKILL');
    });
    const done = await m.wait(jobId, 25_000);
    expect(done).toMatchObject({ status: 'completed', attempt: 2 });
    expect(done.history).toEqual([{ attempt: 1, error: expect.objectContaining({ kind: KIND[how] }), finishedAt: expect.any(String) }]);
    expect(await m.result(jobId)).toEqual({ status: 'completed', result: { attempt: 2 } });
    const dir = m.store.dir(jobId);
    // Attempt 2's worker ran (its own logs, no refusal) and released its lock.
    // (results.json lands before the worker releases its lock and exits: wait for that, with a deadline.)
    await waitFor(() => !existsSync(join(dir, 'worker.lock')), 'attempt 2 to release its lock');
    // The dead attempt's lock went aside with its files (retry() saw its owner dead), so attempt 2 found the folder free.
    expect(readdirSync(join(dir, 'attempts', '1'))).toEqual(expect.arrayContaining(['stderr.log', 'progress.json', 'worker.lock']));
    expect(readFileSync(join(dir, 'stderr.log'), 'utf8')).not.toMatch(/another worker holds|taking over/);
    // Well inside the 30 s a dead lock takes to go stale by its heartbeat alone.
    expect(Date.now() - started).toBeLessThan(how === 'timeout' ? 15_000 : 10_000);
  });
});
