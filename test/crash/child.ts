/**
 * Test side of `fixtures/manager-child.mjs`: start a manager in a real child
 * process, read its JSON-line reports, wait on them with deadlines, SIGKILL it.
 * Every child started here is killed in `afterAll` if a test left it running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ROOT, waitFor } from '../helpers.js';

export const CHILD_SCRIPT = join(ROOT, 'test', 'crash', 'fixtures', 'manager-child.mjs');

/** The crash points of `src/runner/crash-points.ts`, in the order a job meets them. */
export const CRASH_POINTS = ['after-submit', 'after-claim', 'after-spawn', 'before-settle', 'before-patch', 'after-state-write'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface JobSpec {
  input: { steps: number; step_ms: number; seed: string };
  statePatch?: { field: string; mode: 'replace' | 'merge' | 'append'; pointer?: string };
  type?: string;
}

export interface ChildConfig {
  jobsDir: string;
  stateDir: string;
  maxConcurrent?: number;
  jobs?: JobSpec[];
  expectJobs?: number;
  exitWhenSettled?: boolean;
  exitAfterSubmit?: boolean;
  launchLog?: string;
  /** Load, report `waiting`, and start the manager only once this file exists. */
  startWhenExists?: string;
  /** Submit `jobs` only once this file exists. */
  submitWhenExists?: string;
  /** Once settled, report status(id) and result(id) of each. */
  query?: string[];
  options?: Record<string, unknown>;
  /** store-init-loop.mjs only: how many start-ups. */
  cycles?: number;
}

export interface ChildEvent {
  event: string;
  t: number;
  childPid: number;
  id?: string;
  [key: string]: unknown;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ChildProcess>();
afterAll(() => {
  for (const proc of live) proc.kill('SIGKILL');
});

export class ManagerChild {
  readonly events: ChildEvent[] = [];
  stderr = '';
  exit: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;
  private readonly proc: ChildProcess;
  private partial = '';

  /** `script`: another fixture that speaks the same JSON lines (default: the manager child). */
  constructor(config: ChildConfig, crashAt?: CrashPoint, script = CHILD_SCRIPT) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.MCP_JOBS_CRASH_AT;
    if (crashAt) env.MCP_JOBS_CRASH_AT = crashAt;
    this.proc = spawn(process.execPath, [script, JSON.stringify(config)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.proc);
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onData(chunk));
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => {
        live.delete(this.proc);
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  get pid(): number {
    return this.proc.pid!;
  }

  private onData(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as ChildEvent);
  }

  /** Events named `name` so far. */
  named(name: string): ChildEvent[] {
    return this.events.filter((e) => e.event === name);
  }

  /** Waits for an event matching `match`; fails early, with the child's stderr, if the child exits first. */
  async waitEvent(match: (e: ChildEvent) => boolean, what: string, timeoutMs = 15_000): Promise<ChildEvent> {
    type Seen = { found: ChildEvent } | { exit: ExitInfo } | undefined;
    const seen = await waitFor((): Seen => {
      const found = this.events.find(match);
      return found ? { found } : this.exit ? { exit: this.exit } : undefined;
    }, what, timeoutMs).catch((error: Error) => {
      throw new Error(`${error.message}; last events: ${this.events.slice(-5).map((e) => e.event).join(', ')}; stderr:\n${this.stderr}`);
    });
    if ('found' in seen) return seen.found;
    throw new Error(`child exited (${JSON.stringify(seen.exit)}) before ${what}; stderr:\n${this.stderr}`);
  }

  /** Waits until the child has exited (on its own, or by its crash point). */
  async waitExit(what: string, timeoutMs = 15_000): Promise<ExitInfo> {
    return waitFor(() => this.exit, `${what} (stderr so far:\n${this.stderr})`, timeoutMs);
  }

  /** A real SIGKILL from outside; resolves once the process is gone. */
  async kill(): Promise<ExitInfo> {
    if (!this.exit) this.proc.kill('SIGKILL');
    return this.exited;
  }
}

/** Runs a child to its end: settled and exited 0, or (with `crashAt`) dead by its own SIGKILL. */
export async function runChild(config: ChildConfig, crashAt?: CrashPoint, timeoutMs = 30_000): Promise<ManagerChild> {
  const child = new ManagerChild(config, crashAt);
  if (crashAt) {
    const exit = await child.waitExit(`the child to SIGKILL itself at ${crashAt}`, timeoutMs);
    if (exit.signal !== 'SIGKILL') throw new Error(`expected the child to die at ${crashAt}, got ${JSON.stringify(exit)}; stderr:\n${child.stderr}`);
    return child;
  }
  await child.waitEvent((e) => e.event === 'settled', 'the child to settle every job', timeoutMs);
  const exit = await child.waitExit('the child to exit');
  if (exit.code !== 0) throw new Error(`child exited ${JSON.stringify(exit)}; stderr:\n${child.stderr}`);
  return child;
}
