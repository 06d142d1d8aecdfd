/**
 * Transport and call edge cases over real stdio (`node dist/server.js`, raw
 * frames): a frame over the size limit, `tools/call` whose params are not an
 * object, malformed JSON, huge inputs quoted in errors, an own `__proto__`
 * key. Each gets a clear JSON-RPC error (or `isError` result), nothing is
 * created, and the server keeps answering.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { SERVER } from './helpers.js';
import { startRawServer, type RawServer, type Reply } from './raw-stdio.js';

let dir: string;
let server: RawServer;
const jobFolders = () => readdirSync(join(dir, 'jobs')).filter((name) => !name.startsWith('.'));
let nextId = 1;

/** Sends a request and returns its reply. */
async function ask(method: string, params?: unknown): Promise<Reply> {
  const id = nextId++;
  server.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
  return server.replyTo(id);
}

async function stillUp(): Promise<void> {
  expect((await ask('ping')).result).toEqual({});
}

const errorText = (reply: Reply): string =>
  reply.error ? reply.error.message : ((reply.result?.content as { text: string }[] | undefined) ?? []).map((item) => item.text).join('\n');

beforeAll(async () => {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first`);
  dir = tempDir();
  server = await startRawServer(dir);
});
afterAll(async () => {
  await server?.close();
});

describe('stdio transport edges', () => {
  it('answers a frame over the size limit with an error for its id, and stays up', async () => {
    const huge = `{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"simulate","arguments":{"steps":1,"step_ms":1,"pad":"${'a'.repeat(11 * 1024 * 1024)}"}}}`;
    server.send(huge);
    const reply = await server.replyTo('big', 20_000);
    expect(reply.error?.code).toBe(-32600);
    expect(reply.error?.message).toMatch(/over .*10 MiB/);
    await stillUp();
    expect(jobFolders()).toEqual([]);
  });

  it.each([[[]], ['x'], [5], [null]])('answers tools/call with params %j', async (params) => {
    const reply = await ask('tools/call', params);
    expect(reply.error?.code).toBeOneOf([-32600, -32602]);
    expect(reply.error?.message).toMatch(/params/);
    await stillUp();
  });

  it('answers malformed JSON with -32700 and id null', async () => {
    for (const frame of ['{not json', '{"jsonrpc":"2.0","id":1,', '\u0000\u0001', '[1,2', '"unterminated']) {
      server.send(frame);
      const reply = await server.reply((r) => r.error?.code === -32700, `a parse error for ${JSON.stringify(frame)}`);
      expect(reply.id).toBeNull();
      expect(reply.error?.message).toMatch(/^Parse error/);
    }
    await stillUp();
    expect(server.garbage).toEqual([]);
  });

  it('answers JSON that is not a JSON-RPC message with -32600', async () => {
    for (const frame of ['5', '[]', '"x"', 'null', '{"jsonrpc":"1.0","id":3,"method":"ping"}', '{"id":{},"method":"ping","jsonrpc":"2.0"}']) {
      server.send(frame);
      const reply = await server.reply((r) => r.error?.code === -32600, `an invalid-request error for ${frame}`);
      expect(reply.error?.message).toMatch(/^Invalid Request/);
    }
    await stillUp();
  });

  it('caps what an error quotes from a 3 MB input', async () => {
    const big = 'x'.repeat(3_000_000);
    const replies = [
      await ask('tools/call', { name: big, arguments: {} }),
      await ask('tools/call', { name: 'simulate', arguments: { steps: 1, step_ms: 1, [big]: 1 } }),
      await ask('tools/call', { name: 'get_job_status', arguments: { job_id: big } }),
      await ask('tasks/get', { taskId: big }),
      await ask('tools/call', { name: 'simulate', arguments: { steps: big, step_ms: 1 } }),
    ];
    for (const reply of replies) {
      expect(reply.error ?? reply.result?.isError).toBeTruthy();
      expect(JSON.stringify(reply).length).toBeLessThan(4_000);
    }
    for (const reply of replies.slice(0, 4)) expect(errorText(reply)).toMatch(/xxx\.\.\./); // it still quotes the start of what was wrong
    expect(jobFolders()).toEqual([]);
  });

  it('rejects an own "__proto__" key in arguments like any unknown key, and creates no job', async () => {
    const id = nextId++;
    server.send(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"simulate","arguments":{"steps":1,"step_ms":1,"__proto__":{"x":1}}}}`);
    const reply = await server.replyTo(id);
    expect(reply.result?.isError).toBe(true);
    expect(errorText(reply)).toMatch(/__proto__/);
    const nested = nextId++;
    server.send(`{"jsonrpc":"2.0","id":${nested},"method":"tools/call","params":{"name":"simulate","arguments":{"steps":1,"step_ms":1,"state_patch":{"field":"f","mode":"append","__proto__":{}}}}}`);
    const nestedReply = await server.replyTo(nested);
    expect(nestedReply.result?.isError).toBe(true);
    expect(errorText(nestedReply)).toMatch(/__proto__/);
    expect(jobFolders()).toEqual([]);
    await stillUp();
  });
});
