/**
 * examples/embed.ts, built: the runner added to an existing McpServer next to
 * its own tools, in-process and as a stdio program. Also `registerJobTools`
 * on a server without a task store (plain start tools) and its refusals.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { JobTaskStore, registerJobTools } from '../../src/index.js';
import { DIST, tempDir } from '../helpers.js';
import { call, callOk, distRunner, pollStatus, startSimulate, textOf } from './helpers.js';

const EMBED = join(DIST, 'examples', 'embed.js');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
});

async function connected(server: McpServer): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'embed-test', version: '1' });
  await server.connect(a);
  await client.connect(b);
  cleanup.push(() => client.close());
  return client;
}

describe('examples/embed.ts', () => {
  it('serves its own tool next to the start and job tools, with native tasks', async () => {
    if (!existsSync(EMBED)) throw new Error(`${EMBED} is missing: run \`npm run build\` first`);
    const { createMyServer } = (await import(EMBED)) as typeof import('../../examples/embed.js');
    const dir = tempDir();
    const mine = await createMyServer({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: false });
    cleanup.push(() => mine.close());
    const client = await connected(mine.server);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['add', 'simulate', 'get_job_status', 'wait_for_job']));
    expect(textOf(await call(client, 'add', { a: 2, b: 3 }))).toBe('5');
    const id = await startSimulate(client, { steps: 2, step_ms: 10 });
    await pollStatus(client, id, (s) => s.status === 'completed', 'completion');
    expect(await callOk(client, 'get_job_results', { job_id: id })).toMatchObject({ result: { steps: 2 } });
    let result: unknown;
    for await (const message of client.experimental.tasks.callToolStream({ name: 'simulate', arguments: { steps: 1, step_ms: 0 } }, CallToolResultSchema)) {
      if (message.type === 'result') result = message.result;
    }
    expect(result).toMatchObject({ structuredContent: { steps: 1 } });
  });

  it('runs as a stdio MCP server', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [EMBED], cwd: tempDir(), stderr: 'pipe' });
    const client = new Client({ name: 'embed-stdio', version: '1' });
    await client.connect(transport);
    cleanup.push(() => client.close());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['add', 'simulate', 'health']));
  });
});

describe('registerJobTools on other servers', () => {
  it('without a task store, start tools are plain tools that return a job id at once', async () => {
    const runner = await distRunner(tempDir());
    cleanup.push(() => runner.close());
    const server = new McpServer({ name: 'plain', version: '1' });
    const registered = registerJobTools(server, runner);
    cleanup.push(async () => registered.close());
    expect(registered.tasks).toBe(false);
    const client = await connected(server);
    const simulate = (await client.listTools()).tools.find((t) => t.name === 'simulate')!;
    expect(simulate.execution?.taskSupport ?? 'forbidden').toBe('forbidden');
    const started = await callOk(client, 'simulate', { steps: 50, step_ms: 100 });
    expect(started).toMatchObject({ status: 'queued', job_id: expect.any(String) });
    await callOk(client, 'cancel_job', { job_id: started.job_id as string });
  });

  it('refuses a task store the server was not built with, and registration after connect', async () => {
    const runner = await distRunner(tempDir());
    cleanup.push(() => runner.close());
    expect(() => registerJobTools(new McpServer({ name: 'x', version: '1' }), runner, { taskStore: new JobTaskStore(runner) })).toThrow(/Construct the McpServer with this task store/);
    const server = new McpServer({ name: 'y', version: '1' });
    server.registerTool('noop', { description: 'noop' }, async () => ({ content: [] }));
    await connected(server);
    expect(() => registerJobTools(server, runner)).toThrow(/before connecting/);
  });
});
