/**
 * JsonLineTransport on real streams (PassThrough pairs): framing across and
 * within chunks, CRLF, oversized frames skipped with bounded memory and
 * answered for their id, parse errors answered; and frameId's scan.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/index.js';
import { frameId } from '../../src/mcp/frame-id.js';
import { serveStdio } from '../../src/mcp/stdio.js';
import { JsonLineTransport } from '../../src/mcp/stdio-transport.js';
import { tempDir, waitFor } from '../helpers.js';

function harness(maxFrameBytes?: number) {
  const input = new PassThrough();
  const output = new PassThrough();
  const transport = new JsonLineTransport(input, output, maxFrameBytes);
  const received: unknown[] = [];
  const written: Record<string, unknown>[] = [];
  let pending = '';
  output.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) written.push(JSON.parse(line) as Record<string, unknown>);
  });
  transport.onmessage = (message) => received.push(message);
  return { input, output, transport, received, written };
}

describe('JsonLineTransport', () => {
  it('frames messages split across chunks and several in one chunk, CRLF included', async () => {
    const { input, transport, received } = harness();
    await transport.start();
    input.write('{"jsonrpc":"2.0","id":1,');
    input.write('"method":"ping"}\r\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n\n{"jsonrpc":"2.0"');
    input.write(',"id":3,"method":"ping"}\n');
    await waitFor(() => received.length === 3, 'three messages');
    expect(received.map((m) => (m as { id: number }).id)).toEqual([1, 2, 3]);
  });

  it('keeps an own __proto__ key as an own key', async () => {
    const { input, transport, received } = harness();
    await transport.start();
    input.write('{"jsonrpc":"2.0","id":1,"method":"x","params":{"__proto__":{"a":1}}}\n');
    await waitFor(() => received.length === 1, 'the message');
    expect(Object.keys((received[0] as { params: object }).params)).toEqual(['__proto__']);
  });

  it('skips a frame over the limit as it streams, answers it for its id, and goes on', async () => {
    const { input, transport, received, written } = harness(1024);
    await transport.start();
    input.write('{"jsonrpc":"2.0","id":"big","method":"ping","params":{"pad":"');
    for (let i = 0; i < 100; i++) input.write('a'.repeat(1000));
    input.write('"}}\n{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
    await waitFor(() => written.length === 1 && received.length === 1, 'the error and the next message');
    expect(written[0]).toMatchObject({ id: 'big', error: { code: -32600 } });
    expect((written[0]!.error as { message: string }).message).toMatch(/over 1024 bytes/);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
  });

  it('answers a frame that does not parse with -32700, id null', async () => {
    const { input, transport, written } = harness();
    await transport.start();
    input.write('{"id":5,\n');
    await waitFor(() => written.length === 1, 'the parse error');
    expect(written[0]).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('sends nothing after close, and reports close once', async () => {
    const { transport, written } = harness();
    let closes = 0;
    transport.onclose = () => closes++;
    await transport.start();
    await transport.close();
    await transport.close();
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} } as JSONRPCMessage);
    expect(closes).toBe(1);
    expect(written).toEqual([]);
  });
});

describe('frameId', () => {
  it.each([
    ['{"jsonrpc":"2.0","id":42,"method":"x"', 42],
    ['{"id" : "abc","method"', 'abc'],
    ['  {"params":{"id":1},"id":"outer"', 'outer'],
    ['{"method":"id","id":-3', -3],
    ['{"params":{"id":1}', undefined],
    ['{"a":"\\"id\\":1","id":2', 2],
    ['[{"id":1}', undefined],
    ['{"id":{"x":1}', undefined],
    ['{"id":1e400', undefined],
    ['{"x":"unterminated', undefined],
  ])('%s -> %s', (prefix, expected) => {
    expect(frameId(prefix)).toBe(expected);
  });
});

describe('serveStdio maxFrameBytes', () => {
  const dir = tempDir();
  const runnerPromise = createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), builtins: false, config: false, dispatch: false });
  afterAll(async () => (await runnerPromise).close());

  it('refuses a bad value, and answers a frame over a configured limit while staying up', async () => {
    const runner = await runnerPromise;
    await expect(serveStdio(runner, { maxFrameBytes: 0 }, { stdin: new PassThrough(), stdout: new PassThrough() })).rejects.toThrow(/`maxFrameBytes` to be a positive integer/);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const written: { id?: unknown; error?: { message: string }; result?: unknown }[] = [];
    let pending = '';
    stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) written.push(JSON.parse(line) as (typeof written)[number]);
    });
    const handle = await serveStdio(runner, { maxFrameBytes: 2048 }, { stdin, stdout });
    try {
      stdin.write(`{"jsonrpc":"2.0","id":"big","method":"ping","params":{"pad":"${'p'.repeat(5000)}"}}\n{"jsonrpc":"2.0","id":"small","method":"ping"}\n`);
      await waitFor(() => written.length >= 2, 'two replies');
      expect(written.find((m) => m.id === 'big')?.error?.message).toMatch(/over 2048 bytes/);
      expect(written.find((m) => m.id === 'small')?.result).toEqual({});
    } finally {
      await handle.close();
    }
  });
});
