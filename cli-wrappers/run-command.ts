/**
 * run_command: runs one program with arguments (an argv array; never a shell)
 * and returns its exit code and the tails of its output. The full output is
 * streamed to the job's stdout.log / stderr.log.
 *
 * A runner registers this type only when its options name an allowlist
 * (`allowCommands` / `--allow-command`), and submit refuses any `argv[0]` the
 * allowlist does not name. A non-zero exit code is a completed job whose result
 * says so; a program that cannot start fails the job.
 */
import { spawn } from 'node:child_process';
import { defineWrapper } from '../src/worker/define-wrapper.js';

const TAIL_BYTES = 4096;

export default defineWrapper(import.meta, {
  name: 'run_command',
  description: 'Run an allowlisted program with arguments (no shell) and return its exit code and output tails.',
  input: (z) =>
    z.strictObject({
      argv: z.array(z.string().max(4096)).min(1).max(256).describe('program and arguments; argv[0] must be allowlisted'),
      cwd: z.string().max(4096).optional().describe('working folder (default: the server\'s)'),
      timeout_s: z.number().positive().max(86_400).optional().describe('kill the program after this many seconds'),
    }),
  async run(input, ctx) {
    const started = performance.now();
    const [program, ...args] = input.argv as [string, ...string[]];
    const child = spawn(program, args, { cwd: input.cwd, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const stdout = new Tail(TAIL_BYTES);
    const stderr = new Tail(TAIL_BYTES);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      process.stdout.write(chunk); // eslint-disable-line no-restricted-properties -- the worker's stdout is stdout.log
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      process.stderr.write(chunk);
    });
    let timedOut = false;
    const timer = input.timeout_s ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), input.timeout_s * 1000) : undefined;
    const onAbort = () => child.kill('SIGTERM');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (c, s) => resolve([c, s]));
      });
      ctx.signal.throwIfAborted();
      return {
        exit_code: code,
        signal,
        timed_out: timedOut,
        stdout_tail: stdout.text(),
        stderr_tail: stderr.text(),
        duration_ms: Math.round(performance.now() - started),
      };
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
});

/** Keeps the last `limit` bytes of a stream. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}
