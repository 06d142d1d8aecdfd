/**
 * The Python wrapper run by hand on a job folder, as docs/protocol.md
 * describes a worker: arguments, exit codes, the worker lock, the input digest.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { PRIME_SIEVE } from '../config/setup.js';

function jobFolder(input: string, record?: object): string {
  const dir = join(tempDir(), 'job');
  mkdirSync(dir);
  writeFileSync(join(dir, 'input.json'), input);
  if (record) writeFileSync(join(dir, 'job.json'), JSON.stringify(record));
  return dir;
}

const run = (...args: string[]) => spawnSync('python3', [PRIME_SIEVE, ...args], { encoding: 'utf8', timeout: 20_000 });
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('the Python wrapper by hand', () => {
  it('exits 2 on a usage error and writes nothing', () => {
    expect(run()).toMatchObject({ status: 2, stderr: expect.stringContaining('missing --job-dir <dir>') });
    expect(run('--jobdir', 'x')).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown argument `--jobdir`') });
    expect(run('--job-dir', join(tempDir(), 'none'))).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot read') });
    expect(run('--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: prime_sieve.py --job-dir <dir> [--force]') });
  });

  it('completes with exit 0, writing progress.json and results.json atomically (no temp files left)', () => {
    const dir = jobFolder('{"limit": 100, "tail": 2}');
    expect(run('--job-dir', dir).status).toBe(0);
    expect(readJson(join(dir, 'results.json'))).toEqual({ limit: 100, count: 25, largest: 97, tail: [89, 97], segments: 1 });
    expect(readJson(join(dir, 'progress.json'))).toMatchObject({ current: 1, total: 1 });
    expect(readdirSync(dir).sort()).toEqual(['input.json', 'progress.json', 'results.json']);
  });

  it('refuses a finished folder (exit 2) unless --force', () => {
    const dir = jobFolder('{"limit": 10}');
    expect(run('--job-dir', dir).status).toBe(0);
    expect(run('--job-dir', dir)).toMatchObject({ status: 2, stderr: expect.stringContaining('already holds results.json or error.json; pass --force') });
    writeFileSync(join(dir, 'input.json'), '{"limit": 20}');
    expect(run('--job-dir', dir, '--force').status).toBe(0);
    expect(readJson(join(dir, 'results.json'))).toMatchObject({ limit: 20, count: 8 });
  });

  it('fails with exit 1 and error.json kind invalid_input for input that is not JSON or breaks the rules', () => {
    const torn = jobFolder('{"limit": ');
    expect(run('--job-dir', torn).status).toBe(1);
    expect(readJson(join(torn, 'error.json'))).toMatchObject({ kind: 'invalid_input', message: expect.stringContaining('input.json is not valid JSON') });
    const bad = jobFolder('{"limit": 100, "segment_size": 10}');
    expect(run('--job-dir', bad).status).toBe(1);
    expect(readJson(join(bad, 'error.json'))).toEqual({ kind: 'invalid_input', message: 'segment_size: expected an integer from 1000 to 10000000, got 10' });
  });

  it('trusts input.json whose sha256 matches job.json inputDigest (the server validated it) and skips validation', () => {
    const input = '{"limit": 100, "segment_size": 10}'; // below the schema's minimum: only a trusted input runs
    const dir = jobFolder(input, { id: 'by-hand-0000000000', attempt: 1, inputDigest: createHash('sha256').update(input).digest('hex') });
    expect(run('--job-dir', dir).status).toBe(0);
    expect(readJson(join(dir, 'results.json'))).toMatchObject({ count: 25, segments: 10 });
  });

  it('keeps the lock alive with an mtime heartbeat, and lands the latest throttled progress report', () => {
    const dir = jobFolder('{}');
    // The helper package with its 5 s heartbeat shortened, so the test sees beats in a fraction of a second.
    const script = `
import json, os, sys, time
sys.path.insert(0, ${JSON.stringify(join(PRIME_SIEVE, '..'))})
import mcp_jobs.lock as lock
from mcp_jobs import Context
lock.LOCK_UPDATE_S = 0.05
held = lock.WorkerLock(os.path.join(sys.argv[1], "worker.lock"))
held.acquire()
first = os.stat(held.path).st_mtime_ns
ctx = Context(sys.argv[1], {})
ctx.progress(1, 10, "one")
ctx.progress(2, 10, "two")  # within the 100 ms throttle: written by the trailing timer
time.sleep(0.4)
beat = os.stat(held.path).st_mtime_ns
with open(os.path.join(sys.argv[1], "progress.json")) as f:
    progress = json.load(f)
held.release()
print(json.dumps({"beat": beat > first, "progress": progress, "released": not os.path.exists(held.path)}))
`;
    const out = spawnSync('python3', ['-B', '-c', script, dir], { encoding: 'utf8', timeout: 10_000 });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toMatchObject({ beat: true, progress: { current: 2, total: 10, message: 'two' }, released: true });
  });

  it('refuses a folder whose worker.lock has a fresh heartbeat, and takes over a stale one (older than 30 s)', () => {
    const dir = jobFolder('{"limit": 100}');
    mkdirSync(join(dir, 'worker.lock'));
    expect(run('--job-dir', dir)).toMatchObject({ status: 2, stderr: expect.stringMatching(/another worker holds .*worker\.lock \(heartbeat \d+ s ago\)/) });
    expect(existsSync(join(dir, 'results.json'))).toBe(false);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'worker.lock'), old, old);
    expect(run('--job-dir', dir).status).toBe(0);
    expect(existsSync(join(dir, 'results.json'))).toBe(true);
    expect(existsSync(join(dir, 'worker.lock'))).toBe(false); // released at the end
  });
});
