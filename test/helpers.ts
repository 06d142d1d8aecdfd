/** Shared test helpers: temp folders, waiting on conditions with a deadline (never sleep-and-hope). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const DIST = join(ROOT, 'dist');

const created: string[] = [];

/** Removes a folder whole; a worker still writing into it is no reason to fail a test. */
function remove(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch (error) {
    process.stderr.write(`[test cleanup] could not remove ${dir}: ${(error as Error).message}\n`);
  }
}

// One hook per test file, registered when the file imports this module (a hook registered from
// inside a running test may never run): every folder the file created goes, pass or fail.
afterAll(() => {
  for (const dir of created.splice(0)) remove(dir);
});

/**
 * A fresh temp folder, removed after the test file. It lives in the run's folder
 * (test/global-setup.ts), which the end of the run removes whole in any case.
 */
export function tempDir(prefix = 'mcp-jobs-'): string {
  const base = process.env.MCP_JOBS_TEST_RUN ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  created.push(dir);
  return dir;
}

/** Polls `check` until it returns a truthy value, or throws after `timeoutMs` with `what` in the message. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True while a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
