/**
 * `jobs/` and `state/` hold inputs, results and state that may be private:
 * folders are created 0700 and files 0600 (whatever the umask lets through
 * from those, never more), by the server and by the worker runtimes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { makeManager } from '../runner/setup.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(process.platform === 'win32')('file modes', () => {
  it('folders 0700, files 0600: job folder, records, logs, results, progress, state', async () => {
    const dir = tempDir();
    const m = await makeManager({}, dir);
    const { jobId } = await m.submit('simulate', { steps: 2, step_ms: 10 }, { statePatch: { field: 'sim', mode: 'replace' } });
    const done = await m.wait(jobId, 15_000);
    expect(done.status).toBe('completed');
    expect(done.patchState).toBe('applied');
    const jobs = join(dir, 'jobs');
    const job = join(jobs, jobId);
    expect({ jobs: mode(jobs), state: mode(join(dir, 'state')), job: mode(job) }).toEqual({ jobs: '700', state: '700', job: '700' });
    const files = readdirSync(job).filter((name) => /\.(json|log)$/.test(name));
    expect(files).toEqual(expect.arrayContaining(['job.json', 'input.json', 'results.json', 'progress.json', 'stdout.log', 'stderr.log']));
    expect(Object.fromEntries(files.map((name) => [name, mode(join(job, name))]))).toEqual(Object.fromEntries(files.map((name) => [name, '600'])));
    expect(mode(join(dir, 'state', 'sim.json'))).toBe('600');
    expect(mode(join(jobs, '.active'))).toBe('700');
  });

  it('the Python runtime writes its files 0600 too', () => {
    const file = join(tempDir(), 'results.json');
    const code = 'import sys; sys.path.insert(0, sys.argv[1]); from mcp_jobs.atomic import write_json_atomic; write_json_atomic(sys.argv[2], {"ok": True})';
    const run = spawnSync('python3', ['-c', code, join(ROOT, 'cli-wrappers', 'python'), file], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(mode(file)).toBe('600');
  });
});
