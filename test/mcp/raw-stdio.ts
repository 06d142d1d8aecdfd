/**
 * A raw line-level client for `node dist/server.js`: writes any bytes as a
 * frame and reads back every JSON line the server writes, so tests can send
 * what an SDK Client never would (malformed JSON, huge frames, bad params).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll } from 'vitest';
import { waitFor } from '../helpers.js';
import { SERVER } from './helpers.js';

export type Reply = { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } } & Record<string, unknown>;

export interface RawServer {
  child: ChildProcessWithoutNullStreams;
  /** Every line the server wrote to stdout that was not valid JSON (must stay empty). */
  garbage: string[];
  stderr(): string;
  exited(): boolean;
  /** Writes `frame` (a string as is, anything else as JSON) plus a newline. */
  send(frame: unknown): void;
  /** Waits for the first unseen reply that `match` accepts, and consumes it. */
  reply(match: (reply: Reply) => boolean, what: string, timeoutMs?: number): Promise<Reply>;
  /** The reply to request `id`. */
  replyTo(id: string | number, timeoutMs?: number): Promise<Reply>;
  close(): Promise<void>;
}

export async function startRawServer(cwd: string, args: string[] = []): Promise<RawServer> {
  const child = spawn(process.execPath, [SERVER, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  let exitedFlag = false;
  child.on('exit', () => (exitedFlag = true));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const replies: Reply[] = [];
  const garbage: string[] = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        replies.push(JSON.parse(line) as Reply);
      } catch {
        garbage.push(line.slice(0, 200));
      }
    }
  });
  child.stdin.on('error', () => {}); // a server that died shows up as `exited()`, not as an EPIPE in the test
  const server: RawServer = {
    child,
    garbage,
    stderr: () => stderr,
    exited: () => exitedFlag,
    send(frame) {
      child.stdin.write(`${typeof frame === 'string' ? frame : JSON.stringify(frame)}\n`);
    },
    async reply(match, what, timeoutMs = 10_000) {
      return waitFor(
        () => {
          if (exitedFlag) throw new Error(`the server exited (stderr: ${stderr.slice(-500)})`);
          const index = replies.findIndex(match);
          return index === -1 ? undefined : replies.splice(index, 1)[0];
        },
        what,
        timeoutMs,
        5,
      );
    },
    replyTo(id, timeoutMs) {
      return server.reply((reply) => reply.id === id && ('result' in reply || 'error' in reply), `the reply to request ${JSON.stringify(id)}`, timeoutMs);
    },
    async close() {
      if (exitedFlag) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
  afterAll(() => {
    if (!exitedFlag) child.kill('SIGKILL');
  });
  server.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  await server.replyTo('init', 15_000);
  server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return server;
}
