/**
 * A job's input from the command line: `--input <file>` (a JSON file, `-` for
 * stdin) or `--input-json <string>`. Exactly one; unreadable files and bad
 * JSON are usage errors (exit 2) before anything is created.
 */
import { readFile } from 'node:fs/promises';
import { CliError } from './exit-codes.js';

export interface InputOptions {
  input?: string;
  inputJson?: string;
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
