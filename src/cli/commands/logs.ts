/**
 * `mcp-jobs logs <id> [--stderr] [-f] [-n <lines>]`: the worker's stdout.log
 * (or stderr.log). `-f` follows the file until the job ends (Ctrl-C stops
 * following, exit 130). Read-only.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { Command } from 'commander';
import { assertJobId } from '../../ids.js';
import { JobsError } from '../../errors.js';
import { jobFile } from '../../store/paths.js';
import { SAFE_OPEN_FLAGS } from '../../store/safe-read.js';
import { isTerminal } from '../../types.js';
import { EXIT } from '../exit-codes.js';
import { effectiveStatus, viewJob } from '../job-view.js';
import { printJson, printJsonLine, printRaw } from '../output.js';
import { addCommonOptions, intOption } from '../options.js';
import { openManager, type CommonOptions } from '../runner.js';

interface LogsOptions extends CommonOptions {
  stderr?: boolean;
  follow?: boolean;
  tail?: number;
}

const POLL_MS = 200;

export function logsCommand(): Command {
  const command = new Command('logs')
    .description("print a job's stdout.log (or stderr.log); -f follows it until the job ends")
    .argument('<id>', 'job id')
    .option('--stderr', 'stderr.log instead of stdout.log')
    .option('-f, --follow', 'keep printing new output until the job ends')
    .option('-n, --tail <lines>', 'start with the last <lines> lines only', intOption('--tail', 0, 1_000_000));
  addCommonOptions(command);
  return command.action(async (id: string, options: LogsOptions) => {
    assertJobId(id);
    const manager = await openManager('read', options);
    let view = await viewJob(manager.store, id); // not_found before anything else
    const stream = options.stderr ? 'stderr' : 'stdout';
    const file = jobFile(manager.store.dir(id), stream);
    const decoder = new StringDecoder('utf8');
    const chunks: string[] = [];
    const emit = (bytes: Buffer) => {
      if (!options.json) printRaw(bytes);
      else if (options.follow) printJsonLine({ job_id: id, stream, text: decoder.write(bytes) });
      else chunks.push(decoder.write(bytes));
    };
    let offset = options.tail === undefined ? 0 : await tailOffset(file, options.tail);
    offset = await drain(file, offset, emit);
    if (options.follow) {
      let stopped = false;
      const onSigint = () => (stopped = true);
      process.on('SIGINT', onSigint);
      try {
        while (!stopped && !isTerminal(effectiveStatus(view))) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          view = await viewJob(manager.store, id);
          offset = await drain(file, offset, emit);
        }
        // Lines written just before the worker exited.
        if (!stopped) offset = await drain(file, offset, emit);
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (stopped) process.exitCode = EXIT.interrupted;
    }
    if (options.json && !options.follow) printJson({ job_id: id, stream, text: chunks.join('') + decoder.end() });
  });
}

/**
 * Opens a log for reading like every worker file: a link is not followed, a
 * FIFO is not waited on, only a regular file is read (`storage` otherwise).
 */
async function open(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await openFile(file, SAFE_OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new JobsError('storage', `${file} is a symbolic link; links are not followed`);
    throw error;
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new JobsError('storage', `${file} is not a regular file; not read`);
  }
  return handle;
}

/** Prints the bytes of `file` from `offset` on; returns the new offset (0 again if the file was replaced). */
async function drain(file: string, offset: number, emit: (bytes: Buffer) => void): Promise<number> {
  let handle;
  try {
    handle = await open(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0; // not started yet, or moved aside for a retry
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let at = size < offset ? 0 : offset;
    const buffer = Buffer.alloc(64 * 1024);
    while (at < size) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - at), at);
      if (bytesRead === 0) break;
      emit(Buffer.from(buffer.subarray(0, bytesRead)));
      at += bytesRead;
    }
    return at;
  } finally {
    await handle.close();
  }
}

/** The offset where the last `lines` lines of `file` start. */
async function tailOffset(file: string, lines: number): Promise<number> {
  let handle;
  try {
    handle = await open(file);
  } catch (error) {
    if (error instanceof JobsError) throw error;
    return 0;
  }
  try {
    const { size } = await handle.stat();
    if (lines === 0) return size;
    const block = 64 * 1024;
    let end = size;
    let seen = 0;
    const buffer = Buffer.alloc(block);
    // A final newline ends the last line; it does not start another.
    let skipLast = true;
    while (end > 0) {
      const start = Math.max(0, end - block);
      const { bytesRead } = await handle.read(buffer, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (buffer[i] !== 0x0a) {
          skipLast = false;
          continue;
        }
        if (skipLast) {
          skipLast = false;
          continue;
        }
        seen += 1;
        if (seen === lines) return start + i + 1;
      }
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
