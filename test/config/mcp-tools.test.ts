/** Wrappers from the config file as MCP tools: listed with their input schemas, started and finished through a real SDK client. */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/index.js';
import { createJobsMcpServer } from '../../src/mcp/server-factory.js';
import { ROOT, tempDir, waitFor } from '../helpers.js';
import { closeAfter } from './setup.js';

const EXAMPLE_CONFIG = join(ROOT, 'mcp-jobs.config.example.json');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function connect(): Promise<Client> {
  const dir = tempDir();
  const runner = closeAfter(await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: EXAMPLE_CONFIG }));
  const mcp = createJobsMcpServer(runner);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.server.connect(serverSide);
  const client = new Client({ name: 'config-test', version: '1.0.0' });
  await client.connect(clientSide);
  cleanups.push(() => client.close(), () => mcp.close());
  return client;
}

type Structured = Record<string, unknown>;
async function call(client: Client, name: string, args: Structured): Promise<Structured> {
  const result = await client.callTool({ name, arguments: args });
  return result.structuredContent as Structured;
}

describe('config wrappers as MCP tools', () => {
  it('lists the TypeScript and the Python wrapper with their input schemas', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const sieve = tools.find((t) => t.name === 'prime_sieve');
    const words = tools.find((t) => t.name === 'word_count');
    expect(sieve?.description).toContain('Count the primes up to `limit`');
    expect(sieve?.inputSchema).toMatchObject({ type: 'object', required: ['limit'], properties: { limit: { type: 'integer', minimum: 2 } } });
    expect(words?.inputSchema).toMatchObject({ type: 'object', required: ['text'], properties: { text: { type: 'string' } } });
  });

  it('runs both end to end: start tool → job_id → get_job_status → get_job_results; the Python patch lands in get_state', async () => {
    const client = await connect();
    const sieve = await call(client, 'prime_sieve', { limit: 200_000, segment_size: 50_000 });
    const words = await call(client, 'word_count', { text: 'one two two' });
    expect(sieve).toMatchObject({ job_id: expect.any(String), status: 'queued' });
    for (const started of [sieve, words]) {
      await waitFor(async () => (await call(client, 'get_job_status', { job_id: started.job_id })).status === 'completed', `job ${String(started.job_id)}`, 20_000);
    }
    expect(await call(client, 'get_job_results', { job_id: sieve.job_id })).toMatchObject({ status: 'completed', result: { count: 17_984, largest: 199_999, segments: 4 } });
    expect(await call(client, 'get_job_results', { job_id: words.job_id })).toMatchObject({ status: 'completed', result: { words: 3, top: [{ word: 'two', count: 2 }, { word: 'one', count: 1 }] } });
    await waitFor(async () => (await call(client, 'get_state', { field: 'largest_prime' })).value === 199_999, 'the state patch');
  });

  it('refuses bad input as an isError tool result naming the field', async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'prime_sieve', arguments: { limit: 'lots' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('limit');
  });
});
