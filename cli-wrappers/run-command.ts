/**
 * run_command: runs one program with arguments (an argv array; never a shell)
 * and returns its exit code and the tails of its output. The full output is
 * streamed to the job's stdout.log / stderr.log.
 *
 * A runner registers this type only when its options name an allowlist
 * (`allowCommands` / `--allow-command`), and submit refuses any `argv[0]` the
 * allowlist does not name. A non-zero exit code is a completed job whose result
 * says so; a program that cannot start fails the job.
 *
 * `command_timeout_s` is this wrapper's own limit on the program: past it the
 * program is killed (SIGKILL) and the job completes with `timed_out: true`.
 * It is not the job's timeout: that is `timeout_s` of every start tool (the job
 * fails with kind `timeout`). Either way the program's whole tree is stopped:
 * it runs in its own process group with a marker variable every descendant
 * inherits (runner/process-tree.ts), also one that calls setsid.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { stopTree, type TreeSpec } from '../src/runner/process-tree.js';
import { defineWrapper } from '../src/worker/define-wrapper.js';

/** Marks the program's processes (the job's MCP_JOBS_JOB_ID is on this worker too, so it cannot serve). */
const COMMAND_MARKER = 'MCP_JOBS_COMMAND_ID';
/** SIGTERM to SIGKILL when the job is cancelled. */
const STOP_GRACE_MS = 2_000;

const TAIL_BYTES = 4096;

export default defineWrapper(import.meta, {
  name: 'run_command',
  description: 'Run an allowlisted program with arguments (no shell) and return its exit code and output tails.',
  input: (z) =>
    z.strictObject({
      argv: z.array(z.string().max(4096)).min(1).max(256).describe('program and arguments; argv[0] must be allowlisted'),
      cwd: z.string().max(4096).optional().describe('working folder (default: the server\'s)'),
      command_timeout_s: z
        .number()
        .positive()
        .max(86_400)
        .optional()
        .describe('kill the program (and all its descendants) after this many seconds; the job then completes with timed_out: true (the job\'s own limit is timeout_s)'),
    }),
  async run(input, ctx) {
    const started = performance.now();
    const [program, ...args] = input.argv as [string, ...string[]];
    const marker = `${COMMAND_MARKER}=${randomUUID()}`;
    const env = { ...process.env, [COMMAND_MARKER]: marker.slice(COMMAND_MARKER.length + 1) };
    // Its own process group, so the whole tree can be signalled without signalling this worker.
    const child = spawn(program, args, { cwd: input.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const tree = (): TreeSpec => ({ group: child.pid, marker, roots: child.pid === undefined ? [] : [child.pid] });
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
    const limitMs = input.command_timeout_s === undefined ? 0 : Math.max(1, Math.ceil(input.command_timeout_s * 1000));
    const timer = limitMs ? setTimeout(() => ((timedOut = true), void stopTree(tree(), 0, 'SIGKILL')), limitMs) : undefined;
    const onAbort = () => void stopTree(tree(), STOP_GRACE_MS);
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
