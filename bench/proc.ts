/** Timing child processes from spawn to exit, the way the benchmarks compare a managed job with its floor. */
import { spawn } from 'node:child_process';
import { now } from './lib.js';

export interface TimedRun {
  /** Milliseconds from just before `spawn()` to the `exit` event. */
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `argv` (no shell), stdio ignored, and measures spawn → exit. Rejects if it cannot start. */
export function timeSpawn(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<TimedRun> {
  const [program, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn(program, args, { stdio: 'ignore', env });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ ms: now() - started, code, signal }));
  });
}

/** Like `timeSpawn`, but rejects unless the process exits 0. */
export async function timeSpawnOk(argv: readonly string[], what: string): Promise<number> {
  const run = await timeSpawn(argv);
  if (run.code !== 0) throw new Error(`bench: ${what} exited with ${run.code ?? run.signal}`);
  return run.ms;
}

/** Runs `argv` and returns its stdout (for the startup child, which reports one JSON line). */
export function runForOutput(argv: readonly string[], timeoutMs = 120_000): Promise<string> {
  const [program, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`bench: ${argv.slice(1).join(' ')} exited with ${code ?? signal}: ${err.trim().slice(-2000)}`));
    });
  });
}

/** Kills a process we started, ignoring one that is already gone. */
export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
