/**
 * A job's input from the command line: `--input <file>` (a JSON file, `-` for
 * stdin) or `--input-json <string>`. Exactly one; unreadable files and bad
 * JSON are usage errors (exit 2) before anything is created. Also the other
 * options of a new job (`run`, `submit`).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from './exit-codes.js';
import { intOption, secondsOption } from './options.js';
import type { SubmitOptions } from '../types.js';

export interface InputOptions {
  input?: string;
  inputJson?: string;
}

/** What `addNewJobOptions` parses for `run` and `submit`. */
export interface NewJobOptions extends InputOptions {
  priority?: number;
  /** Milliseconds (parsed from seconds or a duration). */
  timeout?: number;
}

/** The runner's submit options from `--priority` and `--timeout`. */
export function submitOptionsFrom(options: NewJobOptions): SubmitOptions {
  return { ...(options.priority === undefined ? {} : { priority: options.priority }), ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }) };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJobInput(options: InputOptions): Promise<unknown> {
  const { input, inputJson } = options;
  if (input !== undefined && inputJson !== undefined) throw new CliError('Give the input once: `--input <file>` or `--input-json <string>`, not both');
  if (input === undefined && inputJson === undefined) throw new CliError('Missing the job input: `--input <file>` (a JSON file, - for stdin) or `--input-json <string>`');
  let text: string;
  let source: string;
  if (inputJson !== undefined) {
    text = inputJson;
    source = '`--input-json`';
  } else if (input === '-') {
    text = await readStdin();
    source = 'the input on stdin';
  } else {
    source = `the input file \`${input}\``;
    try {
      text = await readFile(input!, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(`Cannot read ${source}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source[0]!.toUpperCase()}${source.slice(1)} is not valid JSON: ${(error as Error).message}`);
  }
}

/** `--input`, `--input-json`, `--priority`, `--timeout`, `--max-concurrent`: the options of `run` and `submit`. */
export function addNewJobOptions(command: Command): Command {
  return command
    .option('--input <file>', 'the job input: a JSON file (- reads stdin)')
    .option('--input-json <string>', 'the job input as a JSON string')
    .option('--priority <n>', 'higher runs first, -1000..1000 (default 0)', intOption('--priority', -1000, 1000))
    .option('--timeout <seconds>', 'timeout of each attempt: seconds or a duration like 10m; 0 = none (default: the type\'s)', secondsOption('--timeout'))
    .option('--max-concurrent <n>', 'cap on running jobs of the folder (default: the number of CPUs)', intOption('--max-concurrent', 1, 10_000));
}
