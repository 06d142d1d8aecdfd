/** Running a built wrapper by hand on a folder, as a developer debugging it would. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, tempDir, waitFor } from '../helpers.js';

const SIMULATE = join(DIST, 'cli-wrappers', 'simulate.js');

function folder(input: unknown): string {
  const dir = join(tempDir(), 'job');
  mkdirSync(dir);
  writeFileSync(join(dir, 'input.json'), typeof input === 'string' ? input : JSON.stringify(input));
  return dir;
}

const run = (...args: string[]) => spawnSync(process.execPath, [SIMULATE, ...args], { encoding: 'utf8' });
const json = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));

describe('a wrapper run by hand', () => {
  it('runs on a folder holding input.json: results.json, progress.json, exit 0', () => {
    const dir = folder({ steps: 3, step_ms: 1, result_kb: 1, seed: 's' });
    const r = run('--job-dir', dir);
    expect(r.status).toBe(0);
    expect(json(dir, 'results.json')).toMatchObject({ steps: 3, checksum: expect.any(String), payload: expect.any(String) });
    expect(json(dir, 'results.json').payload).toHaveLength(1024);
    expect(json(dir, 'progress.json')).toMatchObject({ current: 3, total: 3 });
    expect(existsSync(join(dir, 'worker.lock'))).toBe(false);
  });

  it('is deterministic: the same seed gives the same checksum', () => {
    const a = folder({ steps: 5, step_ms: 0, seed: 'x' });
    const b = folder({ steps: 5, step_ms: 0, seed: 'x' });
    run('--job-dir', a);
    run('--job-dir', b);
    expect(json(a, 'results.json').checksum).toBe(json(b, 'results.json').checksum);
  });

  it('validates input it did not get from the server: error.json kind invalid_input, exit 1', () => {
    const dir = folder({ steps: 'ten', step_ms: 0 });
    const r = run('--job-dir', dir);
    expect(r.status).toBe(1);
    expect(json(dir, 'error.json')).toMatchObject({ kind: 'invalid_input', message: expect.stringContaining('steps') });
    const torn = folder('{"steps": 1,');
    expect(run('--job-dir', torn).status).toBe(1);
    expect(json(torn, 'error.json').kind).toBe('invalid_input');
  });

  it('validates input whose digest no longer matches job.json (edited by hand)', () => {
    const dir = folder({ steps: -1, step_ms: 0 });
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ id: 'x', attempt: 1, inputDigest: 'not-the-digest' }));
    expect(run('--job-dir', dir).status).toBe(1);
    expect(json(dir, 'error.json').kind).toBe('invalid_input');
  });

  it('refuses to run over a finished job unless --force', () => {
    const dir = folder({ steps: 1, step_ms: 0 });
    expect(run('--job-dir', dir).status).toBe(0);
    const again = run('--job-dir', dir);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(run('--job-dir', dir, '--force').status).toBe(0);
  });

  it('refuses a folder another live worker holds (one worker per folder)', () => {
    const dir = folder({ steps: 1, step_ms: 0 });
    mkdirSync(join(dir, 'worker.lock'));
    const r = run('--job-dir', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/another worker holds/);
    expect(existsSync(join(dir, 'results.json'))).toBe(false);
  });

  it('stops between steps on SIGTERM: error.json kind cancelled, lock released', async () => {
    const dir = folder({ steps: 10_000, step_ms: 10 });
    const child = spawn(process.execPath, [SIMULATE, '--job-dir', dir], { stdio: 'ignore' });
    await waitFor(() => existsSync(join(dir, 'progress.json')), 'progress');
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(json(dir, 'error.json').kind).toBe('cancelled');
    expect(existsSync(join(dir, 'worker.lock'))).toBe(false);
  });

  it('explains itself: --help, --describe, and usage errors exit 2', () => {
    const help = execFileSync(process.execPath, [SIMULATE, '--help'], { encoding: 'utf8' });
    expect(help).toContain('Usage: node simulate.js --job-dir <dir>');
    expect(help).toContain('Exit codes: 0 completed, 1 failed');
    const described = JSON.parse(execFileSync(process.execPath, [SIMULATE, '--describe'], { encoding: 'utf8' }));
    expect(described).toMatchObject({ name: 'simulate', inputSchema: { type: 'object', required: ['steps', 'step_ms'] } });
    expect(run().status).toBe(2);
    expect(run('--bogus').stderr).toContain('unknown argument `--bogus`');
    expect(run('--job-dir', '/nonexistent/folder').status).toBe(2);
  });
});

describe('the worker digest', () => {
  it('matches node:crypto for empty, multi-block, unicode and large inputs', async () => {
    const { createHash } = await import('node:crypto');
    const { digestText, sha256Hex } = await import('../../src/worker/sha256.js');
    const samples = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'héllo ✓ 🌍'.repeat(50), JSON.stringify({ steps: 3, step_ms: 1 }), 'x'.repeat(70_000)];
    for (const text of samples) {
      const expected = createHash('sha256').update(text).digest('hex');
      expect(await digestText(text)).toBe(expected);
      expect(sha256Hex(Buffer.from(text, 'utf8'))).toBe(expected);
    }
  });
});
