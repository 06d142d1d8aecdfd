/** Locks (locks.ts): the in-process chain, the cross-process file lock, stale takeover, the held check. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isLockHeld, serialize, withFileLock } from '../../src/store/locks.js';
import { tempDir, waitFor } from '../helpers.js';

describe('serialize', () => {
  it('runs callers of one key one after another, also after one of them failed', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = serialize('k', async () => {
      order.push('first:start');
      await gate;
      order.push('first:end');
      throw new Error('first failed');
    });
    const second = serialize('k', async () => {
      order.push('second');
      return 2;
    });
    const other = serialize('other-key', async () => {
      order.push('other');
      return 3;
    });
    expect(await other).toBe(3);
    expect(order).toEqual(['first:start', 'other']);
    release();
    await expect(first).rejects.toThrow('first failed');
    expect(await second).toBe(2);
    expect(order).toEqual(['first:start', 'other', 'first:end', 'second']);
  });
});

describe('withFileLock across processes', () => {
  it('waits for a holder in another process and runs only after it released', async () => {
    const lock = join(tempDir(), 'field.json.lock');
    const script = `
      const lockfile = require(${JSON.stringify(createRequire(import.meta.url).resolve('proper-lockfile'))});
      lockfile.lock(${JSON.stringify(lock)}, { lockfilePath: ${JSON.stringify(lock)}, realpath: false, stale: 5000 }).then((release) => {
        process.stdout.write('held\\n');
        setTimeout(() => release().then(() => process.stdout.write('released ' + Date.now() + '\\n')), 700);
      });`;
    const holder = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => void holder.kill('SIGKILL'));
    let out = '';
    let err = '';
    holder.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    holder.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    await waitFor(() => out.includes('held'), 'the other process to hold the lock', 20_000).catch((error: Error) => {
      throw new Error(`${error.message}; its stderr: ${err}`);
    });
    let ranAt = 0;
    await withFileLock(lock, async () => {
      ranAt = Date.now();
    });
    const releasedAt = Number(/released (\d+)/.exec(out)?.[1]);
    expect(releasedAt).toBeGreaterThan(0);
    expect(ranAt).toBeGreaterThanOrEqual(releasedAt);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose holder died (mtime older than 5 s) at once', async () => {
    const lock = join(tempDir(), 'job.json.lock');
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const started = Date.now();
    expect(await withFileLock(lock, async () => 'ran')).toBe('ran');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('isLockHeld', () => {
  it('fresh heartbeat: held; older than the stale limit: not held; no lock: not held', async () => {
    const lock = join(tempDir(), 'worker.lock');
    expect(await isLockHeld(lock, 30_000)).toBe(false);
    mkdirSync(lock);
    expect(await isLockHeld(lock, 30_000)).toBe(true);
    const old = new Date(Date.now() - 31_000);
    utimesSync(lock, old, old);
    expect(await isLockHeld(lock, 30_000)).toBe(false);
    expect(await isLockHeld(lock, 60_000)).toBe(true);
  });
});
