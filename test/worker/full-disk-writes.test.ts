/**
 * Defect 7: an atomic write on a nearly full disk must fail whole, never
 * rename a truncated file into place. On a real 64 KiB tmpfs a write(2) of
 * 100 KB comes back short (the bytes that fit), then ENOSPC.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/store/atomic.js';
import { tempDir } from '../helpers.js';
import { reportSkip, smallDisk } from './small-disk.js';
import { has, jobFolder, jsWrapper, pyWrapper, readJson, runSync } from './wrappers.js';

const disk = smallDisk(64);
reportSkip(disk);
const BIG = 'x'.repeat(100_000); // more than the disk holds

describe.skipIf(disk.skip)('atomic writes on a full disk (a real 64 KiB tmpfs)', () => {
  const dir = disk.dir!;
  afterEach(() => {
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
  });

  it.each([
    ['writeFileAtomicSync', (path: string, data: string) => writeFileAtomicSync(path, data)],
    ['writeFileAtomic', (path: string, data: string) => writeFileAtomic(path, data)],
  ])('%s fails with ENOSPC, keeps the previous file whole and leaves no temp file', async (_name, write) => {
    const path = join(dir, 'results.json');
    writeFileSync(path, '{"previous":true}\n');
    await expect(async () => write(path, BIG)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readFileSync(path, 'utf8')).toBe('{"previous":true}\n');
    expect(readdirSync(dir)).toEqual(['results.json']);
    // Once space is there again the same write succeeds whole.
    await write(path, 'y'.repeat(30_000));
    expect(readFileSync(path, 'utf8')).toHaveLength(30_000);
  });
});

describe.skipIf(disk.skip)('a wrapper whose result does not fit on the disk', () => {
  const scripts = tempDir(); // the wrapper files live off the small disk
  const js = jsWrapper(scripts, 'big_js', `return { payload: 'x'.repeat(100_000) };`);
  const py = pyWrapper(scripts, 'big_py', `return {"payload": "x" * 100000}`);
  afterEach(() => {
    for (const name of readdirSync(disk.dir!)) rmSync(join(disk.dir!, name), { recursive: true, force: true });
  });

  it.each([
    ['TypeScript', js],
    ['Python', py],
  ])('%s runtime: no results.json, error.json says why, exit 1, lock released', (_runtime, script) => {
    const job = jobFolder({}, undefined, disk.dir);
    const r = runSync(script, job);
    expect(r.status).toBe(1);
    expect(has(job, 'results.json')).toBe(false);
    expect(readJson(job, 'error.json')).toMatchObject({ kind: 'error', message: expect.stringMatching(/results\.json.*(ENOSPC|No space left)/) });
    expect(readdirSync(job).sort()).toEqual(['error.json', 'input.json']);
  });
});
