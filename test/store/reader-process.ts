/**
 * A reader in another process: reads a JSON file in a tight loop until a stop
 * file appears, counting reads, torn reads (missing, empty, unparsable) and
 * distinct `n` values seen. It reports its count of reads on every read as a
 * byte on stdout, so the writer can pace its writes against real reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
const { readFileSync, existsSync } = require('node:fs');
const [path, stop] = process.argv.slice(1);
let reads = 0, torn = 0;
const seen = new Set();
const examples = [];
process.stdout.write('r');
while (!existsSync(stop)) {
  try {
    seen.add(JSON.parse(readFileSync(path, 'utf8')).n);
  } catch (error) {
    torn += 1;
    if (examples.length < 3) examples.push(String(error.message).slice(0, 80));
  }
  reads += 1;
  process.stdout.write('.');
}
process.stdout.write('\\n' + JSON.stringify({ reads, torn, distinct: seen.size, examples }) + '\\n');
`;

export interface ReaderReport {
  reads: number;
  torn: number;
  distinct: number;
  examples: string[];
}

export class ReaderProcess {
  reads = 0;
  readonly ready: Promise<void>;
  readonly done: Promise<ReaderReport>;
  private readonly proc: ChildProcess;

  constructor(path: string, stopFile: string) {
    this.proc = spawn(process.execPath, ['-e', SCRIPT, path, stopFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    let onReady!: () => void;
    this.ready = new Promise((resolve) => (onReady = resolve));
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.startsWith('r')) onReady();
      for (const c of chunk) if (c === '.') this.reads += 1;
      text += chunk;
    });
    this.done = new Promise((resolve, reject) =>
      this.proc.once('exit', (code) => {
        const line = text.trim().split('\n').at(-1) ?? '';
        if (code !== 0) reject(new Error(`reader exited ${code}`));
        else resolve(JSON.parse(line) as ReaderReport);
      }),
    );
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}
