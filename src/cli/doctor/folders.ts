/** Doctor: the jobs and state folders exist, are folders, and this user may read and write them. */
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ACTIVE_DIR, STAGING_DIR } from '../../store/paths.js';
import { finding, type DoctorContext, type Finding } from './findings.js';

/** Staging folders older than this are leftovers of a submit that crashed. */
const STAGING_LEFTOVER_MS = 60_000;

async function checkFolder(label: string, dir: string): Promise<Finding> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    if (info.code === 'ENOENT') return finding('folders', 'warn', `${label} folder ${dir} does not exist yet`, { fix: 'it is created at first use (serve, run, submit); check --jobs-dir / --state-dir if you expected one' });
    return finding('folders', 'problem', `${label} folder ${dir}: ${info.message}`, { fix: 'check the path and its permissions' });
  }
  if (!info.isDirectory()) return finding('folders', 'problem', `${label} folder ${dir} is not a folder`, { fix: 'point --jobs-dir / --state-dir at a folder' });
  try {
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return finding('folders', 'problem', `${label} folder ${dir} is not readable and writable by this user (uid ${process.getuid?.() ?? '?'})`, {
      fix: `give this user read, write and search permission (chown / chmod u+rwx ${dir})`,
    });
  }
  return finding('folders', 'ok', `${label} folder ${dir} is readable and writable`);
}

export async function checkFolders(ctx: DoctorContext): Promise<Finding[]> {
  const { store, state } = ctx.manager;
  const found = [await checkFolder('jobs', store.root), await checkFolder('state', state.root)];
  if (!ctx.jobsDirExists) return found;
  const index = await stat(join(store.root, ACTIVE_DIR)).catch(() => undefined);
  if (!index) found.push(finding('index', 'warn', `the index ${join(store.root, ACTIVE_DIR)} is missing`, { fix: 'the next manager rebuilds it from the job folders (or run doctor --fix)', repair: { kind: 'rebuild-index' } }));
  const staging = join(store.root, STAGING_DIR);
  for (const name of await readdir(staging).catch(() => [] as string[])) {
    const path = join(staging, name);
    const info = await stat(path).catch(() => undefined);
    if (info && ctx.now - info.mtimeMs > STAGING_LEFTOVER_MS) {
      found.push(finding('folders', 'warn', `${path} is a leftover of a submit that did not finish`, { fix: 'harmless; the next manager start removes it (or run doctor --fix)', repair: { kind: 'remove-staging', path } }));
    }
  }
  return found;
}
