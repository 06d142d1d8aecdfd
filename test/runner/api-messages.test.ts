/**
 * The words of the manager API's refusals, exactly: what an MCP client and a person at the CLI read is the
 * message, so each names what was wrong, the value it got (quoted, with its type) and, where there is one, the
 * way out; and what a failed job records about why. Exact strings on purpose: a message emptied or reworded
 * must fail here, not only its error code.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobsError } from '../../src/errors.js';
import { JobTypeRegistry } from '../../src/runner/registry.js';
import { waitFor } from '../helpers.js';
import { fixture, makeManager } from './setup.js';

/** The error a call throws or rejects with, as code and message. */
async function refusal(call: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(JobsError);
    return { code: (error as JobsError).code, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

const node = (script: string) => [process.execPath, fixture(script)];

describe('submit', () => {
  it('refuses a priority or timeout out of range, naming the value and its type, and creates nothing', async () => {
    const m = await makeManager({ dispatch: false });
    expect(await refusal(() => m.submit('timed', { ms: 1 }, { priority: 1001 }))).toEqual({
      code: 'invalid_input',
      message: 'Expected `priority` to be an integer from -1000 to 1000, got `1001` (number)',
    });
    expect(await refusal(() => m.submit('timed', { ms: 1 }, { priority: 1.5 }))).toMatchObject({ message: expect.stringMatching(/got `1\.5` \(number\)$/) });
    expect(await refusal(() => m.submit('timed', { ms: 1 }, { timeoutMs: -1 }))).toEqual({
      code: 'invalid_input',
      message: 'Expected `timeoutMs` to be a non-negative integer (0 = none), got `-1` (number)',
    });
    expect((await m.list()).jobs).toEqual([]);
    // The bounds themselves are allowed.
    for (const priority of [-1000, 1000]) await m.submit('timed', { ms: 1 }, { priority, timeoutMs: 0 });
    expect((await m.list()).jobs).toHaveLength(2);
  });

  it('refuses a state_patch that breaks its schema, saying where', async () => {
    const m = await makeManager({ dispatch: false });
    m.register({ name: 'patchable', description: 'takes a state_patch', command: node('timed.mjs'), schema: z.object({ ms: z.number() }), allowStatePatchOverride: true });
    const { code, message } = await refusal(() => m.submit('patchable', { ms: 1 }, { statePatch: { field: 'runs', op: 'nope' } as never }));
    expect(code).toBe('invalid_input');
    expect(message).toMatch(/^Invalid state_patch: \S/);
    expect((await m.list()).jobs).toEqual([]);
  });

  it('an unknown type names the types there are', async () => {
    const registry = new JobTypeRegistry();
    expect(await refusal(() => registry.get('nope'))).toEqual({ code: 'unknown_type', message: 'Unknown job type `nope` (registered: none)' });
    registry.register({ name: 'a_type', description: 'a', command: ['true'], schema: z.object({}) });
    registry.register({ name: 'b_type', description: 'b', command: ['true'], schema: z.object({}) });
    expect(await refusal(() => registry.get('nope'))).toEqual({ code: 'unknown_type', message: 'Unknown job type `nope` (registered: a_type, b_type)' });
  });
});

describe('registering a job type', () => {
  it('names the rule each bad type breaks', async () => {
    const registry = new JobTypeRegistry();
    const type = { name: 'ok_name', description: 'x', command: ['true'], schema: z.object({}) };
    expect(await refusal(() => registry.register({ ...type, name: 'Bad-Name' }))).toEqual({
      code: 'invalid_option',
      message: 'Expected a job type name matching /^[a-z][a-z0-9_]{0,63}$/, got `Bad-Name`',
    });
    expect(await refusal(() => registry.register({ ...type, command: [] }))).toEqual({ code: 'invalid_option', message: 'Job type `ok_name` needs a command' });
    for (const maxAttempts of [0, 1.5]) {
      expect(await refusal(() => registry.register({ ...type, maxAttempts }))).toEqual({
        code: 'invalid_option',
        message: `Expected \`maxAttempts\` of \`ok_name\` to be a positive integer, got \`${maxAttempts}\``,
      });
    }
    expect(registry.has('ok_name')).toBe(false);
    registry.register({ ...type, maxAttempts: 1 });
    expect(await refusal(() => registry.register(type))).toEqual({
      code: 'invalid_option',
      message: 'A job type named `ok_name` is already registered (pass { replace: true } to replace it)',
    });
    registry.register({ ...type, description: 'replaced' }, { replace: true });
    expect(registry.get('ok_name').description).toBe('replaced');
  });
});

describe('reading and ending jobs', () => {
  it('the result of an unfinished job says what it is doing, with its progress when it has one', async () => {
    const m = await makeManager({ dispatch: false });
    const { jobId } = await m.submit('timed', { ms: 1 });
    expect(await refusal(() => m.result(jobId))).toEqual({ code: 'not_finished', message: `Job \`${jobId}\` is queued; it has no result yet` });
    const progress = (extra: object) => writeFileSync(join(m.store.dir(jobId), 'progress.json'), JSON.stringify({ current: 2, total: 5, updatedAt: new Date().toISOString(), ...extra }));
    progress({});
    expect(await refusal(() => m.result(jobId))).toMatchObject({ message: `Job \`${jobId}\` is queued (2/5); it has no result yet` });
    progress({ message: 'halfway' });
    expect(await refusal(() => m.result(jobId))).toMatchObject({ message: `Job \`${jobId}\` is queued (2/5: halfway); it has no result yet` });
  });

  it('cancelling a job that already ended says how it ended', async () => {
    const m = await makeManager();
    const { jobId } = await m.submit('timed', { ms: 1 });
    expect((await m.wait(jobId, 10_000)).status).toBe('completed');
    expect(await refusal(() => m.cancel(jobId))).toEqual({ code: 'already_finished', message: `Job \`${jobId}\` already ended: completed` });
  });

  it('cleanup refuses a negative or fractional age or count, naming the option', async () => {
    const m = await makeManager({ dispatch: false });
    expect(await refusal(() => m.cleanup({ olderThanMs: -1 }))).toEqual({ code: 'invalid_option', message: 'Expected `olderThanMs` to be a non-negative integer, got `-1` (number)' });
    expect(await refusal(() => m.cleanup({ keepLast: 0.5 }))).toEqual({ code: 'invalid_option', message: 'Expected `keepLast` to be a non-negative integer, got `0.5` (number)' });
    await expect(m.cleanup({ olderThanMs: 0, keepLast: 0 })).resolves.toBeDefined(); // 0 is allowed for both
  });
});

describe('what a failed job says', () => {
  it('a worker that cannot be started: the command and the system\'s reason', async () => {
    const m = await makeManager();
    m.register({ name: 'nowhere', description: 'no such program', command: ['/nonexistent/mcp-jobs-worker', '--flag'], schema: z.object({}) });
    const { jobId } = await m.submit('nowhere', {});
    expect(await m.wait(jobId, 10_000)).toMatchObject({
      status: 'failed',
      error: { kind: 'spawn', message: 'could not start the worker (/nonexistent/mcp-jobs-worker --flag): spawn /nonexistent/mcp-jobs-worker ENOENT' },
    });
  });

  it('a worker that failed with an error.json that is no JSON: kind error, the reason, never the content', async () => {
    const m = await makeManager();
    m.register({ name: 'hostile', description: 'plants a file', command: node('hostile.mjs'), schema: z.object({ file: z.string(), kind: z.string(), end: z.string() }) });
    const { jobId } = await m.submit('hostile', { file: 'error.json', kind: 'not-json', end: 'exit1' });
    const dir = m.store.dir(jobId);
    await waitFor(() => existsSync(join(dir, 'planted')), 'the worker to plant its error.json');
    writeFileSync(join(dir, 'release'), '');
    const view = await m.wait(jobId, 10_000);
    expect(view).toMatchObject({ status: 'failed', error: { kind: 'error' } });
    expect(view.error!.message).toMatch(/^the worker failed and its error\.json is unreadable: error\.json is not valid JSON \(.*\d+ characters\)$/);
    expect(view.error!.message).not.toContain('CANARY');
  });
});
