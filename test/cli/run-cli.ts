/**
 * Runs the built CLI (`node dist/src/cli/main.js ...`) as a real process, in a
 * temp folder, with argv arrays (no shell). `inPty` runs it under a
 * pseudo-terminal (python3's pty module), so it sees a TTY on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from '../helpers.js';

export const MAIN = join(DIST, 'src', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Run under a pseudo-terminal (stdout is a TTY). */
  inPty?: boolean;
  timeoutMs?: number;
  /** Text written to the process's stdin (else stdin is /dev/null). */
  stdin?: string;
  /** Called once the process is started (e.g. to send it a signal later). */
  onSpawn?: (child: ChildProcess) => void;
}

const PTY = 'import os, pty, sys\nstatus = pty.spawn(sys.argv[1:])\nsys.exit(os.waitstatus_to_exitcode(status))';

/** The environment the CLI runs with: no inherited jobs folders, colours allowed unless asked otherwise. */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['MCP_JOBS_DIR', 'MCP_JOBS_STATE_DIR', 'MCP_JOBS_CONFIG', 'NO_COLOR', 'FORCE_COLOR']) if (!(name in extra)) delete env[name];
  return env;
}

export function cli(args: string[], options: CliOptions): Promise<CliResult> {
  const argv = options.inPty ? ['python3', '-c', PTY, process.execPath, MAIN, ...args] : [process.execPath, MAIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: cliEnv(options.env), stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-jobs ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The job folders (ids) under `<cwd>/jobs`. */
export function jobIds(cwd: string): string[] {
  const dir = join(cwd, 'jobs');
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^[a-z0-9-]{16,64}$/.test(name)) : [];
}

/** A job's job.json as the folder holds it. */
export function readRecord(cwd: string, id: string): Record<string, unknown> & { status: string; pid?: number } {
  return JSON.parse(readFileSync(join(cwd, 'jobs', id, 'job.json'), 'utf8')) as Record<string, unknown> & { status: string; pid?: number };
}

/** The lines a command wrote to stderr, without empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trimEnd()).filter(Boolean);
}
