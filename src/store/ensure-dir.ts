/**
 * `ensureDir(path)`: `mkdir -p` that always ends. Node's recursive mkdir loops
 * forever where a parent exists but a child cannot be made in it and the error
 * is ENOENT (e.g. `/proc/nope`: it retries the parent, finds it, retries the
 * child, ...), spinning a core. Here each missing folder is made once, from
 * the top, and any failure is a `storage` error naming the folder.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { JobsError } from '../errors.js';

export async function ensureDir(path: string, mode = 0o777): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined; // ENOTDIR: a file above it, found next
      throw new JobsError('storage', `cannot use \`${dir}\` (${error.code ?? error.message})`, { cause: error });
    });
    if (info?.isDirectory()) break;
    if (info) throw new JobsError('storage', `\`${dir}\` is not a folder`);
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir, { mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Made meanwhile by another process: fine if it is a folder.
      if (code === 'EEXIST' && (await stat(dir).then((s) => s.isDirectory(), () => false))) continue;
      throw new JobsError('storage', `cannot create \`${dir}\` (${code ?? (error as Error).message})`, { cause: error });
    }
  }
}
