/**
 * run_command over MCP: `timeout_s` is the job's timeout (as for every start
 * tool), `command_timeout_s` the wrapper's own limit on the program; either
 * stops the program's whole tree. A tiny timeout rounds up to 1 ms, never to 0
 * (= none).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/index.js';
import { isProcessAlive } from '../../src/runner/proc.js';
import { JOB_MARKER, findTree } from '../../src/runner/process-tree.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { tempDir, waitFor } from '../helpers.js';
import { connectInProcess, type Connected } from './helpers.js';

const open: Connected[] = [];
const runners: JobManager[] = [];
const jobs: string[] = [];
afterEach(async () => {
  for (const p of jobs.splice(0).flatMap((id) => findTree({ marker: `${JOB_MARKER}=${id}` }))) if (isProcessAlive(p.pid, p.startTime)) process.kill(p.pid, 'SIGKILL');
  await Promise.all(open.splice(0).map((c) => c.close()));
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

async function connect(): Promise<Connected & { runner: JobManager }> {
  const dir = tempDir();
  const runner = await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: false, allowCommands: ['sleep', 'sh'], killGraceMs: 500 });
  runners.push(runner);
  const conn = await connectInProcess(runner);
  open.push(conn);
  return { ...conn, runner };
}

async function start(conn: Connected, args: Record<string, unknown>): Promise<string> {
  const result = await conn.client.callTool({ name: 'run_command', arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const id = (result.structuredContent as { job_id: string }).job_id;
  jobs.push(id);
  return id;
}

describe('run_command timeouts', () => {
  it('has both: timeout_s (the job) and command_timeout_s (the program)', async () => {
    const conn = await connect();
    const tool = (await conn.client.listTools()).tools.find((t) => t.name === 'run_command')!;
    expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['argv', 'timeout_s', 'command_timeout_s']));
    expect(JSON.stringify(tool.inputSchema.properties?.timeout_s)).toMatch(/failed \(timeout\)/);
  });

  it('timeout_s is the per-job timeout: the job fails with kind timeout', async () => {
    const conn = await connect();
    const id = await start(conn, { argv: ['sleep', '30'], timeout_s: 1 });
    const done = await conn.runner.wait(id, 15_000);
    expect(done.timeoutMs).toBe(1000);
    expect(done.status).toBe('failed');
    expect(done.error?.kind).toBe('timeout');
  });

  it('command_timeout_s stops the program and all its descendants; the job completes and says so', async () => {
    const conn = await connect();
    // The program leaves a setsid grandchild behind: the wrapper stops it too.
    const id = await start(conn, { argv: ['sh', '-c', 'setsid sleep 1000 & sleep 1000'], command_timeout_s: 0.5 });
    const done = await conn.runner.wait(id, 15_000);
    expect(done.status).toBe('completed');
    expect(await conn.runner.result(id)).toMatchObject({ result: { timed_out: true, signal: 'SIGKILL' } });
    await waitFor(() => findTree({ marker: `${JOB_MARKER}=${id}` }).length === 0, 'no process of the job left', 3_000);
  });

  it('a tiny timeout_s rounds up to 1 ms instead of down to 0 (no timeout)', async () => {
    const conn = await connect();
    const id = await start(conn, { argv: ['sleep', '30'], timeout_s: 0.0004 });
    const done = await conn.runner.wait(id, 15_000);
    expect(done.timeoutMs).toBe(1);
    expect(done.error?.kind).toBe('timeout');
  });
});
