/**
 * The stdio server: one McpServer on stdin/stdout. stdout carries only
 * protocol messages (logs go to stderr and to MCP logging notifications). The
 * server stops when stdin ends (the client went away) or stdout breaks. The
 * transport is our own (stdio-transport.ts): a bad frame gets an error reply
 * and the connection stays up.
 */
import { JobsError, describeValue } from '../errors.js';
import { log } from '../log.js';
import type { JobManager } from '../runner/job-manager.js';
import { createJobsMcpServer, type JobsMcpServerOptions } from './server-factory.js';
import { JsonLineTransport } from './stdio-transport.js';

export interface StdioHandle {
  /** Resolves when the client has gone (stdin ended, stdout broke) or `close()` was called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

export interface StdioServeOptions extends JobsMcpServerOptions {
  /** A frame (one JSON-RPC message) over this many bytes is answered with an error and discarded. Default 10 MiB. */
  maxFrameBytes?: number;
}

export async function serveStdio(runner: JobManager, options: StdioServeOptions = {}, streams?: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream }): Promise<StdioHandle> {
  const stdin = streams?.stdin ?? process.stdin;
  // eslint-disable-next-line no-restricted-properties -- stdout is the protocol channel this transport owns
  const stdout = streams?.stdout ?? process.stdout;
  const { maxFrameBytes, ...serverOptions } = options;
  if (maxFrameBytes !== undefined && (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1)) {
    throw new JobsError('invalid_option', `Expected \`maxFrameBytes\` to be a positive integer, got ${describeValue(maxFrameBytes)}`);
  }
  const jobs = createJobsMcpServer(runner, { ...serverOptions, listTasks: false });
  const transport = new JsonLineTransport(stdin, stdout, maxFrameBytes);

  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.resolve().then(async () => {
      stdin.off('end', onEnd);
      stdout.off('error', onOutputError);
      await jobs.close();
      markClosed();
    });
    return closing;
  };
  const onEnd = () => {
    log.info('stdin ended: the client has gone');
    void close();
  };
  const onOutputError = (error: Error) => {
    log.warn(`stdout: ${error.message}; stopping`);
    void close();
  };
  stdin.on('end', onEnd);
  stdout.on('error', onOutputError);
  transport.onclose = () => void close();
  await jobs.server.connect(transport);
  return { closed, close };
}
