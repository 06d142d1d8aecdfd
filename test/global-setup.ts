/**
 * Global setup of the test run: every temp folder of the run lives under one
 * run folder (env MCP_JOBS_TEST_RUN, read by `tempDir()`), and every process
 * the tests start inherits that variable or names a path inside it. At the end
 * of the run, also when tests failed or timed out: processes still alive that
 * carry the marker (detached workers, manager children, servers) are killed, and
 * the run folder is removed whole.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_ENV = 'MCP_JOBS_TEST_RUN';

/** Pids of live processes that belong to this run: the marker in their environment, or the run folder in their argv. */
export function runProcesses(runRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('vitest')) continue; // the runner and its pool workers end on their own
      const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = status.slice(status.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || Number(fields[1]) === process.pid) continue;
      let environ = '';
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      } catch {
        // not ours to read
      }
      if (environ.split('\0').includes(`${RUN_ENV}=${runRoot}`) || cmdline.includes(runRoot)) pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or gone
      }
    }
  }
}

export default function setup(): () => void {
  const runRoot = mkdtempSync(join(tmpdir(), 'mcp-jobs-run-'));
  process.env[RUN_ENV] = runRoot;
  return () => {
    const left = runProcesses(runRoot);
    if (left.length) {
      process.stderr.write(`[test teardown] killing ${left.length} process(es) the run left running: ${left.join(', ')}\n`);
      killAll(left);
    }
    rmSync(runRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
}
