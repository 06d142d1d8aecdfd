/**
 * Doctor: do file events arrive in the jobs folder? The reconciler learns of
 * results by chokidar events, and by its scans when events do not come
 * (network and some FUSE file systems). The probe watches a temporary folder
 * `jobs/.doctor-<random>/`, renames a file into it as a worker does, waits
 * for the event, and removes the folder again. Also reports inotify limits.
 */
import { watch } from 'chokidar';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finding, type DoctorContext, type Finding } from './findings.js';

const PROBE_TIMEOUT_MS = 3_000;

async function inotifyLimit(): Promise<number | undefined> {
  const text = await readFile('/proc/sys/fs/inotify/max_user_watches', 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text.trim());
}

export async function checkWatcher(ctx: DoctorContext): Promise<Finding[]> {
  if (!ctx.jobsDirExists) return [];
  const found: Finding[] = [];
  const running = ctx.jobs.filter((job) => job.record?.status === 'running').length;
  const limit = await inotifyLimit();
  if (limit !== undefined && limit < running + 64) {
    found.push(finding('watcher', 'warn', `fs.inotify.max_user_watches is ${limit}; the server watches one folder per running job (${running} now)`, { fix: 'raise it: sysctl fs.inotify.max_user_watches=524288' }));
  }
  let probe: string;
  try {
    probe = await mkdtemp(join(ctx.manager.store.root, '.doctor-'));
  } catch (error) {
    return [...found, finding('watcher', 'warn', `cannot probe file events: ${(error as Error).message}`)];
  }
  const watcher = watch([], { ignoreInitial: true, depth: 0, atomic: false });
  try {
    const started = performance.now();
    const arrived = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
      watcher.on('add', (path) => {
        if (path.endsWith('results.json')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      watcher.on('error', () => resolve(false));
    });
    await new Promise<void>((resolve) => {
      watcher.once('ready', () => resolve());
      watcher.add(probe);
    });
    await writeFile(join(probe, 'results.json.tmp'), '{}\n');
    await rename(join(probe, 'results.json.tmp'), join(probe, 'results.json'));
    if (await arrived) found.push(finding('watcher', 'ok', `file events arrive in ${ctx.manager.store.root} (${Math.round(performance.now() - started)} ms)`));
    else {
      found.push(finding('watcher', 'warn', `no file event arrived within ${PROBE_TIMEOUT_MS / 1000} s in ${ctx.manager.store.root} (a network or FUSE file system?)`, {
        fix: 'the reconciler still notices ends by its scans (every 30 s by default): lower scanIntervalMs for faster results',
      }));
    }
  } finally {
    await watcher.close();
    await rm(probe, { recursive: true, force: true });
  }
  return found;
}
