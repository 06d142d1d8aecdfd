/**
 * HTTP session caps per principal, over real HTTP on 127.0.0.1 (`node
 * dist/server.js --http --port 0 --auth-tokens ...`), two principals:
 * one principal opening sessions never locks out another; at its cap the
 * principal's oldest idle session is evicted, a busy one never is, and when
 * all are busy the answer is a clear 429; idle sessions expire.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../helpers.js';
import { SERVER } from './helpers.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef00';
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startHttp(args: string[]): Promise<URL> {
  const dir = tempDir();
  const tokensFile = join(dir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify({ [ALICE]: 'alice', [BOB]: 'bob' }), { mode: 0o600 });
  const child = spawn(process.execPath, [SERVER, '--http', '--port', '0', '--auth-tokens', tokensFile, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new URL(await waitFor(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], 'the listening line', 15_000, 20).catch(() => {
    throw new Error(`the server did not start: ${stderr}`);
  }));
}

function post(url: URL, token: string, body: unknown, sessionId?: string): Promise<{ status: number; body: string; sessionId?: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` };
  if (sessionId) Object.assign(headers, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' });
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      const id = res.headers['mcp-session-id'];
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ...(typeof id === 'string' ? { sessionId: id } : {}) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };

const toolCall = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** Sends a request whose answer takes a while; resolves once the server has started answering (the session is busy), with the final body. */
function busy(url: URL, token: string, sessionId: string, body: unknown): Promise<{ done: Promise<string> }> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  return new Promise<{ done: Promise<string> }>((resolveStarted, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      resolveStarted({ done: new Promise<string>((resolveDone) => res.on('end', () => resolveDone(text))) });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Opens a session with a bare initialize; returns its id (or the refusal). */
async function open(url: URL, token: string): Promise<{ status: number; body: string; sessionId?: string }> {
  return post(url, token, initialize);
}

describe('HTTP sessions per principal', () => {
  it('one principal opening 120 sessions does not lock out another', async () => {
    const url = await startHttp([]);
    for (let i = 0; i < 120; i++) {
      const opened = await open(url, ALICE);
      expect(opened.status).toBe(200);
    }
    const bob = await open(url, BOB);
    expect(bob.status).toBe(200);
    expect((await post(url, BOB, ping, bob.sessionId)).status).toBe(200);
  });

  it("at its cap, a principal's oldest idle session is evicted, never a busy one; all busy: 429", async () => {
    const url = await startHttp(['--max-sessions-per-principal', '2']);
    const first = (await open(url, ALICE)).sessionId!; // the oldest: kept busy by a wait_for_job in flight
    const started = await post(url, ALICE, toolCall(3, 'simulate', { steps: 400, step_ms: 100 }), first);
    const job = /"job_id\\?":\\?"([a-z0-9-]+)/.exec(started.body)?.[1];
    expect(job).toBeDefined();
    const waiting = await busy(url, ALICE, first, toolCall(4, 'wait_for_job', { job_id: job, timeout_s: 30 }));
    const idle = (await open(url, ALICE)).sessionId!;
    expect((await post(url, ALICE, ping, idle)).status).toBe(200);

    const third = await open(url, ALICE); // evicts `idle`, not the older busy one
    expect(third.status).toBe(200);
    expect((await post(url, ALICE, ping, idle)).status).toBe(404);
    expect((await post(url, ALICE, ping, first)).status).toBe(200);

    const waiting2 = await busy(url, ALICE, third.sessionId!, toolCall(5, 'wait_for_job', { job_id: job, timeout_s: 30 }));
    const refused = await open(url, ALICE); // both sessions busy
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error.message).toMatch(/`alice` has 2 sessions.*busy/);

    expect((await open(url, BOB)).status).toBe(200); // bob is not affected
    await post(url, ALICE, toolCall(6, 'cancel_job', { job_id: job }), first);
    for (const body of [await waiting.done, await waiting2.done]) expect(body).toMatch(/"finished\\?":true/); // never cut off
  });

  it('idle sessions expire after the idle time', async () => {
    const url = await startHttp(['--session-idle-s', '1']);
    const opened = await open(url, ALICE);
    expect((await post(url, ALICE, ping, opened.sessionId)).status).toBe(200);
    await waitFor(async () => (await post(url, ALICE, ping, opened.sessionId)).status === 404 || undefined, 'the idle session to expire', 10_000, 1_200);
  });
});

describe('HTTP message edges', () => {
  it('answers a request whose params are not an object with -32602 for its id, and a bad id with -32600', async () => {
    const url = await startHttp([]);
    const session = (await open(url, ALICE)).sessionId!;
    for (const params of [[], 'x', 5, null]) {
      const reply = await post(url, ALICE, { jsonrpc: '2.0', id: 9, method: 'tools/call', params }, session);
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body)).toMatchObject({ id: 9, error: { code: -32602, message: expect.stringMatching(/`params` must be an object/) } });
    }
    const badId = await post(url, ALICE, { jsonrpc: '2.0', id: { x: 1 }, method: 'ping' }, session);
    expect(JSON.parse(badId.body)).toMatchObject({ id: null, error: { code: -32600 } });
    expect((await post(url, ALICE, ping, session)).status).toBe(200);
  });
});
