/**
 * Defect 19: however a TypeScript wrapper's `run` ends (awaiting only its
 * signal, an unhandled rejection, an uncaught exception, a throw of a strange
 * value, a result JSON cannot hold), the runtime writes error.json or
 * results.json, releases its lock, and exits 0 or 1; `--force` refused by a
 * live worker changes nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../helpers.js';
import { has, jobFolder, jsWrapper, readJson, runSync, start } from './wrappers.js';

const scripts = tempDir();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

const awaitsSignal = jsWrapper(
  scripts,
  'awaits_signal',
  `ctx.progress(0, 1, 'waiting for a signal');
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    throw ctx.signal.reason;`,
);

describe('the TypeScript runtime ends every run with a file and a released lock', () => {
  it('a run that only awaits ctx.signal stays alive until SIGTERM, then writes kind cancelled', async () => {
    const job = jobFolder();
    const child = start(awaitsSignal, job);
    children.push(child);
    await waitFor(() => has(job, 'progress.json'), 'the wrapper to report progress');
    expect(child.exitCode).toBeNull(); // it did not exit on its own
    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 1, signal: null });
    expect(readJson(job, 'error.json')).toMatchObject({ kind: 'cancelled', message: 'stopped: received SIGTERM' });
    expect(has(job, 'worker.lock')).toBe(false);
  });

  it.each([
    ['an unhandled rejection', `void Promise.reject(new Error('boom in the background')); return new Promise(() => {});`, /^an unhandled promise rejection in run: boom in the background$/],
    ['an uncaught exception in a timer', `setTimeout(() => { throw new Error('thrown in a timer'); }, 0); return new Promise(() => {});`, /^an uncaught exception in run: thrown in a timer$/],
    ['throw Object.create(null)', `throw Object.create(null);`, /^run threw a non-Error value: \{\}$/],
    ['throw undefined', `throw undefined;`, /^run threw a non-Error value: undefined$/],
    ['an Error with a throwing message getter', `const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('no'); } }); throw e;`, /^run threw a non-Error value: /],
  ])('%s: error.json kind error, exit 1, lock released', (_what, body, message) => {
    const script = jsWrapper(scripts, `throws_${Math.random().toString(36).slice(2, 8)}`, body);
    const job = jobFolder();
    const r = runSync(script, job);
    expect(r.status).toBe(1);
    expect(readJson(job, 'error.json')).toMatchObject({ kind: 'error', message: expect.stringMatching(message) });
    expect(has(job, 'worker.lock')).toBe(false);
    expect(has(job, 'results.json')).toBe(false);
  });

  it.each([
    ['a function', `return () => 1;`, 'function'],
    ['a Symbol', `return Symbol('s');`, 'symbol'],
    ['a BigInt', `return { n: 10n };`, 'BigInt'],
    ['a cycle', `const a = {}; a.self = a; return a;`, 'circular'],
  ])('returning %s: error.json kind invalid_result, exit 1', (_what, body, mention) => {
    const script = jsWrapper(scripts, `returns_${Math.random().toString(36).slice(2, 8)}`, body);
    const job = jobFolder();
    const r = runSync(script, job);
    expect(r.status).toBe(1);
    expect(readJson(job, 'error.json')).toMatchObject({ kind: 'invalid_result', message: expect.stringContaining(mention) });
    expect(has(job, 'worker.lock')).toBe(false);
  });

  it('an input builder that throws (a wrapper bug): error.json kind error, exit 1, lock released', () => {
    const path = join(scripts, 'bad_input.mjs');
    writeFileSync(path, readFileSync(jsWrapper(scripts, 'bad_input_base', 'return 1;'), 'utf8').replace('input: (z) => z.object({}).passthrough()', "input: () => { throw new Error('no schema today'); }"));
    const job = jobFolder(); // no job.json: the worker validates, so it builds the schema
    const r = runSync(path, job);
    expect(r.status).toBe(1);
    expect(readJson(job, 'error.json')).toMatchObject({ kind: 'error', message: 'building or applying the input schema failed: no schema today' });
    expect(has(job, 'worker.lock')).toBe(false);
  });

  it('writes strict JSON for a result with a lone surrogate or NaN (escaped / null, as JSON.stringify does)', () => {
    const script = jsWrapper(scripts, 'odd_values', `return { s: 'a\\udc00b', n: NaN, i: Infinity };`);
    const job = jobFolder();
    expect(runSync(script, job).status).toBe(0);
    const text = readFileSync(join(job, 'results.json'), 'utf8');
    expect(text).toContain('"a\\udc00b"');
    expect(JSON.parse(text)).toEqual({ s: 'a\udc00b', n: null, i: null });
  });

  it('--force on a folder a live worker holds exits 2 and removes nothing (results.json, progress.json stay)', async () => {
    const job = jobFolder();
    const live = start(awaitsSignal, job);
    children.push(live);
    await waitFor(() => has(job, 'progress.json'), 'the live worker to report progress');
    writeFileSync(join(job, 'results.json'), '{"earlier":true}\n');
    const progressBefore = readFileSync(join(job, 'progress.json'), 'utf8');
    const refused = runSync(awaitsSignal, job, '--force');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/another worker holds/);
    expect(readFileSync(join(job, 'results.json'), 'utf8')).toBe('{"earlier":true}\n');
    expect(readFileSync(join(job, 'progress.json'), 'utf8')).toBe(progressBefore);
    live.kill('SIGTERM');
    expect((await exited(live)).code).toBe(1);
  });
});
