/**
 * `mcp-jobs serve`: the same MCP server as dist/server.js, over stdio (an SDK
 * Client lists the tools and runs a job that the CLI then sees) and over HTTP
 * (GET /healthz); SIGTERM ends it with exit 0.
 */
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { cli, MAIN } from './run-cli.js';

describe('mcp-jobs serve', () => {
  it('stdio: an SDK client lists the tools and runs a job; the CLI sees the job', async () => {
    const cwd = tempDir();
    const transport = new StdioClientTransport({ command: process.execPath, args: [MAIN, 'serve'], cwd, env: { PATH: process.env.PATH ?? '' }, stderr: 'pipe' });
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(transport);
    const pid = transport.pid!;
    try {
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toEqual(expect.arrayContaining(['simulate', 'get_job_status', 'get_job_results', 'list_jobs', 'cancel_job']));
      const started = await client.callTool({ name: 'simulate', arguments: { steps: 2, step_ms: 10 } }, CallToolResultSchema);
      const jobId = (started.structuredContent as { job_id: string }).job_id;
      await waitFor(async () => {
        const status = await client.callTool({ name: 'get_job_status', arguments: { job_id: jobId } }, CallToolResultSchema);
        return (status.structuredContent as { status: string }).status === 'completed';
      }, 'the job to complete');
      const listed = JSON.parse((await cli(['list', '--json'], { cwd })).stdout) as { jobs: { id: string; status: string }[] };
      expect(listed.jobs).toEqual([expect.objectContaining({ id: jobId, status: 'completed' })]);
    } finally {
      await client.close();
    }
    await waitFor(() => !pidAlive(pid), 'the server to exit after the client left', 5_000);
  });

  it('--http: serves /healthz; SIGTERM stops it with exit 0', async () => {
    const cwd = tempDir();
    const child = spawn(process.execPath, [MAIN, 'serve', '--http', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], 'the listening line', 10_000);
      const health = await fetch(new URL('/healthz', url));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ queued: 0, running: 0 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toBe('');
  });
});
