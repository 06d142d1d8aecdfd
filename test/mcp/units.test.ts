/**
 * The small parts on their own: the tokens file, the Host/Origin policy, the
 * command-line options, the task view of a job, log tails; and `serve()` over
 * HTTP without tokens (no `tasks/list`, Host checked all the same).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { TokenTable } from '../../src/mcp/auth.js';
import { hostPolicy, refuseForeignHost } from '../../src/mcp/host-check.js';
import { tailFile } from '../../src/mcp/logs-tool.js';
import { addServeOptions, serveOptionsFrom, type ParsedServeOptions } from '../../src/mcp/serve-options.js';
import { SESSION_DEFAULTS, sessionLimits } from '../../src/mcp/session-limits.js';
import { serve } from '../../src/mcp/serve.js';
import { taskFromJob, TASK_LABELS } from '../../src/mcp/views.js';
import type { JobStatusView } from '../../src/types.js';
import { tempDir } from '../helpers.js';

describe('TokenTable', () => {
  it('maps a bearer token to its principal, and nothing else', () => {
    const table = TokenTable.check({ ['a'.repeat(32)]: 'alice', ['b'.repeat(32)]: 'bob' });
    expect(table.principalFor(`Bearer ${'a'.repeat(32)}`)).toBe('alice');
    expect(table.principalFor(`bearer ${'b'.repeat(32)}`)).toBe('bob');
    expect(table.principalFor(`Bearer ${'a'.repeat(31)}`)).toBeUndefined();
    expect(table.principalFor(`Basic ${'a'.repeat(32)}`)).toBeUndefined();
    expect(table.principalFor(undefined)).toBeUndefined();
  });

  it('refuses malformed files with a message naming the problem', async () => {
    expect(() => TokenTable.check(['x'])).toThrow(/expected a JSON object mapping each token/);
    expect(() => TokenTable.check({})).toThrow(/holds no tokens/);
    expect(() => TokenTable.check({ short: 'alice' })).toThrow(/token #1 has 5 characters; use at least 16/);
    expect(() => TokenTable.check({ ['x'.repeat(20)]: '' })).toThrow(/principal of token #1/);
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    await expect(TokenTable.load(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json` is not valid JSON/);
    await expect(TokenTable.load(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read the auth tokens file/);
  });
});

describe('host policy', () => {
  const loopback = hostPolicy('127.0.0.1', 8765);
  it('accepts this server by its loopback names and port only', () => {
    for (const host of ['127.0.0.1:8765', 'localhost:8765', '[::1]:8765']) expect(refuseForeignHost({ host }, loopback), host).toBeUndefined();
    for (const host of ['evil.example:8765', 'localhost:80', '127.0.0.1', undefined]) expect(refuseForeignHost({ host }, loopback)).toMatch(/Invalid Host/);
  });
  it('accepts pages of local origins, refuses others, and extra hosts/origins can be added', () => {
    expect(refuseForeignHost({ host: 'localhost:8765', origin: 'http://localhost:3000' }, loopback)).toBeUndefined();
    expect(refuseForeignHost({ host: 'localhost:8765', origin: 'http://evil.example' }, loopback)).toMatch(/Invalid Origin/);
    expect(refuseForeignHost({ host: 'localhost:8765', origin: 'null' }, loopback)).toMatch(/Invalid Origin/);
    const proxied = hostPolicy('127.0.0.1', 8765, ['jobs.example.com:443'], ['https://app.example.com']);
    expect(refuseForeignHost({ host: 'jobs.example.com:443', origin: 'https://app.example.com' }, proxied)).toBeUndefined();
    expect(refuseForeignHost({ host: 'jobs.example.com:443', origin: 'https://other.example.com' }, proxied)).toMatch(/Invalid Origin/);
  });
});

describe('serve options', () => {
  const parse = (args: string[], env: Record<string, string> = {}) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const command = addServeOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => {} }));
      command.parse(args, { from: 'user' });
      return command.opts<ParsedServeOptions>();
    } finally {
      process.env = saved;
    }
  };

  it('parses every option, with the environment variables for the folders', () => {
    const opts = parse(['--max-concurrent', '3', '--allow-command', 'echo', '--allow-command', 'ls', '--config', 'c.json', '--http', '--port', '0', '--auth-tokens', 't.json'], { MCP_JOBS_DIR: '/tmp/j', MCP_JOBS_STATE_DIR: '/tmp/s' });
    expect(serveOptionsFrom(opts)).toEqual({
      jobsDir: '/tmp/j',
      stateDir: '/tmp/s',
      maxConcurrent: 3,
      allowCommands: ['echo', 'ls'],
      config: 'c.json',
      http: { port: 0, host: '127.0.0.1', authTokensFile: 't.json' },
    });
    expect(serveOptionsFrom(parse([]))).toEqual({});
  });

  it('refuses bad values naming the option, and HTTP options without --http', () => {
    expect(() => parse(['--max-concurrent', '0'])).toThrow(/`--max-concurrent` to be an integer from 1/);
    expect(() => parse(['--http', '--port', 'http'])).toThrow(/`--port` to be an integer from 0 to 65535/);
    expect(() => serveOptionsFrom(parse(['--port', '1234', '--auth-tokens', 'x']))).toThrow(/--port, --auth-tokens apply to HTTP only; add --http/);
  });

  it('parses the session limits (seconds to ms) and refuses them without --http or out of range', () => {
    const opts = parse(['--http', '--max-sessions-per-principal', '4', '--max-sessions', '50', '--session-idle-s', '90']);
    expect(serveOptionsFrom(opts).http).toEqual({ port: 8765, host: '127.0.0.1', maxSessionsPerPrincipal: 4, maxSessions: 50, sessionIdleMs: 90_000 });
    expect(() => serveOptionsFrom(parse(['--session-idle-s', '5']))).toThrow(/--session-idle-s applies to HTTP only/);
    expect(() => parse(['--http', '--max-sessions-per-principal', '0'])).toThrow(/`--max-sessions-per-principal` to be an integer from 1/);
    expect(sessionLimits({})).toEqual(SESSION_DEFAULTS);
    expect(sessionLimits({ maxSessions: 5 }).maxPerPrincipal).toBe(5);
    expect(() => sessionLimits({ sessionIdleMs: 0 })).toThrow(/`sessionIdleMs` to be an integer from 1/);
  });
});

describe('the task view of a job', () => {
  const base: JobStatusView = {
    v: 1, id: 'job-0000000000000001', type: 'simulate', status: 'queued', priority: 0, createdAt: '2026-01-01T00:00:00.000Z',
    timeoutMs: 0, attempt: 1, maxAttempts: 1, inputDigest: '', command: ['node'], patchState: 'none',
  };
  it('maps statuses, ttl, pollInterval and the status message', () => {
    expect(taskFromJob(base, { pollIntervalMs: 500 })).toMatchObject({ taskId: base.id, status: 'working', ttl: null, pollInterval: 500, statusMessage: 'queued', lastUpdatedAt: base.createdAt });
    const running = { ...base, status: 'running' as const, startedAt: '2026-01-01T00:00:01.000Z', progress: { current: 2, total: 5, message: 'step 2', updatedAt: '2026-01-01T00:00:02.000Z' }, labels: { [TASK_LABELS.ttl]: '60000' } };
    expect(taskFromJob(running, { pollIntervalMs: 500 })).toMatchObject({ status: 'working', ttl: 60_000, statusMessage: 'running: 2/5 (step 2)', lastUpdatedAt: '2026-01-01T00:00:02.000Z' });
    const failed = { ...base, status: 'failed' as const, finishedAt: '2026-01-01T00:00:03.000Z', error: { kind: 'timeout' as const, message: 'ran past 1 s' } };
    expect(taskFromJob(failed, { pollIntervalMs: 500 })).toMatchObject({ status: 'failed', statusMessage: 'failed (timeout): ran past 1 s', lastUpdatedAt: failed.finishedAt });
    expect(taskFromJob({ ...base, status: 'cancelled' }, { pollIntervalMs: 1 }).status).toBe('cancelled');
  });
});

describe('tailFile', () => {
  it('reads only the end of a big file and drops the cut first line', async () => {
    const file = join(tempDir(), 'big.log');
    writeFileSync(file, Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n'));
    const tail = await tailFile(file, 5, 100);
    expect(tail.lines).toEqual(['line 9995', 'line 9996', 'line 9997', 'line 9998', 'line 9999']);
    expect(tail.truncated).toBe(true);
    const few = await tailFile(file, 1000, 30);
    expect(few.lines.every((line) => /^line \d+$/.test(line))).toBe(true);
    expect(await tailFile(join(file, 'nope'), 5, 100).catch(() => 'error')).toBe('error');
  });
});

describe('serve() over HTTP without tokens', () => {
  it('serves without tasks/list, checks Host, and closes cleanly', async () => {
    const dir = tempDir();
    const running = await serve({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), http: { port: 0, host: '127.0.0.1' }, handleSignals: false, runner: { builtins: false, config: false } });
    try {
      expect(running.transport).toBe('http');
      const client = new Client({ name: 'units', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(running.http!.url)));
      expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('health');
      await client.close();
      const forged = await fetch(running.http!.url.replace('127.0.0.1', 'localhost'), { method: 'POST', headers: { origin: 'http://evil.example' }, body: '{}' });
      expect(forged.status).toBe(403);
    } finally {
      await running.close();
    }
    await expect(running.closed).resolves.toBeUndefined();
  });
});
