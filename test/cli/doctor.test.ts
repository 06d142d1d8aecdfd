/**
 * `mcp-jobs doctor` on planted trouble: stale locks, a completed job whose
 * state patch was not applied, a torn job.json, a worker that is gone, a job
 * missing from the index. It reports each with a fix and exits 1; `--fix`
 * repairs the safe ones and exits 0; a healthy folder exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newJobId } from '../../src/ids.js';
import type { JobRecord } from '../../src/types.js';
import { tempDir } from '../helpers.js';
import { cli, readRecord } from './run-cli.js';

interface Finding {
  check: string;
  level: 'ok' | 'warn' | 'problem';
  message: string;
  fix?: string;
  fixable: boolean;
}

function record(id: string, extra: Partial<JobRecord>): JobRecord {
  const now = new Date().toISOString();
  return {
    v: 1, id, type: 'simulate', status: 'queued', priority: 0, createdAt: now, timeoutMs: 0, attempt: 1, maxAttempts: 1,
    inputDigest: 'x', command: [process.execPath, 'none.js'], patchState: 'none', ...extra,
  };
}

/** A job folder as a manager would have left it, with its index marker. */
function plantJob(cwd: string, rec: JobRecord, files: Record<string, string> = {}, indexed = true): string {
  const dir = join(cwd, 'jobs', rec.id);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(cwd, 'jobs', '.active'), { recursive: true });
  mkdirSync(join(cwd, 'state'), { recursive: true });
  writeFileSync(join(dir, 'input.json'), '{}\n');
  writeFileSync(join(dir, 'job.json'), `${JSON.stringify(rec, null, 2)}\n`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  if (indexed) writeFileSync(join(cwd, 'jobs', '.active', rec.id), '');
  return dir;
}

function plantLock(path: string, ageMs: number): void {
  mkdirSync(path, { recursive: true });
  const then = new Date(Date.now() - ageMs);
  utimesSync(path, then, then);
}

async function doctor(cwd: string, ...args: string[]): Promise<{ code: number | null; stderr: string; findings: Finding[]; fixed?: string[]; healthy: boolean }> {
  const result = await cli(['doctor', '--json', ...args], { cwd });
  const out = JSON.parse(result.stdout) as { findings: Finding[]; fixed?: string[]; healthy: boolean };
  return { code: result.code, stderr: result.stderr, ...out };
}

const problems = (findings: Finding[]) => findings.filter((f) => f.level === 'problem');

describe('mcp-jobs doctor', () => {
  it('a healthy folder: exit 0, every check ok, file events arrive', async () => {
    const cwd = tempDir();
    await cli(['run', 'simulate', '--input-json', '{"steps":1,"step_ms":0}', '--json'], { cwd });
    const human = await cli(['doctor'], { cwd });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^healthy/m);
    expect(human.stdout).toMatch(/^ok\s+watcher\s+file events arrive/m);
    expect(human.stdout).toMatch(/^ok\s+jobs\s+1 job folder: 1 completed/m);
    expect(existsSync(join(cwd, 'jobs'))).toBe(true);
    const json = await doctor(cwd);
    expect(json.healthy).toBe(true);
    expect(problems(json.findings)).toEqual([]);
  });

  it('finds planted stale locks and an unapplied patch, says how to fix them; --fix repairs them', async () => {
    const cwd = tempDir();
    const unapplied = newJobId();
    const finishedAt = new Date(Date.now() - 60_000).toISOString();
    const jobDir = plantJob(
      cwd,
      record(unapplied, { status: 'completed', startedAt: finishedAt, finishedAt, patch: { kind: 'declarative', patch: { field: 'designs', mode: 'append' } }, patchState: 'pending' }),
      { 'results.json': '{"design":"a"}\n' },
    );
    plantLock(join(cwd, 'jobs', '.dispatch.lock'), 60_000);
    plantLock(join(jobDir, 'worker.lock'), 120_000);
    plantLock(join(cwd, 'state', 'designs.json.lock'), 30_000);

    const human = await cli(['doctor'], { cwd });
    expect(human.code, human.stderr).toBe(1);
    expect(human.stdout).toMatch(/PROBLEM\s+locks\s+stale lock .*\.dispatch\.lock \(last heartbeat 1m0\ds ago\)/);
    expect(human.stdout).toMatch(/PROBLEM\s+patches\s+job \S+ is completed but its state patch to `designs` was not applied/);
    expect(human.stdout).toMatch(/fix: a manager settles it: start the server, or run doctor --fix/);
    expect(human.stdout).toMatch(/4 problems.*`mcp-jobs doctor --fix` fixes them/);

    const before = await doctor(cwd);
    expect(problems(before.findings).map((f) => f.check).sort()).toEqual(['locks', 'locks', 'locks', 'patches']);
    expect(problems(before.findings).every((f) => f.fixable && f.fix)).toBe(true);
    expect(existsSync(join(cwd, 'state', 'designs.json'))).toBe(false); // looking changed nothing

    const fixed = await doctor(cwd, '--fix');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.fixed).toEqual(expect.arrayContaining([expect.stringMatching(/removed stale lock .*\.dispatch\.lock/), expect.stringMatching(/ran a reconcile pass/)]));
    expect(existsSync(join(cwd, 'jobs', '.dispatch.lock'))).toBe(false);
    expect(existsSync(join(jobDir, 'worker.lock'))).toBe(false);
    const state = JSON.parse(readFileSync(join(cwd, 'state', 'designs.json'), 'utf8')) as { value: unknown[]; applied: Record<string, string> };
    expect(state.value).toEqual([{ design: 'a' }]);
    expect(Object.keys(state.applied)).toEqual([unapplied]);
    expect(readRecord(cwd, unapplied).patchState).toBe('applied');
  });

  it('finds a torn job.json, a worker that is gone and a job missing from the index; --fix settles them', async () => {
    const cwd = tempDir();
    const torn = newJobId();
    plantJob(cwd, record(torn, {}));
    writeFileSync(join(cwd, 'jobs', torn, 'job.json'), '{"v":1,"id":');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // a pid that is no longer alive
    const gone = newJobId();
    plantJob(cwd, record(gone, { status: 'running', startedAt: new Date(Date.now() - 20_000).toISOString(), pid: dead, pidStartTime: '1' }));
    const unindexed = newJobId();
    plantJob(cwd, record(unindexed, {}), {}, false);

    const before = await doctor(cwd);
    expect(before.code, before.stderr).toBe(1);
    const messages = problems(before.findings).map((f) => `${f.check}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^files: job ${torn}: job.json is not valid JSON`)),
        expect.stringMatching(new RegExp(`^workers: job ${gone}: its worker \\(pid ${dead}\\) is gone without a result`)),
        expect.stringMatching(new RegExp(`^index: job ${unindexed} \\(queued\\) is missing from the .active index`)),
      ]),
    );

    const fixed = await doctor(cwd, '--fix');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(readRecord(cwd, gone)).toMatchObject({ status: 'failed', error: { kind: 'lost' } });
    expect(existsSync(join(cwd, 'jobs', torn, 'job.json.corrupt'))).toBe(true);
    expect(readRecord(cwd, torn).status).toBe('failed');
    expect(existsSync(join(cwd, 'jobs', '.active', unindexed))).toBe(true);
    expect(readRecord(cwd, unindexed).status).toBe('queued'); // doctor never starts jobs
    expect(fixed.findings.some((f) => f.level === 'warn' && /job.json.corrupt/.test(f.message))).toBe(true);
  });

  it('a job.json that is a directory or a FIFO is a problem naming that job; the other jobs are still checked (defect 4)', async () => {
    const cwd = tempDir();
    const asDir = newJobId();
    plantJob(cwd, record(asDir, {}));
    const recordPath = join(cwd, 'jobs', asDir, 'job.json');
    rmSync(recordPath);
    mkdirSync(recordPath);
    const asFifo = newJobId();
    plantJob(cwd, record(asFifo, {}));
    rmSync(join(cwd, 'jobs', asFifo, 'job.json'));
    spawnSync('mkfifo', [join(cwd, 'jobs', asFifo, 'job.json')]);
    const unindexed = newJobId();
    plantJob(cwd, record(unindexed, {}), {}, false);

    const report = await doctor(cwd);
    expect(report.code, report.stderr).toBe(1);
    const messages = problems(report.findings).map((f) => `${f.check}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`job ${asDir}: job\\.json`)),
        expect.stringMatching(new RegExp(`job ${asFifo}: job\\.json`)),
        expect.stringMatching(new RegExp(`^index: job ${unindexed} \\(queued\\) is missing from the .active index`)),
      ]),
    );
  });

  it('a folder that does not exist yet: warnings only, nothing created but the answer', async () => {
    const cwd = tempDir();
    const result = await doctor(cwd, '--jobs-dir', 'nowhere/jobs', '--state-dir', 'nowhere/state');
    expect(result.code, result.stderr).toBe(0);
    expect(result.findings.filter((f) => f.check === 'folders').every((f) => f.level === 'warn')).toBe(true);
    expect(existsSync(join(cwd, 'nowhere'))).toBe(false);
  });
});
