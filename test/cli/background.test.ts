/**
 * Background jobs from the command line: `submit` prints the id and leaves a
 * detached worker running after it exits; `status`, `result`, `logs`, `watch`
 * and `cancel` on it; a job queued behind a full cap is started by the next
 * manager (here `watch`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { cli, jobIds, readRecord } from './run-cli.js';

const started: number[] = [];
afterAll(() => {
  for (const pid of started) if (pidAlive(pid)) process.kill(-pid, 'SIGKILL');
});

async function submit(cwd: string, input: object, extra: string[] = []): Promise<string> {
  const result = await cli(['submit', 'simulate', '--input-json', JSON.stringify(input), ...extra], { cwd });
  expect(result.code, result.stderr).toBe(0);
  const id = result.stdout.trim();
  expect(id).toMatch(/^[a-z0-9-]{16,64}$/);
  const pid = readRecord(cwd, id).pid;
  if (pid) started.push(pid);
  return id;
}

describe('submit → status → result', () => {
  it('submit returns with the worker spawned and detached; status and result follow it to the end', async () => {
    const cwd = tempDir();
    const id = await submit(cwd, { steps: 20, step_ms: 100, seed: 'bg' });
    const record = readRecord(cwd, id);
    expect(record.status).toBe('running');
    expect(pidAlive(record.pid!)).toBe(true); // outlives the CLI that started it

    const early = await cli(['result', id], { cwd });
    expect(early.code, early.stderr).toBe(4);
    expect(early.stderr).toMatch(/^mcp-jobs: Job `\S+` is running/);

    await waitFor(async () => {
      const status = JSON.parse((await cli(['status', id, '--json'], { cwd })).stdout) as { status: string };
      return status.status === 'completed';
    }, 'status completed', 15_000, 200);

    // No manager ran since submit exited: job.json still says running; the CLI reports the end the files show.
    const status = JSON.parse((await cli(['status', id, '--json'], { cwd })).stdout) as { status: string; recordedStatus?: string; progress: { current: number } };
    expect(status.progress.current).toBe(20);
    expect(status.recordedStatus).toBe('running');
    expect(readRecord(cwd, id).status).toBe('running');

    const result = await cli(['result', id], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ steps: 20 });
    const json = JSON.parse((await cli(['result', id, '--json'], { cwd })).stdout) as { status: string; result: { steps: number } };
    expect(json).toMatchObject({ job_id: id, status: 'completed', result: { steps: 20 } });

    const human = await cli(['status', id], { cwd });
    expect(human.stdout).toMatch(/^status\s+completed/m);
    expect(human.stdout).toMatch(/^progress\s+100% step 20\/20$/m);
  });

  it('--json prints the id, status and pid', async () => {
    const cwd = tempDir();
    const result = await cli(['submit', 'simulate', '--input-json', '{"steps":1,"step_ms":0}', '--json', '--priority', '5', '--timeout', '30'], { cwd });
    const out = JSON.parse(result.stdout) as { job_id: string; status: string; pid: number };
    expect(out.status).toBe('running');
    started.push(out.pid);
    const record = readRecord(cwd, out.job_id);
    expect(record).toMatchObject({ priority: 5, timeoutMs: 30_000 });
  });
});

describe('watch, logs, cancel', () => {
  it('watch follows a running job to its end and exits 0', async () => {
    const cwd = tempDir();
    const id = await submit(cwd, { steps: 6, step_ms: 150 });
    const watched = await cli(['watch', id], { cwd });
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/^✔ completed in \S+ \(job /m);
    expect(readRecord(cwd, id).status).toBe('completed'); // watch ran a manager: the end is recorded
  });

  it('logs -f prints the output as it comes and ends with the job', async () => {
    const cwd = tempDir();
    const script = "let i = 0; const t = setInterval(() => { console.log('line ' + ++i); if (i === 5) clearInterval(t); }, 150);";
    const submitted = await cli(['submit', 'run_command', '--allow-command', 'node', '--input-json', JSON.stringify({ argv: ['node', '-e', script] }), '--json'], { cwd });
    const { job_id: id, pid } = JSON.parse(submitted.stdout) as { job_id: string; pid: number };
    started.push(pid);
    const followed = await cli(['logs', id, '-f'], { cwd });
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    const json = await cli(['logs', id, '--json'], { cwd });
    expect(JSON.parse(json.stdout)).toEqual({ job_id: id, stream: 'stdout', text: 'line 1\nline 2\nline 3\nline 4\nline 5\n' });
    const tail = await cli(['logs', id, '--tail', '2'], { cwd });
    expect(tail.stdout).toBe('line 4\nline 5\n');
  });

  it('watch exits 1 for a failed job; --json gives progress lines and the end', async () => {
    const cwd = tempDir();
    const id = await submit(cwd, { steps: 5, step_ms: 100, fail_at_step: 4 });
    const watched = await cli(['watch', id, '--json'], { cwd });
    expect(watched.code, watched.stderr).toBe(1);
    const events = watched.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; job?: { status: string; error: { message: string } } });
    expect(events.at(-1)).toMatchObject({ event: 'end', job: { status: 'failed', error: { message: expect.stringContaining('step 4') } } });
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThan(0);
    const result = await cli(['result', id], { cwd });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/failed \(error\): simulated failure at step 4/);
  });

  it('logs --stderr prints a finished job\'s stderr; --tail keeps the last lines', async () => {
    const cwd = tempDir();
    const run = await cli(['run', 'simulate', '--input-json', '{"steps":2,"step_ms":0,"fail_at_step":2}', '--json'], { cwd });
    const { job_id: id } = JSON.parse(run.stdout) as { job_id: string };
    const logs = await cli(['logs', id, '--stderr'], { cwd });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('simulated failure at step 2');
    const tail = await cli(['logs', id, '--stderr', '--tail', '1'], { cwd });
    expect(tail.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('cancel stops a running job: it ends cancelled and its worker is gone; a second cancel exits 4', async () => {
    const cwd = tempDir();
    const id = await submit(cwd, { steps: 100, step_ms: 100 });
    const pid = readRecord(cwd, id).pid!;
    const cancelled = await cli(['cancel', id], { cwd });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(/^cancelled \S+$/m);
    expect(readRecord(cwd, id).status).toBe('cancelled');
    expect(pidAlive(pid)).toBe(false);
    const again = await cli(['cancel', id], { cwd });
    expect(again.code, again.stderr).toBe(4);
    expect(again.stderr).toMatch(/already ended: cancelled/);
    const watched = await cli(['watch', id], { cwd });
    expect(watched.code, watched.stderr).toBe(1);
  });
});

describe('the cap', () => {
  it('a job submitted when the cap is full stays queued after submit exits; the next manager (watch) starts it', async () => {
    const cwd = tempDir();
    const first = await submit(cwd, { steps: 600, step_ms: 100 }, ['--max-concurrent', '1']);
    const second = await submit(cwd, { steps: 2, step_ms: 10 }, ['--max-concurrent', '1']);
    expect(readRecord(cwd, first).status).toBe('running');
    expect(readRecord(cwd, second).status).toBe('queued');
    expect(existsSync(join(cwd, 'jobs', second, 'stdout.log'))).toBe(false); // never launched
    const third = await submit(cwd, { steps: 1, step_ms: 0 }, ['--max-concurrent', '1']);
    const cancelled = await cli(['cancel', third, '--json'], { cwd });
    expect(JSON.parse(cancelled.stdout)).toEqual({ job_id: third, status: 'cancelled' });
    expect(existsSync(join(cwd, 'jobs', third, 'stdout.log'))).toBe(false); // a cancelled queued job never starts
    expect(readRecord(cwd, second).status).toBe('queued'); // cancel starts nothing
    const freeing = await cli(['cancel', first], { cwd }); // frees the slot; no manager runs now
    expect(freeing.code, freeing.stderr).toBe(0);
    expect(readRecord(cwd, second).status).toBe('queued');
    const watched = await cli(['watch', second, '--max-concurrent', '1'], { cwd });
    expect(watched.code, watched.stderr).toBe(0);
    const one = readRecord(cwd, first) as unknown as { finishedAt: string; status: string };
    const two = readRecord(cwd, second) as unknown as { startedAt: string; status: string };
    expect(one.status).toBe('cancelled');
    expect(two.status).toBe('completed');
    expect(Date.parse(two.startedAt)).toBeGreaterThanOrEqual(Date.parse(one.finishedAt) - 50); // never above the cap
    expect(jobIds(cwd).sort()).toEqual([first, second, third].sort());
    expect(readRecord(cwd, third).status).toBe('cancelled');
  });
});
