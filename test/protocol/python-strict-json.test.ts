/**
 * Defect 18 (and the Python half of 19's --force): the Python runtime writes
 * strict JSON or reports invalid_result itself, never NaN/Infinity; a lone
 * surrogate never crashes it outside its handler; a refused --force changes
 * nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../helpers.js';
import { has, jobFolder, pyWrapper, readJson, runSync, start } from '../worker/wrappers.js';

const scripts = tempDir();
let count = 0;
const wrapper = (body: string, prelude = '') => pyWrapper(scripts, `py_${++count}`, body, prelude);
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Strict JSON as the server reads it: JSON.parse refuses NaN / Infinity. */
const strict = (dir: string, name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));

describe('the Python runtime writes strict JSON', () => {
  it.each([
    ['NaN', `return {"x": float("nan")}`, /Out of range float values are not JSON compliant/],
    ['Infinity deep inside', `return {"a": [1, {"b": float("inf")}]}`, /Out of range float values/],
    ['a set', `return {"s": {1, 2}}`, /set is not JSON serializable/],
    ['nesting too deep', `v = []\nfor _ in range(100000):\n    v = [v]\nreturn v`, /recursion/],
  ])('a result holding %s: error.json kind invalid_result, exit 1, no results.json', (_what, body, message) => {
    const job = jobFolder();
    const r = runSync(wrapper(body), job);
    expect(r.status).toBe(1);
    expect(strict(job, 'error.json')).toMatchObject({ kind: 'invalid_result', message: expect.stringMatching(message) });
    expect(has(job, 'results.json')).toBe(false);
    expect(has(job, 'worker.lock')).toBe(false);
  });

  it('progress with NaN is refused in run (kind error) and never reaches progress.json', () => {
    const job = jobFolder();
    const r = runSync(wrapper(`ctx.progress(1, 2)\nctx.progress(float("nan"), 2)\nreturn 1`), job);
    expect(r.status).toBe(1);
    expect(strict(job, 'error.json')).toMatchObject({ kind: 'error', message: expect.stringContaining('finite numbers') });
    expect(strict(job, 'progress.json')).toMatchObject({ current: 1, total: 2 });
  });

  it('a result with a lone surrogate completes as strict JSON (\\u-escaped), exit 0', () => {
    const job = jobFolder();
    const r = runSync(wrapper(`return {"name": "caf\\u00e9 \\udc80", "ok": True}`), job);
    expect(r.status).toBe(0);
    const text = readFileSync(join(job, 'results.json'), 'utf8');
    expect(text).toContain('\\udc80');
    expect(JSON.parse(text)).toEqual({ name: 'café \udc80', ok: true });
  });

  it('an exception whose message holds a lone surrogate: error.json kind error, exit 1', () => {
    const job = jobFolder();
    const r = runSync(wrapper(`raise RuntimeError("bad name \\udcff")`), job);
    expect(r.status).toBe(1);
    expect(strict(job, 'error.json')).toMatchObject({ kind: 'error', message: 'bad name \udcff' });
    expect(has(job, 'worker.lock')).toBe(false);
  });

  it('a validate that raises something other than InvalidInput: error.json kind error', () => {
    const path = join(scripts, 'bad_validate.py');
    writeFileSync(
      path,
      readFileSync(wrapper('return 1'), 'utf8').replace('lambda raw: raw', 'lambda raw: raw["missing"]'),
    );
    const job = jobFolder({});
    const r = runSync(path, job);
    expect(r.status).toBe(1);
    expect(strict(job, 'error.json')).toMatchObject({ kind: 'error', message: "'missing'", details: { name: 'KeyError' } });
  });

  it('--force on a folder a live worker holds exits 2 and removes nothing', async () => {
    const live = wrapper(`ctx.progress(0, 1)\nwhile True:\n    ctx.sleep(0.05)`);
    const job = jobFolder();
    const child = start(live, job);
    children.push(child);
    await waitFor(() => has(job, 'progress.json'), 'the live Python worker to report progress');
    writeFileSync(join(job, 'results.json'), '{"earlier":true}\n');
    const progressBefore = readFileSync(join(job, 'progress.json'), 'utf8');
    const refused = runSync(live, job, '--force');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/another worker holds/);
    expect(readFileSync(join(job, 'results.json'), 'utf8')).toBe('{"earlier":true}\n');
    expect(readFileSync(join(job, 'progress.json'), 'utf8')).toBe(progressBefore);
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 'the live worker to stop');
    expect(readJson(job, 'error.json')).toMatchObject({ kind: 'cancelled' });
  });
});
