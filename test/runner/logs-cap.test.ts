/**
 * stdout.log / stderr.log stay under `maxLogBytes`: the manager that follows a
 * job trims them in place while it runs (the worker keeps writing through its
 * O_APPEND descriptor), keeping the tail after a one-line note.
 */
import { readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TRIM_NOTE, capLog } from '../../src/runner/log-cap.js';
import { tempDir, waitFor } from '../helpers.js';
import { fixture, makeManager } from './setup.js';

const KiB = 1024;

describe('capLog', () => {
  it('keeps the tail from a line start, after a note of what was dropped; leaves small files alone', async () => {
    const dir = tempDir();
    const file = join(dir, 'stdout.log');
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i + 1}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const before = statSync(file).size;
    const dropped = await capLog(file, 64 * KiB);
    const text = readFileSync(file, 'utf8');
    expect(text.length).toBeLessThanOrEqual(32 * KiB + 100);
    expect(text.startsWith(`${TRIM_NOTE} ${dropped} earlier bytes dropped (cap 65536 bytes)]\nline `)).toBe(true);
    expect(text.endsWith('line 40000\n')).toBe(true);
    expect(before - dropped).toBe(text.length - text.indexOf('\n') - 1);
    expect(await capLog(file, 64 * KiB)).toBe(0);
    expect(await capLog(file, 0)).toBe(0);
  });

  it('never trims through a symlink', async () => {
    const dir = tempDir();
    const target = join(dir, 'outside.txt');
    writeFileSync(target, 'y'.repeat(200 * KiB));
    symlinkSync(target, join(dir, 'stdout.log'));
    expect(await capLog(join(dir, 'stdout.log'), 64 * KiB)).toBe(0);
    expect(statSync(target).size).toBe(200 * KiB);
  });
});

describe('a running job', () => {
  it('keeps its stdout.log under the cap while it writes, and ends with the tail', async () => {
    const m = await makeManager({ maxLogBytes: 256 * KiB, livenessIntervalMs: 100 });
    m.register({ name: 'chatty', description: 'writes a lot', command: [process.execPath, fixture('chatty.mjs')], schema: z.object({ total: z.number(), chunk: z.number(), every_ms: z.number() }) });
    const { jobId } = await m.submit('chatty', { total: 3 * 1024 * KiB, chunk: 32 * KiB, every_ms: 10 });
    const log = join(m.store.dir(jobId), 'stdout.log');
    // Trimmed while it still runs.
    await waitFor(async () => readFileSync(log, 'utf8').startsWith(TRIM_NOTE) && (await m.store.get(jobId)).status === 'running', 'a trim while the job runs', 15_000);
    const done = await m.wait(jobId, 30_000);
    expect(done.status).toBe('completed');
    const last = ((await m.result(jobId)) as { result: { lines: number } }).result.lines;
    // The final trim runs as the job is settled.
    await waitFor(() => statSync(log).size <= 256 * KiB, 'the log under the cap', 5_000);
    const text = readFileSync(log, 'utf8');
    expect(text.startsWith(TRIM_NOTE)).toBe(true);
    expect(text.endsWith(`line ${last} ${'x'.repeat(60)}\n`)).toBe(true);
    // Every line after the note is whole and in order (a chunk written in the instant of a
    // truncate may be lost: a documented limit, so no check that they are consecutive).
    const numbers = text.split('\n').slice(1, -1).map((l) => Number(/^line (\d+) x{60}$/.exec(l)?.[1]));
    expect(numbers.every((n, i) => Number.isInteger(n) && (i === 0 || n > numbers[i - 1]!))).toBe(true);
  });
});
