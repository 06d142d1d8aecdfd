/**
 * `mcp-jobs list` (a table, filters, --json) and `mcp-jobs cleanup`
 * (--dry-run removes nothing; retention by age and --keep-last).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { cli, jobIds } from './run-cli.js';

async function runJob(cwd: string, input: object): Promise<string> {
  const result = await cli(['run', 'simulate', '--input-json', JSON.stringify(input), '--json'], { cwd });
  return (JSON.parse(result.stdout) as { job_id: string }).job_id;
}

describe('list and cleanup', () => {
  const cwd = tempDir();
  let ok1: string, failed: string, ok2: string;

  beforeAll(async () => {
    ok1 = await runJob(cwd, { steps: 1, step_ms: 0 });
    failed = await runJob(cwd, { steps: 2, step_ms: 0, fail_at_step: 2 });
    ok2 = await runJob(cwd, { steps: 3, step_ms: 0 });
  }, 30_000);

  it('list: a table of id, type, status, progress, age and duration, newest first', async () => {
    const result = await cli(['list'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['ID', 'TYPE', 'STATUS', 'PROGRESS', 'AGE', 'DURATION']);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([ok2, failed, ok1]);
    expect(rows[0]).toMatch(/simulate\s+completed\s+100%\s+\S+\s+\S+$/);
    expect(rows[1]).toMatch(/simulate\s+failed\s+50%/);
  });

  it('list filters by status and type, limits, and says when there is more', async () => {
    const failedOnly = await cli(['list', '--status', 'failed'], { cwd });
    expect(failedOnly.stdout).toContain(failed);
    expect(failedOnly.stdout).not.toContain(ok1);
    const both = await cli(['list', '--status', 'completed,failed', '--limit', '2'], { cwd });
    expect(both.stdout.trim().split('\n')).toHaveLength(3);
    expect(both.stderr).toMatch(/showing the newest 2; more with --limit/);
    const none = await cli(['list', '--type', 'other'], { cwd });
    expect(none.stdout).toMatch(/no jobs match/);
  });

  it('list --json: the jobs with status and progress', async () => {
    const result = await cli(['list', '--json', '--status', 'completed'], { cwd });
    const out = JSON.parse(result.stdout) as { jobs: { id: string; status: string; progress: { current: number } }[]; more: boolean };
    expect(out.jobs.map((j) => j.id)).toEqual([ok2, ok1]);
    expect(out.jobs[0]).toMatchObject({ status: 'completed', type: 'simulate', progress: { current: 3, total: 3 } });
    expect(out.more).toBe(false);
  });

  it('cleanup --dry-run lists what would go and removes nothing; cleanup then removes it', async () => {
    const defaults = await cli(['cleanup', '--dry-run', '--json'], { cwd });
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(JSON.parse(defaults.stdout)).toMatchObject({ removed: [], kept: 3, dryRun: true, olderThanMs: 7 * 86_400_000, keepLast: 100 });

    const dry = await cli(['cleanup', '--older-than', '0', '--keep-last', '1', '--dry-run'], { cwd });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would remove 2 job folders/);
    expect(dry.stdout).toContain(ok1);
    expect(dry.stdout).toContain(failed);
    expect(jobIds(cwd).sort()).toEqual([ok1, failed, ok2].sort());

    const real = await cli(['cleanup', '--older-than', '0', '--keep-last', '1', '--json'], { cwd });
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ removed: expect.arrayContaining([ok1, failed]), kept: 1, dryRun: false });
    expect(jobIds(cwd)).toEqual([ok2]);
  });

  it('cleanup of a folder that does not exist removes nothing and creates nothing', async () => {
    const empty = tempDir();
    const result = await cli(['cleanup', '--older-than', '1h'], { cwd: empty });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^removed 0 job folders/);
    expect(existsSync(join(empty, 'jobs'))).toBe(false);
  });
});
