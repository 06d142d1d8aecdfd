/**
 * The "Bad input" suite: generated calls that must each be refused (see
 * bad-calls.ts), against the real server: our McpServer over InMemoryTransport
 * with a real runner (the message guard included), and raw frames over real
 * stdio (`node dist/server.js`). Every one gets a clear error (a JSON-RPC
 * error or an `isError` result) with its text capped, the server stays up,
 * and no job folder or file is created.
 *
 * Short by default (CI). `npm run fuzz` runs the long variant:
 * FUZZ_CALLS in-process calls (default 300; npm run fuzz: 10,000), FUZZ_FRAMES
 * frames (default 40; npm run fuzz: 2,000), FUZZ_SEED to replay a run.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobsMcpServer, type JobsMcpServer } from '../../src/mcp/server-factory.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { tempDir, waitFor } from '../helpers.js';
import { distRunner } from '../mcp/helpers.js';
import { startRawServer, type RawServer, type Reply } from '../mcp/raw-stdio.js';
import { badMessage, badRequest, type Message } from './bad-calls.js';

const CALLS = Number(process.env.FUZZ_CALLS ?? 300);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 40);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** No reply may be longer than this (error text is capped; 2,000 for messages, 16,000 per isError text). */
const MAX_REPLY_CHARS = 20_000;

/** Every path under `root` with its size: what "nothing was created" is checked against. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.lock')) continue; // the dispatcher's short-lived lock, not something a call created
      const path = join(dir, name);
      const info = statSync(path);
      out.push(`${relative(root, path)}${info.isDirectory() ? '/' : ` ${info.size}`}`);
      if (info.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out.sort();
}

/** A short description of what was sent (a value nested thousands deep overflows JSON.stringify). */
function show(value: unknown): string {
  try {
    return String(JSON.stringify(value)).slice(0, 300);
  } catch {
    return fc.stringify(value).slice(0, 300);
  }
}

/** The reply must be a clear refusal: a JSON-RPC error, or an isError result with text. */
function expectRefusal(reply: Reply, sent: unknown): void {
  const shown = show(sent);
  const size = JSON.stringify(reply).length;
  if (size > MAX_REPLY_CHARS) throw new Error(`a ${size}-character reply to ${shown}`);
  if (reply.error) {
    if (typeof reply.error.code !== 'number' || typeof reply.error.message !== 'string' || !reply.error.message) throw new Error(`an unclear error ${JSON.stringify(reply)} to ${shown}`);
    return;
  }
  const content = reply.result?.content as { type: string; text?: string }[] | undefined;
  if (reply.result?.isError !== true || !content?.[0]?.text) throw new Error(`not refused: ${JSON.stringify(reply).slice(0, 300)} for ${shown}`);
}

const summary: Record<string, number> = {};
afterAll(() => {
  process.stderr.write(`bad-input fuzz: ${JSON.stringify(summary)}\n`);
});

describe('bad input, in process (InMemoryTransport, real runner)', () => {
  let dir: string;
  let runner: JobManager;
  let jobs: JobsMcpServer;
  let peer: InMemoryTransport;
  const replies: Reply[] = [];

  async function exchange(message: unknown): Promise<Reply> {
    await peer.send(message as JSONRPCMessage);
    const id = typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as Message).id : undefined;
    const usable = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
    return waitFor(
      () => {
        const index = replies.findIndex((reply) => (usable ? reply.id === id : reply.id === null || reply.id === undefined) && ('result' in reply || 'error' in reply));
        return index === -1 ? undefined : replies.splice(index, 1)[0];
      },
      `a reply to ${show(message)}`,
      10_000,
      2,
    );
  }

  beforeAll(async () => {
    dir = tempDir();
    runner = await distRunner(dir);
    jobs = createJobsMcpServer(runner, {});
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    peer = clientSide;
    peer.onmessage = (message) => void replies.push(message as Reply);
    await jobs.server.connect(serverSide);
    await peer.start();
    const init = await exchange({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } });
    expect(init.result).toBeDefined();
    await peer.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });
  afterAll(async () => {
    await jobs?.close();
    await runner?.close();
  });

  it(`refuses ${CALLS} generated calls and malformed messages, creating nothing`, async () => {
    const before = tree(dir);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 5, arbitrary: badRequest }, { weight: 1, arbitrary: badMessage }), async (message) => {
        tried++;
        expectRefusal(await exchange(message), message);
      }),
      { numRuns: CALLS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
    );
    expect((await exchange({ jsonrpc: '2.0', id: 'alive', method: 'ping' })).result).toEqual({});
    expect(tree(dir)).toEqual(before);
    expect(replies.filter((reply) => 'id' in reply)).toEqual([]); // nothing answered twice
    summary.inProcessCalls = tried;
  }, 600_000);
});

/** The message as one frame; one too deep for JSON.stringify becomes an equally deep hand-written request. */
function frameText(message: unknown): string {
  try {
    return JSON.stringify(message);
  } catch {
    return `{"jsonrpc":"2.0","id":"deep-${Math.random()}","method":"tools/call","params":{"name":"simulate","arguments":{"steps":1,"step_ms":0,"x":${'['.repeat(5000)}1${']'.repeat(5000)}}}}`;
  }
}

describe('bad input, raw frames over real stdio', () => {
  let dir: string;
  let server: RawServer;
  beforeAll(async () => {
    dir = tempDir();
    server = await startRawServer(dir);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Frames that are not JSON at all, JSON that is not JSON-RPC, and bad requests, as text (no newline inside). */
  const frame = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    fc.constantFrom('{', '}', '{"jsonrpc":"2.0"', '{"id":1,}', 'nul\u0000l', '\u0000', '\ufeff{}', '\u001b[2J', 'NaN', 'Infinity', '{"a":1}{"b":2}', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]'),
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    badRequest.map(frameText),
    badMessage.map(frameText),
  ).filter((text) => !text.includes('\n') && text.replace(/\r$/, '').trim() !== '');

  it(`answers ${FRAMES} generated frames (and two over 10 MiB), stays up, creates nothing`, async () => {
    const before = tree(dir);
    let tried = 0;
    const sendAndCheck = async (text: string) => {
      tried++;
      const pingId = `after-${tried}`;
      server.send(text);
      server.send({ jsonrpc: '2.0', id: pingId, method: 'ping' });
      const pong = await server.replyTo(pingId, 30_000);
      expect(pong.result).toEqual({});
      // Its answer came first: frames are answered in order, except a tool call, which may finish after the ping.
      const answer = await server.reply((reply) => reply.id !== pingId && ('error' in reply || 'result' in reply), `the answer to ${text.slice(0, 120)}`, 10_000);
      expectRefusal(answer, text.slice(0, 300));
    };
    await fc.assert(fc.asyncProperty(frame, sendAndCheck), { numRuns: FRAMES, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true });
    await sendAndCheck(`{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"simulate","arguments":{"steps":1,"step_ms":0,"seed":"${'s'.repeat(10 * 1024 * 1024)}"}}}`);
    await sendAndCheck(`${'['.repeat(11 * 1024 * 1024)}`);
    expect(server.exited()).toBe(false);
    expect(server.garbage).toEqual([]);
    expect(tree(dir)).toEqual(before);
    summary.stdioFrames = tried;
  }, 600_000);
});
