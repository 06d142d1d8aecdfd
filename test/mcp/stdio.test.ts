/**
 * The real thing over stdio: `node dist/server.js` in a temp folder (build
 * first), driven by the SDK Client: tools/list, start `simulate`, poll,
 * results, logs, cancel; native tasks; shutdown on SIGTERM and when the
 * client goes, with workers left running.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { call, callOk, pollStatus, SERVER, startSimulate, startStdioServer, textOf, type StdioServer } from './helpers.js';

let dir: string;
let server: StdioServer;

beforeAll(async () => {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first`);
  dir = tempDir();
  server = await startStdioServer(dir, [], { MCP_JOBS_LOG_LEVEL: 'info' });
});
afterAll(async () => {
  await server?.close();
});

describe('stdio server', () => {
  it('lists the tools, runs simulate to completion in ./jobs, and serves results and logs', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['simulate', 'get_job_status', 'get_job_results', 'list_jobs', 'cancel_job', 'get_job_logs', 'wait_for_job', 'get_state', 'health']));
    expect(tools.map((t) => t.name)).not.toContain('run_command');
    const id = await startSimulate(server.client, { steps: 3, step_ms: 50 });
    expect(existsSync(join(dir, 'jobs', id, 'job.json'))).toBe(true);
    const status = await pollStatus(server.client, id, (s) => s.status === 'completed', 'completion');
    expect(status.progress).toMatchObject({ current: 3, total: 3 });
    expect(await callOk(server.client, 'get_job_results', { job_id: id })).toMatchObject({ result: { steps: 3 } });
    const logs = await call(server.client, 'get_job_logs', { job_id: id, stream: 'stderr' });
    expect(logs.isError).toBeFalsy();
    expect(textOf(logs)).toContain(`stderr.log of job ${id}`);
  });

  it('cancels a running job and its worker goes away', async () => {
    const id = await startSimulate(server.client, { steps: 200, step_ms: 100 });
    await pollStatus(server.client, id, (s) => s.status === 'running', 'running');
    await waitFor(async () => (JSON.parse(await readFile(join(dir, 'jobs', id, 'job.json'), 'utf8')) as { pid?: number }).pid, 'the worker pid');
    const { pid } = JSON.parse(await readFile(join(dir, 'jobs', id, 'job.json'), 'utf8')) as { pid: number };
    const cancelled = await callOk(server.client, 'cancel_job', { job_id: id });
    expect(cancelled.status).toBe('cancelled');
    expect(pidAlive(pid)).toBe(false);
    const results = await call(server.client, 'get_job_results', { job_id: id });
    expect(results.isError).toBe(true);
    expect(textOf(results)).toMatch(/was cancelled/);
  });

  it('native tasks: callToolStream, then getTask / getTaskResult / cancelTask', async () => {
    const tasks = server.client.experimental.tasks;
    let taskId = '';
    let result: unknown;
    for await (const message of tasks.callToolStream({ name: 'simulate', arguments: { steps: 2, step_ms: 20 } }, CallToolResultSchema, { task: { ttl: 600_000 } })) {
      if (message.type === 'taskCreated') taskId = message.task.taskId;
      if (message.type === 'result') result = message.result;
      if (message.type === 'error') throw message.error;
    }
    expect(result).toMatchObject({ structuredContent: { steps: 2 } });
    expect(await tasks.getTask(taskId)).toMatchObject({ status: 'completed', ttl: 600_000 });
    const long = await startSimulate(server.client, { steps: 200, step_ms: 100 });
    expect(await tasks.getTask(long)).toMatchObject({ status: 'working' });
    expect(await tasks.cancelTask(long)).toMatchObject({ status: 'cancelled' });
    expect(await tasks.getTaskResult(long, CallToolResultSchema)).toMatchObject({ isError: true });
  });

  it('logs go to stderr, never to stdout: every stdout line of a run with debug logs, read to its end, is a JSON-RPC message', async () => {
    const raw = await RawServer.start(tempDir(), { MCP_JOBS_LOG_LEVEL: 'debug' });
    const response = await raw.request('tools/call', { name: 'simulate', arguments: { steps: 3, step_ms: 20 } });
    const id = (response.result as { structuredContent: { job_id: string } }).structuredContent.job_id;
    const waited = await raw.request('tools/call', { name: 'wait_for_job', arguments: { job_id: id, timeout_s: 20 } });
    expect(JSON.stringify(waited.result)).toContain('completed');
    await raw.request('tools/call', { name: 'health', arguments: {} });
    await raw.request('tools/call', { name: 'get_job_status', arguments: { job_id: 'not-a-valid-id' } });
    await waitFor(() => raw.stderr.includes('[mcp-jobs]'), 'a log line on stderr');
    raw.child.stdin.end();
    expect(await raw.exitCode).toBe(0);
    // stdout was read to its end: the protocol lines, and nothing else.
    expect(raw.lines.length).toBeGreaterThanOrEqual(5);
    expect(raw.nonProtocolLines()).toEqual([]);
    expect(raw.lines.join('\n')).not.toContain('[mcp-jobs]');
  });
});

describe('shutdown', () => {
  it('SIGTERM closes the server and exits 0 within 2 s, leaving the running worker alone; stdout held only protocol messages', async () => {
    const cwd = tempDir();
    const raw = await RawServer.start(cwd);
    const response = await raw.request('tools/call', { name: 'simulate', arguments: { steps: 30, step_ms: 100 } });
    const id = (response.result as { structuredContent: { job_id: string } }).structuredContent.job_id;
    const workerPid = await waitFor(async () => {
      const record = JSON.parse(await readFile(join(cwd, 'jobs', id, 'job.json'), 'utf8')) as { status: string; pid?: number };
      return record.status === 'running' ? record.pid : undefined;
    }, 'the worker pid');
    const started = Date.now();
    raw.child.kill('SIGTERM');
    expect(await raw.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    try {
      expect(pidAlive(workerPid)).toBe(true);
    } finally {
      process.kill(-workerPid, 'SIGKILL');
    }
    expect(raw.nonProtocolLines()).toEqual([]);
  });

  it('exits 0 when the client goes away (stdin ends)', async () => {
    const raw = await RawServer.start(tempDir());
    raw.child.stdin.end();
    expect(await raw.exitCode).toBe(0);
  });
});

/** `node dist/server.js` spoken to in raw JSON-RPC lines, to see its exit code and every byte of its stdout. */
class RawServer {
  private buffer = '';
  readonly lines: string[] = [];
  stderr = '';
  private readonly waiting = new Map<number, (message: Record<string, unknown>) => void>();
  private nextId = 1;
  readonly exitCode: Promise<number | null>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.lines.push(line);
        try {
          const message = JSON.parse(line) as Record<string, unknown>;
          if (typeof message.id === 'number') this.waiting.get(message.id)?.(message);
        } catch {
          // reported by nonProtocolLines()
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exitCode = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RawServer> {
    const raw = new RawServer(spawn(process.execPath, [SERVER], { cwd, stdio: 'pipe', env: { PATH: process.env.PATH ?? '', ...env } }));
    onTestFinished(() => void raw.child.kill('SIGKILL'));
    await raw.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    raw.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    return raw;
  }

  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const answer = new Promise<Record<string, unknown>>((resolve) => this.waiting.set(id, resolve));
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    return answer;
  }

  nonProtocolLines(): string[] {
    return this.lines.filter((line) => {
      try {
        return (JSON.parse(line) as { jsonrpc?: string }).jsonrpc !== '2.0';
      } catch {
        return true;
      }
    });
  }
}
