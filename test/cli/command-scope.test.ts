/**
 * A command changes only what docs/cli.md says it may change. `doctor --fix`,
 * `cancel <other id>` and `submit` run a manager, which follows every running
 * job of the folder: it must not enforce the timeout of a job it did not
 * launch (that is a server's job), or an overdue job of someone else ends the
 * moment any command runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newJobId } from '../../src/ids.js';
import { isProcessAlive, processStartTime } from '../../src/runner/proc.js';
import type { JobRecord } from '../../src/types.js';
import { ROOT, tempDir, waitFor } from '../helpers.js';
import { cli, readRecord } from './run-cli.js';

const workers: { pid: number; startTime: string }[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) if (isProcessAlive(w.pid, w.startTime)) process.kill(-w.pid, 'SIGKILL');
});

function baseRecord(id: string, extra: Partial<JobRecord>): JobRecord {
  return {
    v: 1, id, type: 'forever', status: 'queued', priority: 0, createdAt: new Date().toISOString(), timeoutMs: 0, attempt: 1, maxAttempts: 1,
    inputDigest: 'x', command: [process.execPath, join(ROOT, 'test', 'fixtures', 'forever.mjs')], patchState: 'none', ...extra,
  };
}

function writeJob(cwd: string, record: JobRecord): string {
  const dir = join(cwd, 'jobs', record.id);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(cwd, 'jobs', '.active'), { recursive: true });
  writeFileSync(join(dir, 'input.json'), '{}\n');
  writeFileSync(join(dir, 'job.json'), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(cwd, 'jobs', '.active', record.id), '');
  return dir;
}

/** A job another manager launched, running for an hour past its 1 s timeout (its manager is gone). */
async function plantOverdue(cwd: string): Promise<{ id: string; pid: number; startTime: string }> {
  const id = newJobId();
  const dir = writeJob(cwd, baseRecord(id, {}));
  const child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'forever.mjs'), '--job-dir', dir], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid!;
  const startTime = await waitFor(() => processStartTime(pid), 'the worker to run');
  workers.push({ pid, startTime });
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  writeJob(cwd, baseRecord(id, { status: 'running', createdAt: hourAgo, startedAt: hourAgo, timeoutMs: 1000, pid, pidStartTime: startTime }));
  return { id, pid, startTime };
}

async function expectUntouched(cwd: string, job: { id: string; pid: number; startTime: string }): Promise<void> {
  expect(isProcessAlive(job.pid, job.startTime)).toBe(true);
  const record = readRecord(cwd, job.id);
  expect(record.status).toBe('running');
  expect(record.stopRequested).toBeUndefined();
}

describe('commands leave jobs they are not about alone', () => {
  it('doctor --fix does not time out an overdue job it did not launch', async () => {
    const cwd = tempDir();
    const job = await plantOverdue(cwd);
    // Something for --fix to repair (a job whose worker is gone: a reconcile pass), so it runs a manager.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const lost = newJobId();
    writeJob(cwd, baseRecord(lost, { status: 'running', startedAt: new Date().toISOString(), pid: gone, pidStartTime: '1' }));
    const result = await cli(['doctor', '--fix', '--json'], { cwd });
    const report = JSON.parse(result.stdout) as { fixed: string[]; findings: { level: string; message: string }[] };
    expect(report.fixed.join('\n'), result.stderr).toMatch(/reconcile pass/);
    // It says so instead: a warning, the job left for a server (or a cancel) to end.
    expect(report.findings).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(new RegExp(`job ${job.id} .* past its timeout`)) }));
    expect(readRecord(cwd, lost).status).toBe('failed');
    await expectUntouched(cwd, job);
  });

  it('cancel <other id> cancels that job only', async () => {
    const cwd = tempDir();
    const job = await plantOverdue(cwd);
    const other = newJobId();
    writeJob(cwd, baseRecord(other, {}));
    const result = await cli(['cancel', other], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(readRecord(cwd, other).status).toBe('cancelled');
    await expectUntouched(cwd, job);
  });

  it('submit starts its own job and leaves the overdue one running', async () => {
    const cwd = tempDir();
    const job = await plantOverdue(cwd);
    const result = await cli(['submit', 'simulate', '--input-json', '{"steps":1,"step_ms":10}'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const mine = result.stdout.trim();
    const pid = readRecord(cwd, mine).pid;
    if (pid) workers.push({ pid, startTime: processStartTime(pid) ?? '' });
    await expectUntouched(cwd, job);
  });

  it('run still enforces the timeout of the job it launched', async () => {
    const cwd = tempDir();
    const result = await cli(['run', 'simulate', '--input-json', '{"steps":100,"step_ms":100}', '--timeout', '0.5', '--json'], { cwd, timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/timeout/);
  });
});
