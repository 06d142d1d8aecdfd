/**
 * Helpers for the MCP tests: a real SDK Client over real stdio (`node
 * dist/server.js` in a temp folder), or in-process over InMemoryTransport
 * with a runner whose `simulate` is the built wrapper (workers are real
 * detached processes either way).
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createJobRunner } from '../../src/index.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { createJobsMcpServer, type JobsMcpServer, type JobsMcpServerOptions } from '../../src/mcp/server-factory.js';
import type { Wrapper } from '../../src/worker/define-wrapper.js';
import { DIST, waitFor } from '../helpers.js';

export const SERVER = join(DIST, 'server.js');

/** A started runner on `dir` with the built `simulate` wrapper (no builtins from src, no config). */
export async function distRunner(dir: string, options: { maxConcurrent?: number } = {}): Promise<JobManager> {
  const runner = await createJobRunner({
    jobsDir: join(dir, 'jobs'),
    stateDir: join(dir, 'state'),
    builtins: false,
    config: false,
    killGraceMs: 1000,
    ...options,
  });
  const simulate = (await import(join(DIST, 'cli-wrappers', 'simulate.js'))) as { default: Wrapper };
  await runner.registerWrapper(simulate.default);
  return runner;
}

export interface Connected {
  client: Client;
  jobs: JobsMcpServer;
  close(): Promise<void>;
}

/** Our McpServer for `runner`, connected in-process to a fresh SDK Client. */
export async function connectInProcess(runner: JobManager, options: JobsMcpServerOptions = {}): Promise<Connected> {
  const jobs = createJobsMcpServer(runner, options);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1.0.0' });
  await jobs.server.connect(serverSide);
  await client.connect(clientSide);
  await client.listTools(); // caches which tools are task-capable, as real clients do
  return {
    client,
    jobs,
    async close() {
      await client.close();
      await jobs.close();
    },
  };
}

export interface StdioServer {
  client: Client;
  transport: StdioClientTransport;
  pid: number;
  stderr: () => string;
  close(): Promise<void>;
}

/** `node dist/server.js <args>` in `cwd`, with a connected SDK Client. */
export async function startStdioServer(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<StdioServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER, ...args],
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  return {
    client,
    transport,
    pid: transport.pid!,
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** Calls a tool and returns its result, checked against the CallToolResult schema. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args }, CallToolResultSchema)) as CallToolResult;
}

/** Calls a tool that must succeed and returns its structuredContent. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
  return result.structuredContent as T;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((item) => (item.type === 'text' ? item.text : `[${item.type}]`)).join('\n');
}

/** Starts a simulate job through the start tool and returns its id. */
export async function startSimulate(client: Client, args: Record<string, unknown>): Promise<string> {
  return (await callOk<{ job_id: string }>(client, 'simulate', args)).job_id;
}

/** Polls get_job_status until `check` holds. */
export async function pollStatus(client: Client, jobId: string, check: (status: Record<string, unknown>) => boolean, what: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const status = await callOk(client, 'get_job_status', { job_id: jobId });
    return check(status) ? status : undefined;
  }, what, timeoutMs, 50);
}

/** The text of a resource read's first content item. */
export function resourceText(result: { contents: ({ text: string } | { blob: string })[] }): string {
  const first = result.contents[0];
  if (!first || !('text' in first)) throw new Error('expected a text resource');
  return first.text;
}
