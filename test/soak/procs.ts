/**
 * Processes seen from /proc: the soak's workers (found by their `--job-dir`
 * under the soak's jobs folder) and every process that still belongs to the
 * soak's temp folder at the end (cmdline, environ or cwd), i.e. orphans.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** True while `pid` exists and is not a zombie. */
export function aliveNotZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function pids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

export interface Worker {
  pid: number;
  jobId: string;
}

/** Live worker processes of jobs under `jobsDir` (`... --job-dir <jobsDir>/<id>`). */
export function findWorkers(jobsDir: string): Worker[] {
  const workers: Worker[] = [];
  for (const pid of pids()) {
    const argv = read(`/proc/${pid}/cmdline`).split('\0');
    const at = argv.indexOf('--job-dir');
    const dir = at >= 0 ? argv[at + 1] : undefined;
    if (!dir?.startsWith(`${jobsDir}/`) || !aliveNotZombie(pid)) continue;
    workers.push({ pid, jobId: dir.slice(jobsDir.length + 1) });
  }
  return workers;
}

export interface Orphan {
  pid: number;
  cmdline: string;
  why: 'cmdline' | 'environ' | 'cwd';
}

/** Every live process other than this one whose cmdline, environment or cwd names `root`. */
export function processesUnder(root: string): Orphan[] {
  const found: Orphan[] = [];
  for (const pid of pids()) {
    if (pid === process.pid || !aliveNotZombie(pid)) continue;
    const cmdline = read(`/proc/${pid}/cmdline`).split('\0').join(' ').trim();
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // not ours to read, or gone
    }
    const why = cmdline.includes(root) ? 'cmdline' : read(`/proc/${pid}/environ`).includes(root) ? 'environ' : cwd === root || cwd.startsWith(`${root}/`) ? 'cwd' : undefined;
    if (why) found.push({ pid, cmdline: cmdline.slice(0, 300), why });
  }
  return found;
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
