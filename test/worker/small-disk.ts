/**
 * A real, tiny filesystem for disk-full tests: a tmpfs of a few KiB mounted on
 * a temp folder (needs root and a kernel that allows it). Where mounting is not
 * permitted, `smallDisk` returns the reason and the tests skip, saying why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export type SmallDisk = { dir: string; skip?: undefined } | { dir?: undefined; skip: string };

/** Mounts a `sizeKiB` tmpfs on a fresh temp folder, unmounted and removed after the test file. */
export function smallDisk(sizeKiB: number): SmallDisk {
  if (process.platform !== 'linux') return { skip: `a tmpfs mount needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'mounting a tmpfs needs root' };
  const dir = mkdtempSync(join(tmpdir(), 'mcp-jobs-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `mount -t tmpfs is not permitted here: ${(mounted.stderr || mounted.error?.message || '').trim()}` };
  }
  afterAll(() => {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir };
}

/** Says on stderr why a disk-full test did not run (a skip must not be silent). */
export function reportSkip(disk: SmallDisk): void {
  if (disk.skip) process.stderr.write(`disk-full tests skipped: ${disk.skip}\n`);
}
