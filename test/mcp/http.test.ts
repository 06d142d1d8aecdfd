/**
 * Streamable HTTP, the real process: `node dist/server.js --http --port 0
 * --auth-tokens tokens.json`, SDK Clients over StreamableHTTPClientTransport.
 * Two principals cannot see each other's jobs; a foreign Host or Origin is
 * refused (DNS rebinding); /healthz; SIGTERM exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../helpers.js';
import { call, callOk, pollStatus, SERVER, startSimulate, textOf } from './helpers.js';

const TOKENS = { 'alice-token-0123456789abcdef': 'alice', 'bob-token-0123456789abcdef00': 'bob' };
const NONEXISTENT = '0000000000-00000000-0000-0000-0000-000000000000';

let child: ChildProcess;
let url: URL;
const clients: Client[] = [];

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

/** A raw HTTP request (node:http lets a test forge the Host header). */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

beforeAll(async () => {
  const dir = tempDir();
  const tokensFile = join(dir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify(TOKENS), { mode: 0o600 });
  child = spawn(process.execPath, [SERVER, '--http', '--port', '0', '--auth-tokens', tokensFile], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const address = await waitFor(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], `the listening line (stderr: ${stderr})`);
  url = new URL(address);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  child?.kill('SIGKILL');
});

describe('HTTP with bearer tokens', () => {
  it('refuses requests without a valid token with 401', async () => {
    const none = await raw('/mcp', { method: 'POST', headers: jsonHeaders, body: initialize });
    expect(none.status).toBe(401);
    const wrong = await raw('/mcp', { method: 'POST', headers: { ...jsonHeaders, authorization: 'Bearer not-a-token-of-ours-at-all' }, body: initialize });
    expect(wrong.status).toBe(401);
  });

  it('two principals cannot see each other\'s jobs', async () => {
    const alice = await connect('alice-token-0123456789abcdef');
    const bob = await connect('bob-token-0123456789abcdef00');
    expect(alice.getServerCapabilities()?.tasks?.list).toEqual({});
    const id = await startSimulate(alice, { steps: 2, step_ms: 20 });
    await pollStatus(alice, id, (s) => s.status === 'completed', 'completion');
    expect(await callOk(alice, 'get_job_results', { job_id: id })).toMatchObject({ result: { steps: 2 } });

    const foreign = await call(bob, 'get_job_results', { job_id: id });
    const missing = await call(bob, 'get_job_results', { job_id: NONEXISTENT });
    expect(foreign.isError).toBe(true);
    expect(textOf(foreign).replace(id, 'X')).toBe(textOf(missing).replace(NONEXISTENT, 'X'));
    expect((await callOk<{ jobs: { job_id: string }[] }>(bob, 'list_jobs')).jobs).toEqual([]);
    expect((await bob.experimental.tasks.listTasks()).tasks).toEqual([]);
    expect((await alice.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toEqual([id]);
    const error = await bob.experimental.tasks.getTask(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
  });

  it("one principal's token cannot use another's session", async () => {
    const alice = await connect('alice-token-0123456789abcdef');
    const sessionId = (alice.transport as StreamableHTTPClientTransport).sessionId!;
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const hijack = await raw('/mcp', { method: 'POST', headers: { ...jsonHeaders, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25', authorization: 'Bearer bob-token-0123456789abcdef00' }, body: list });
    expect(hijack.status).toBe(404);
    const own = await raw('/mcp', { method: 'POST', headers: { ...jsonHeaders, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25', authorization: 'Bearer alice-token-0123456789abcdef' }, body: list });
    expect(own.status).toBe(200);
    expect(own.body).toContain('get_job_status');
  });
});

describe('DNS-rebinding protection and health', () => {
  it('refuses a foreign Host header with 403, on /mcp and /healthz', async () => {
    const headers = { ...jsonHeaders, host: `evil.example:${url.port}`, authorization: 'Bearer alice-token-0123456789abcdef' };
    const mcp = await raw('/mcp', { method: 'POST', headers, body: initialize });
    expect(mcp.status).toBe(403);
    expect(mcp.body).toMatch(/Invalid Host header/);
    expect((await raw('/healthz', { headers: { host: `evil.example:${url.port}` } })).status).toBe(403);
  });

  it('refuses a foreign Origin, accepts a local one', async () => {
    const auth = { authorization: 'Bearer alice-token-0123456789abcdef' };
    const evil = await raw('/mcp', { method: 'POST', headers: { ...jsonHeaders, ...auth, origin: 'http://evil.example' }, body: initialize });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatch(/Invalid Origin header/);
    const local = await raw('/mcp', { method: 'POST', headers: { ...jsonHeaders, ...auth, origin: 'http://localhost:5173' }, body: initialize });
    expect(local.status).toBe(200);
  });

  it('GET /healthz reports counts, the watcher and the last reconcile', async () => {
    const health = await raw('/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', queued: 0, watcher: { watching: true }, last_reconcile: { at: expect.any(String) } });
  });

  it('SIGTERM closes the sessions and exits 0 within 2 s', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
