/** Atomic writes and tolerant reads: a reader never sees half a file, a torn file is a typed failure. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic, writeJsonAtomicSync } from '../../src/store/atomic.js';
import { JobStore } from '../../src/store/job-store.js';
import { newJobId } from '../../src/ids.js';
import type { JobRecord } from '../../src/types.js';
import { tempDir, waitFor } from '../helpers.js';
import { ReaderProcess } from './reader-process.js';

describe('atomic JSON files', () => {
  it('replaces a file whole and leaves no temp file behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'x.json');
    await writeJsonAtomic(path, { a: 1 });
    await writeJsonAtomic(path, { a: 2 });
    expect(await readJsonFile(path)).toMatchObject({ ok: true, value: { a: 2 } });
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  // The reader is another process: it reads while the writer's syscalls run, not between them.
  it.each([
    ['writeJsonAtomic', (path: string, value: unknown) => writeJsonAtomic(path, value)],
    ['writeJsonAtomicSync', async (path: string, value: unknown) => writeJsonAtomicSync(path, value)],
  ] as const)('a reader in another process only ever sees a whole file while %s rewrites it', async (_name, write) => {
    const dir = tempDir();
    const path = join(dir, 'big.json');
    const stop = join(dir, 'stop');
    const value = (n: number) => ({ n, pad: 'x'.repeat(2_000_000) });
    await write(path, value(0));
    const reader = new ReaderProcess(path, stop);
    try {
      await reader.ready;
      // Every write starts while the reader is mid-read: it has read at least once since the last write.
      for (let n = 1; n <= 25; n++) {
        const before = reader.reads;
        await waitFor(() => reader.reads > before + 1, 'the reader to read between two writes', 10_000, 1);
        await write(path, value(n));
      }
      writeFileSync(stop, '');
      const seen = await reader.done;
      expect(seen.torn, `torn reads: ${seen.examples.join('; ')}`).toBe(0);
      expect(seen.distinct).toBeGreaterThanOrEqual(10); // it read while the file changed, many times
    } finally {
      reader.kill();
    }
  });

  it('reports missing, torn and invalid files as typed failures instead of throwing', async () => {
    const dir = tempDir();
    expect(await readJsonFile(join(dir, 'none.json'))).toMatchObject({ ok: false, reason: 'missing' });
    writeFileSync(join(dir, 'torn.json'), '{"a": ');
    expect(await readJsonFile(join(dir, 'torn.json'))).toMatchObject({ ok: false, reason: 'torn', message: expect.stringContaining('torn.json is not valid JSON') });
    writeFileSync(join(dir, 'bad.json'), '{"a": "x"}');
    const read = await readJsonFile(join(dir, 'bad.json'), z.object({ a: z.number() }));
    expect(read).toMatchObject({ ok: false, reason: 'invalid', message: expect.stringContaining('a: ') });
  });
});

describe('JobStore', () => {
  it('creates a job folder whole, indexed, with nothing left in staging', async () => {
    const store = new JobStore(tempDir());
    await store.init();
    const id = newJobId();
    const record: JobRecord = { v: 1, id, type: 't', status: 'queued', priority: 0, createdAt: new Date().toISOString(), timeoutMs: 0, attempt: 1, maxAttempts: 1, inputDigest: 'd', command: ['x'], patchState: 'none' };
    await store.create({ ...record }, '{}\n');
    expect(readdirSync(store.dir(id)).sort()).toEqual(['input.json', 'job.json']);
    expect(await store.activeIds()).toEqual([id]);
    expect(readdirSync(join(store.root, '.staging'))).toEqual([]);
    await expect(store.create({ ...record }, '{}')).rejects.toMatchObject({ code: 'storage' });
    expect(await store.activeIds()).toEqual([id]);
  });

  it('reports a torn job.json as storage, a missing one as not_found', async () => {
    const store = new JobStore(tempDir());
    await store.init();
    const id = newJobId();
    await expect(store.get(id)).rejects.toMatchObject({ code: 'not_found' });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(store.dir(id));
    writeFileSync(join(store.dir(id), 'job.json'), '{"v":1');
    await expect(store.get(id)).rejects.toMatchObject({ code: 'storage' });
    expect(existsSync(store.dir(id))).toBe(true);
  });
});

describe('staging', () => {
  it('a starting manager removes only abandoned staging folders, never a submit in flight', async () => {
    const { mkdirSync, utimesSync } = await import('node:fs');
    const root = tempDir();
    mkdirSync(join(root, '.staging', 'fresh'), { recursive: true });
    mkdirSync(join(root, '.staging', 'abandoned'), { recursive: true });
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(root, '.staging', 'abandoned'), old, old);
    await new JobStore(root).init();
    expect(readdirSync(join(root, '.staging'))).toEqual(['fresh']);
  });
});
