/**
 * The input size limit: an input whose serialized form (input.json) is over
 * `maxInputBytes` (default 1 MiB) is refused at submit with a message naming
 * the limit, and nothing is created; over MCP the start tool answers isError.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJobRunner } from '../../src/index.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { tempDir } from '../helpers.js';
import { call, connectInProcess, textOf } from '../mcp/helpers.js';

const runners: JobManager[] = [];
afterAll(async () => {
  for (const runner of runners) await runner.close();
});

async function runnerIn(dir: string, options: { maxInputBytes?: number } = {}): Promise<JobManager> {
  const runner = await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), builtins: false, config: false, dispatch: false, ...options });
  runners.push(runner);
  runner.registry.register({ name: 'echo_text', description: 'takes a text', command: [process.execPath, '-e', ''], schema: z.strictObject({ text: z.string() }) });
  runner.registry.register({ name: 'any_json', description: 'takes any JSON', command: [process.execPath, '-e', ''], schema: z.strictObject({ data: z.unknown() }) });
  return runner;
}

const entries = (dir: string) => readdirSync(join(dir, 'jobs')).filter((name) => !name.startsWith('.'));
const staged = (dir: string) => readdirSync(join(dir, 'jobs', '.staging'));

describe('input size limit', () => {
  it('refuses an input over the default 1 MiB, naming the limit, and creates nothing', async () => {
    const dir = tempDir();
    const runner = await runnerIn(dir);
    await runner.submit('echo_text', { text: 'a'.repeat(1000) }); // well under: accepted
    const before = entries(dir);
    const error = await runner.submit('echo_text', { text: 'a'.repeat(1024 * 1024) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect((error as Error).message).toMatch(/input of `echo_text` is 1.0 MiB as JSON; the limit is 1 MiB \(`maxInputBytes`\)/);
    expect(entries(dir)).toEqual(before);
    expect(staged(dir)).toEqual([]);
  });

  it('takes a configured limit, and refuses a bad one', async () => {
    const dir = tempDir();
    const runner = await runnerIn(dir, { maxInputBytes: 100 });
    await expect(runner.submit('echo_text', { text: 'a'.repeat(200) })).rejects.toThrow(/limit is 100 bytes/);
    expect(entries(dir)).toEqual([]);
    await expect(createJobRunner({ jobsDir: join(dir, 'j2'), stateDir: join(dir, 's2'), builtins: false, config: false, maxInputBytes: 0 })).rejects.toThrow(/`maxInputBytes` to be a positive integer/);
  });

  it('refuses an input nested too deeply to serialize with a clear message, and creates nothing', async () => {
    const dir = tempDir();
    const runner = await runnerIn(dir);
    let data: unknown = 0;
    for (let i = 0; i < 100_000; i++) data = [data];
    const error = await runner.submit('any_json', { data }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect((error as Error).message).toMatch(/input of `any_json` is nested too deeply/);
    expect(entries(dir)).toEqual([]);
    expect(staged(dir)).toEqual([]);
  });

  it('over MCP: the start tool answers isError naming the limit', async () => {
    const dir = tempDir();
    const runner = await runnerIn(dir, { maxInputBytes: 4096 });
    const connected = await connectInProcess(runner);
    try {
      const result = await call(connected.client, 'echo_text', { text: 'b'.repeat(10_000) });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/limit is 4 KiB/);
      expect(entries(dir)).toEqual([]);
    } finally {
      await connected.close();
    }
  });
});
