/**
 * `mcp-jobs run`: a real job folder, the wrapper in the foreground, the
 * result printed; a progress bar under a pseudo-terminal, plain lines in a
 * pipe, JSON with --json; exit 1 on failure; Ctrl-C cancels the job.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { cli, jobIds, readRecord } from './run-cli.js';

const ESC = '\u001b[';
/** Colour and erase-line sequences (CSI ... m / K). */
// eslint-disable-next-line no-control-regex
const CSI = /\u001b\[[0-9;]*[mK]/g;
// eslint-disable-next-line no-control-regex
const COLOUR = /\u001b\[\d+m/;

describe('mcp-jobs run', () => {
  it('--json: runs the job to completion in a real job folder and prints the result', async () => {
    const cwd = tempDir();
    const result = await cli(['run', 'simulate', '--input-json', '{"steps":3,"step_ms":20,"seed":"a"}', '--json'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { job_id: string; status: string; result: { steps: number; checksum: string }; results_path: string };
    expect(out.status).toBe('completed');
    expect(out.result.steps).toBe(3);
    expect(jobIds(cwd)).toEqual([out.job_id]);
    expect(readRecord(cwd, out.job_id).status).toBe('completed');
    expect(existsSync(out.results_path)).toBe(true);
    expect(result.stdout).not.toContain(ESC);
  });

  it('--input <file>: a failing job exits 1 and says why on stderr', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.json'), JSON.stringify({ steps: 3, step_ms: 10, fail_at_step: 2 }));
    const result = await cli(['run', 'simulate', '--input', 'in.json'], { cwd });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/mcp-jobs: job \S+ failed \(error\): simulated failure at step 2 of 3/);
    const [id] = jobIds(cwd);
    expect(readRecord(cwd, id!).status).toBe('failed');
  });

  it('under a pseudo-terminal: a live progress bar with percentage, message, elapsed and ETA, then the result', async () => {
    const cwd = tempDir();
    const result = await cli(['run', 'simulate', '--input-json', '{"steps":8,"step_ms":120}'], { cwd, inPty: true });
    expect(result.code, result.stderr).toBe(0);
    const frames = result.stdout.split('\r').filter((frame) => frame.includes('█') || frame.includes('░'));
    expect(frames.length).toBeGreaterThan(2);
    const plain = frames.map((frame) => frame.replace(CSI, ''));
    expect(plain.some((frame) => /\[█+░*\]\s+\d+%\s+step \d\/8\s+\S+\s+ETA \S+/.test(frame))).toBe(true);
    expect(result.stdout).toContain(`${ESC}2K`); // the line is redrawn in place
    expect(result.stdout).toContain(`${ESC}32m`); // colours on a terminal
    expect(result.stdout).toMatch(/completed.* in \S+/);
    expect(result.stdout).toContain('"steps": 8');
  });

  it('under a pseudo-terminal with NO_COLOR: the bar without colour codes', async () => {
    const cwd = tempDir();
    const result = await cli(['run', 'simulate', '--input-json', '{"steps":4,"step_ms":100}'], { cwd, inPty: true, env: { NO_COLOR: '1' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('█');
    expect(result.stdout).not.toMatch(COLOUR);
  });

  it('in a pipe: plain progress lines, no bar, no escape codes', async () => {
    const cwd = tempDir();
    const result = await cli(['run', 'simulate', '--input-json', '{"steps":12,"step_ms":150}'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).not.toContain('\r');
    expect(result.stdout).toMatch(/^\d+% step \d+\/12 \(elapsed \S+, ETA \S+\)$/m);
    expect(result.stdout).toMatch(/^✔ completed in \S+ \(job \S+\)$/m);
  });

  it('--input - reads the input from stdin', async () => {
    const cwd = tempDir();
    const result = await cli(['run', 'simulate', '--input', '-', '--json'], { cwd, stdin: '{"steps":2,"step_ms":0}' });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', result: { steps: 2 } });
  });

  it('when the cap is full the job waits in the queue, says so, and starts once a slot frees', async () => {
    const cwd = tempDir();
    const first = await cli(['submit', 'simulate', '--input-json', '{"steps":600,"step_ms":100}', '--max-concurrent', '1', '--json'], { cwd });
    const { job_id: busy } = JSON.parse(first.stdout) as { job_id: string };
    let stdout = '';
    const running = cli(['run', 'simulate', '--input-json', '{"steps":1,"step_ms":0}', '--max-concurrent', '1'], {
      cwd,
      onSpawn: (child) => child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString())),
    });
    await waitFor(() => /^queued: waiting for a free slot \(1 running, cap 1\)$/m.test(stdout), 'run to say it waits for a slot');
    const mine = jobIds(cwd).find((id) => id !== busy)!;
    expect(readRecord(cwd, mine).status).toBe('queued');
    const freeing = await cli(['cancel', busy], { cwd }); // frees the slot
    expect(freeing.code, freeing.stderr).toBe(0);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    const freed = readRecord(cwd, busy) as unknown as { finishedAt: string };
    const after = readRecord(cwd, mine) as unknown as { startedAt: string; status: string };
    expect(after.status).toBe('completed');
    expect(Date.parse(after.startedAt)).toBeGreaterThanOrEqual(Date.parse(freed.finishedAt) - 50);
  });

  it('a large result is pointed at, not printed', async () => {
    const cwd = tempDir();
    const result = await cli(['run', 'simulate', '--input-json', '{"steps":1,"step_ms":0,"result_kb":64}'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^result: \d+\.\d KiB in .*results\.json$/m);
    expect(result.stdout.length).toBeLessThan(4096);
  });

  it('Ctrl-C cancels the job cleanly: it ends cancelled, its worker is gone, exit 130', async () => {
    const cwd = tempDir();
    let child: ChildProcess | undefined;
    const running = cli(['run', 'simulate', '--input-json', '{"steps":200,"step_ms":50}'], { cwd, onSpawn: (c) => (child = c) });
    const id = await waitFor(() => jobIds(cwd)[0], 'the job folder');
    const pid = await waitFor(() => readRecord(cwd, id).pid, 'the worker pid');
    child!.kill('SIGINT');
    const result = await running;
    expect(result.code, result.stderr).toBe(130);
    expect(readRecord(cwd, id).status).toBe('cancelled');
    expect(pidAlive(pid)).toBe(false);
    expect(result.stderr).toMatch(/cancelling the job/);
    expect(result.stderr).toMatch(/was cancelled/);
  });
});
