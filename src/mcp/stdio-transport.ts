/**
 * Our stdio transport: newline-delimited JSON-RPC on a readable and a
 * writable stream. It replaces the SDK's StdioServerTransport, which closes
 * the whole connection (and so the server) on a frame over its 10 MiB buffer
 * and answers nothing to a frame that does not parse. Here:
 *
 * - a frame over `maxFrameBytes` is discarded as it streams in (memory stays
 *   bounded) and answered with -32600 for its id when the id is near the
 *   start of the frame (else id null); the connection stays up;
 * - a frame that is not JSON is answered with -32700, id null;
 * - anything that parses is handed on as is, own `__proto__` keys included;
 *   the message guard (message-guard.ts) checks its shape.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { clipText } from '../errors.js';
import { frameId } from './frame-id.js';
import { rpcErrorMessage } from './message-guard.js';

export const DEFAULT_MAX_FRAME_BYTES = 10 * 1024 * 1024;
/** What of an oversized frame is kept to find its id. */
const ID_PREFIX_BYTES = 4096;

const mib = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

export class JsonLineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private size = 0;
  /** Set while the rest of an oversized frame is skipped: its first bytes. */
  private oversized: Buffer | undefined;
  private closed = false;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  private readonly onData = (chunk: Buffer | string) => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    while (from < data.length) {
      const nl = data.indexOf(0x0a, from);
      this.take(data.subarray(from, nl === -1 ? data.length : nl));
      if (nl === -1) break;
      this.endFrame();
      from = nl + 1;
    }
  };

  private readonly onInputError = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
  }

  private take(part: Buffer): void {
    if (this.oversized || part.length === 0) return;
    if (this.size + part.length > this.maxFrameBytes) {
      this.oversized = Buffer.concat([...this.chunks, part]).subarray(0, ID_PREFIX_BYTES);
      this.chunks = [];
      this.size = 0;
      return;
    }
    this.chunks.push(part);
    this.size += part.length;
  }

  private endFrame(): void {
    if (this.oversized) {
      const id = frameId(this.oversized.toString('utf8'));
      this.oversized = undefined;
      this.reply(id ?? null, -32600, `Invalid Request: the message is over ${mib(this.maxFrameBytes)} (the stdio frame limit) and was discarded`);
      return;
    }
    const text = Buffer.concat(this.chunks, this.size).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (text.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.reply(null, -32700, `Parse error: ${clipText((error as Error).message, 200)}`);
      return;
    }
    this.onmessage?.(message as JSONRPCMessage);
  }

  private reply(id: string | number | null, code: number, message: string): void {
    this.send(rpcErrorMessage(id, code, message)).catch((error: Error) => this.onerror?.(error));
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.output.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    if (this.input.listenerCount('data') === 0) this.input.pause?.();
    this.chunks = [];
    this.oversized = undefined;
    this.onclose?.();
  }
}
