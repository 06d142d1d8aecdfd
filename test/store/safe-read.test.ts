/**
 * The safe read of untrusted files (src/store/safe-read.ts) and the job-folder
 * checks of JobStore, on real files: FIFOs, links, folders, oversized and
 * sparse files, bad UTF-8, JSON whose errors would quote it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newJobId } from '../../src/ids.js';
import { progressOutput } from '../../src/mcp/views.js';
import { resolveOptions } from '../../src/options.js';
import { JobStore } from '../../src/store/job-store.js';
import { parseJsonText, readJsonFile } from '../../src/store/safe-read.js';
import { progressSchema } from '../../src/store/schemas.js';
import type { JobRecord } from '../../src/types.js';
import { tempDir } from '../helpers.js';

const SECRET = 'SECRET-root:x:0:0';

describe('readJsonFile on files that are not what they seem', () => {
  it('refuses a FIFO at once (no writer: a plain open would block forever)', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'results.json')]);
    const started = performance.now();
    expect(await readJsonFile(join(dir, 'results.json'))).toMatchObject({ ok: false, reason: 'unsafe', message: 'results.json is a FIFO, not a regular file; not read' });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('never follows a symlink, wherever it points', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'target.json'), JSON.stringify({ secret: SECRET }));
    symlinkSync('target.json', join(dir, 'in.json'));
    symlinkSync('/dev/zero', join(dir, 'zero.json'));
    symlinkSync('/etc/passwd', join(dir, 'passwd.json'));
    for (const name of ['in.json', 'zero.json', 'passwd.json']) {
      expect(await readJsonFile(join(dir, name))).toEqual({ ok: false, reason: 'unsafe', message: `${name} is a symbolic link; links are not followed` });
    }
  });

  it('refuses a directory', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'error.json'));
    expect(await readJsonFile(join(dir, 'error.json'))).toMatchObject({ ok: false, reason: 'unsafe', message: expect.stringContaining('is a directory') });
  });

  it('checks the size limit before reading: a 2 GiB sparse file costs an fstat; the message names the limit and its option', async () => {
    const dir = tempDir();
    const path = join(dir, 'results.json');
    writeFileSync(path, '');
    truncateSync(path, 2 * 1024 ** 3);
    const started = performance.now();
    const read = await readJsonFile(path, undefined, { maxBytes: 64 * 1024 * 1024, option: 'maxResultsFileBytes' });
    expect(performance.now() - started).toBeLessThan(100);
    expect(read).toEqual({ ok: false, reason: 'too_large', message: 'results.json is 2.0 GiB, over the 64.0 MiB limit (`maxResultsFileBytes`); not read' });
    writeFileSync(path, '[1,2,3]');
    expect(await readJsonFile(path, undefined, { maxBytes: 7 })).toMatchObject({ ok: true, value: [1, 2, 3] });
    expect(await readJsonFile(path, undefined, { maxBytes: 6 })).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('rejects bytes that are not UTF-8 instead of replacing them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.json'), Buffer.from('{"a":"\xff"}', 'latin1'));
    expect(await readJsonFile(join(dir, 'x.json'))).toEqual({ ok: false, reason: 'invalid', message: 'x.json is not valid UTF-8' });
  });
});

describe('messages about bad content never quote it', () => {
  it.each([
    SECRET,
    `{"a": ${SECRET}}`,
    `[1, 2, ${SECRET}`,
    `{"a": 1} ${SECRET}`,
    `{${SECRET}: 1}`,
    `"${SECRET}`,
    '',
  ])('JSON error for %j', (text) => {
    const read = parseJsonText(text, 'error.json');
    expect(read).toMatchObject({ ok: false, reason: 'torn' });
    if (read.ok) return;
    expect(read.message).toMatch(/^error\.json is not valid JSON \((at position \d+ of \d+|it ends early, after \d+ characters|unexpected character; \d+ characters)\)$/);
    expect(read.message).not.toContain('SECRET');
  });

  it('schema errors name plain keys, never unknown keys or odd key names', () => {
    const schema = z.strictObject({ message: z.string(), details: z.record(z.string(), z.number()).optional() });
    const read = parseJsonText(JSON.stringify({ message: 5, [SECRET]: 1 }), 'error.json', schema);
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.message).toContain('message: ');
      expect(read.message).toContain('unrecognized keys');
      expect(read.message).not.toContain('SECRET');
    }
    const nested = parseJsonText(JSON.stringify({ message: 'm', details: { [SECRET]: 'x' } }), 'error.json', schema);
    expect(nested.ok).toBe(false);
    if (!nested.ok) expect(nested.message).toMatch(/^error\.json does not match its schema: details\.\[key\]: /);
  });
});

describe('progress is sanitized at read', () => {
  const parse = (raw: unknown) => progressSchema.parse(raw);
  it.each([
    [{ current: 1e308, total: 1e-300, updatedAt: 'x' }, { current: 1e-300, total: 1e-300 }, 100],
    [{ current: -5, total: 10, updatedAt: 'x' }, { current: 0, total: 10 }, 0],
    [{ current: 15, total: 10, updatedAt: 'x' }, { current: 10, total: 10 }, 100],
    [{ current: 3, total: -1e308, updatedAt: 'x' }, { current: 3, total: 0 }, null],
    [{ current: 3, total: 0, updatedAt: 'x' }, { current: 3, total: 0 }, null],
  ])('%j', (raw, expected, percentage) => {
    const progress = parse(raw);
    expect(progress).toMatchObject(expected);
    expect(progressOutput(progress)?.percentage).toBe(percentage);
  });

  it('cuts a long message and a long updatedAt', () => {
    const progress = parse({ current: 1, total: 2, message: 'm'.repeat(5000), updatedAt: 'u'.repeat(500) });
    expect(progress.message).toHaveLength(1000);
    expect(progress.updatedAt).toHaveLength(64);
  });
});

describe('size limit options', () => {
  it('have defaults and clear messages', () => {
    expect(resolveOptions({}, {})).toMatchObject({ maxResultsFileBytes: 64 * 1024 * 1024, maxWorkerFileBytes: 1024 * 1024 });
    expect(() => resolveOptions({ maxResultsFileBytes: 0 }, {})).toThrow(/^Expected `maxResultsFileBytes` to be a positive integer \(bytes\) up to \d+, got `0` \(number\)$/);
    expect(() => resolveOptions({ maxWorkerFileBytes: 2 ** 40 }, {})).toThrow(/Expected `maxWorkerFileBytes`/);
  });
});

describe('JobStore and a job folder replaced by a symlink', () => {
  const record = (id: string): JobRecord => ({ v: 1, id, type: 't', status: 'running', priority: 0, createdAt: new Date().toISOString(), timeoutMs: 0, attempt: 1, maxAttempts: 1, inputDigest: 'd', command: ['x'], patchState: 'none' });

  it('reads nothing and writes nothing through it', async () => {
    const root = tempDir();
    const store = new JobStore(join(root, 'jobs'));
    await store.init();
    const id = newJobId();
    await store.create(record(id), '{}');
    const outside = join(root, 'outside');
    renameSync(store.dir(id), outside);
    symlinkSync(outside, store.dir(id));
    const before = readFileSync(join(outside, 'job.json'), 'utf8');

    const unsafe = { ok: false, reason: 'unsafe', message: `the job folder ${id} is a symbolic link; the server does not follow it` };
    expect(await store.read(id)).toEqual(unsafe);
    expect(await store.readResults(id)).toEqual(unsafe);
    expect(await store.readOutcome(id)).toEqual({ results: unsafe, error: unsafe });
    expect(await store.readProgress(id)).toBeUndefined();
    expect(await store.exists(id)).toBe(false);
    await expect(store.readResultsText(id)).rejects.toThrow(/symbolic link/);
    await expect(store.update(id, (cur) => ({ ...cur, status: 'failed' }))).rejects.toThrow(`job ${id}: the job folder ${id} is a symbolic link; the server does not follow it; nothing written`);
    await expect(store.overwrite({ ...record(id), status: 'failed' })).rejects.toThrow(/symbolic link/);
    expect(readFileSync(join(outside, 'job.json'), 'utf8')).toBe(before);
    expect(existsSync(join(outside, 'job.json.lock'))).toBe(false);
  });

  it('job.json that is a FIFO, a folder or too large is a typed failure of read(), never a throw', async () => {
    const store = new JobStore(tempDir());
    await store.init();
    const ids = [newJobId(), newJobId(), newJobId()];
    for (const id of ids) await store.create(record(id), '{}');
    const [fifo, folder, huge] = ids as [string, string, string];
    const file = (id: string) => join(store.dir(id), 'job.json');
    renameSync(file(fifo), `${file(fifo)}.x`);
    execFileSync('mkfifo', [file(fifo)]);
    renameSync(file(folder), `${file(folder)}.x`);
    mkdirSync(file(folder));
    truncateSync(file(huge), 17 * 1024 * 1024);
    expect(await store.read(fifo)).toMatchObject({ ok: false, reason: 'unsafe', message: 'job.json is a FIFO, not a regular file; not read' });
    expect(await store.read(folder)).toMatchObject({ ok: false, reason: 'unsafe', message: 'job.json is a directory, not a regular file; not read' });
    expect(await store.read(huge)).toMatchObject({ ok: false, reason: 'too_large' });
    await expect(store.get(folder)).rejects.toMatchObject({ code: 'storage' });
  });
});
