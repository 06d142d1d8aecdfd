/**
 * The CLI's readers of worker files (`mcp-jobs result`, `mcp-jobs logs`, real
 * processes) refuse a FIFO or a link at once, with a clear message that does
 * not quote the file, and exit non-zero.
 */
import { execFileSync } from 'node:child_process';
import { renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobManager } from '../../src/runner/job-manager.js';
import { ROOT, tempDir } from '../helpers.js';
import { cli } from '../cli/run-cli.js';

describe('CLI readers of worker files', () => {
  it('result on a FIFO results.json, logs on a link to a secret: clear errors, nothing quoted, no hang', async () => {
    const cwd = tempDir('mcp-jobs-cli-hostile-');
    const env = { MCP_JOBS_DIR: join(cwd, 'jobs'), MCP_JOBS_STATE_DIR: join(cwd, 'state') };
    const runner = new JobManager({ jobsDir: env.MCP_JOBS_DIR, stateDir: env.MCP_JOBS_STATE_DIR, scanIntervalMs: 0 });
    runner.register({ name: 'timed', description: 'sleeps ms', command: [process.execPath, join(ROOT, 'test', 'fixtures', 'timed.mjs')], schema: z.object({ ms: z.number().int() }) });
    let id: string;
    try {
      id = (await runner.submit('timed', { ms: 1 })).jobId;
      expect((await runner.wait(id, 10_000)).status).toBe('completed');
    } finally {
      await runner.close();
    }
    const dir = join(env.MCP_JOBS_DIR, id);
    renameSync(join(dir, 'results.json'), join(dir, 'results.json.orig'));
    execFileSync('mkfifo', [join(dir, 'results.json')]);
    writeFileSync(join(cwd, 'secret.txt'), 'SECRET line\n');
    symlinkSync(join(cwd, 'secret.txt'), join(dir, 'stderr.log.link'));
    renameSync(join(dir, 'stderr.log.link'), join(dir, 'stderr.log'));

    const result = await cli(['result', id], { cwd, env, timeoutMs: 10_000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/results\.json is a FIFO, not a regular file/);
    const logs = await cli(['logs', id, '--stderr'], { cwd, env, timeoutMs: 10_000 });
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toMatch(/stderr\.log is a symbolic link/);
    for (const out of [result.stdout, result.stderr, logs.stdout, logs.stderr]) expect(out).not.toContain('SECRET');
  });
});
