/**
 * Hostile folders (issue 8): a buggy wrapper (test/fixtures/hostile.mjs, a
 * real detached process) replaces one of the files of its own job folder by a
 * symlink (into the folder, out of it, to /dev/zero), a FIFO, a directory, a
 * 2 GiB sparse file, invalid UTF-8 or JSON that breaks the file's schema.
 * Each case, on one real JobManager: while the hostile file exists, status,
 * list and a log tail answer well within the usual latency, another job runs
 * to completion; then the job ends with a clear kind, nothing outside the jobs
 * folder was read into an answer or written, and no file content leaks into
 * any message. A few cases run again through the real MCP server.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tailFile } from '../../src/mcp/logs-tool.js';
import { isTerminal, type JobStatusView } from '../../src/types.js';
import { ROOT, tempDir, waitFor } from '../helpers.js';
import { JobManager } from '../../src/runner/job-manager.js';
import { call, connectInProcess, textOf, type Connected } from '../mcp/helpers.js';

/**
 * A status call, a list call or a log tail answers within this while a hostile
 * file exists. They take a few ms; the bound has room for five cases running
 * at once on a loaded 2-core CI machine (a full-suite run saw 512 ms once with
 * 500). What it catches takes seconds (a 2 GiB read) or forever (a FIFO).
 */
const LATENCY_MS = 1000;
const LEAKS = /CANARY|root:x:0/;

type Kind = 'symlink-in' | 'symlink-out' | 'dev-zero' | 'fifo' | 'directory' | 'sparse' | 'invalid-utf8' | 'not-json' | 'schema';
type End = 'results' | 'exit0' | 'exit1';
interface Case {
  file: string;
  kind: Kind;
  content?: string;
  end: End;
  /** How the job must end. */
  expect: (view: JobStatusView) => void;
}

const failed = (kind: string, message: RegExp) => (view: JobStatusView) => {
  expect(view.status).toBe('failed');
  expect(view.error?.kind).toBe(kind);
  expect(view.error?.message).toMatch(message);
};
const completed = (view: JobStatusView) => expect(view.status).toBe('completed');
/** job.json was damaged: the job is recovered to a terminal state with a clear kind. */
const recovered = (view: JobStatusView) => {
  expect(isTerminal(view.status)).toBe(true);
  if (view.status === 'failed') expect(view.error?.kind).toMatch(/^(lost|error|invalid_result)$/);
};

const ALL: Kind[] = ['symlink-in', 'symlink-out', 'dev-zero', 'fifo', 'directory', 'sparse', 'invalid-utf8', 'not-json'];
const cases: Case[] = [
  ...ALL.map((kind): Case => ({ file: 'results.json', kind, end: 'exit0', expect: failed('invalid_result', /results\.json/) })),
  ...ALL.map((kind): Case => ({ file: 'error.json', kind, end: 'exit1', expect: failed('error', /error\.json/) })),
  { file: 'error.json', kind: 'schema', content: '{"message":5,"kind":"CANARY-schema"}', end: 'exit1', expect: failed('error', /error\.json/) },
  ...ALL.map((kind): Case => ({ file: 'progress.json', kind, end: 'results', expect: completed })),
  { file: 'progress.json', kind: 'schema', content: '{"current":1e308,"total":1e-300,"updatedAt":"x"}', end: 'results', expect: completed },
  { file: 'progress.json', kind: 'schema', content: '{"current":-5,"total":-1e308,"message":"shown as is","updatedAt":"x"}', end: 'results', expect: completed },
  { file: 'progress.json', kind: 'schema', content: '{"current":"CANARY-schema","total":{"CANARY":1}}', end: 'results', expect: completed },
  ...(['stdout.log', 'stderr.log'] as const).flatMap((file) =>
    (['symlink-out', 'dev-zero', 'fifo', 'directory', 'sparse', 'invalid-utf8'] as const).map((kind): Case => ({ file, kind, end: 'results', expect: completed })),
  ),
  ...(['symlink-out', 'dev-zero', 'fifo', 'sparse', 'not-json'] as const).map((kind): Case => ({ file: 'worker.lock', kind, end: 'results', expect: completed })),
  ...ALL.map((kind): Case => ({ file: 'job.json', kind, end: 'results', expect: recovered })),
  { file: 'job.json', kind: 'schema', content: '{"v":2,"status":"CANARY-schema"}', end: 'results', expect: recovered },
];

let outside: string;
let outsideFiles: Map<string, string>;

/** What is outside the jobs folder, to check that nothing there is written. */
function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => {
    const info = lstatSync(join(dir, name));
    return [name, `${info.size}:${info.mtimeMs}:${info.isFile() ? readFileSync(join(dir, name), 'utf8') : ''}`];
  }));
}

/** Runs `fn`, returns how long it took and what it gave or threw (as text). */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; ok: boolean; text: string }> {
  const started = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - started, ok: true, text: JSON.stringify(value) ?? '' };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, text: (error as Error).message };
  }
}

function outsideTarget(file: string): string {
  return join(outside, file === 'job.json' ? 'record.json' : 'outside.json');
}

/** One case's own jobs folder and manager (no case sees another's jobs; cases run concurrently). */
class Harness {
  readonly runner: JobManager;

  constructor() {
    const dir = tempDir('mcp-jobs-hostile-');
    // The periodic scan is off: a scan during a submit loses the job (issue 8 defect 1, fixed elsewhere); finish() reconciles.
    this.runner = new JobManager({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), killGraceMs: 1000, scanIntervalMs: 0, maxConcurrent: 4 });
    const node = (script: string) => [process.execPath, join(ROOT, 'test', 'fixtures', script)];
    this.runner.register({ name: 'timed', description: 'sleeps ms', command: node('timed.mjs'), schema: z.object({ ms: z.number().int() }) });
    this.runner.register({
      name: 'hostile',
      description: 'plants a hostile file in its own folder',
      command: node('hostile.mjs'),
      schema: z.object({ file: z.string(), kind: z.string(), content: z.string().optional(), end: z.string(), outside: z.string() }),
    });
  }

  async submitHostile(c: Case): Promise<{ id: string; dir: string }> {
    const { jobId: id } = await this.runner.submit('hostile', { file: c.file, kind: c.kind, content: c.content, end: c.end, outside: outsideTarget(c.file) });
    const dir = this.runner.store.dir(id);
    await waitFor(() => existsSync(join(dir, 'planted')), `job ${id} to plant its ${c.kind} ${c.file}`);
    return { id, dir };
  }

  async otherJobRuns(): Promise<void> {
    const other = await this.runner.submit('timed', { ms: 1 });
    expect((await this.runner.wait(other.jobId, 10_000)).status).toBe('completed');
  }

  async finish(id: string, dir: string): Promise<JobStatusView> {
    writeFileSync(join(dir, 'release'), '');
    return waitFor(async () => {
      await this.runner.reconcile(); // recovers a damaged job.json
      const view = await this.runner.status(id).catch(() => undefined);
      return view && isTerminal(view.status) ? view : undefined;
    }, `job ${id} to end`, 15_000);
  }

  /** Releases a worker a failed case left waiting, then closes the manager. */
  async close(): Promise<void> {
    for (const id of await this.runner.store.listIds().catch(() => [])) {
      try {
        writeFileSync(join(this.runner.store.dir(id), 'release'), '');
      } catch {
        // gone, or not a folder
      }
    }
    await this.runner.close();
  }
}

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = new Harness();
  try {
    await h.runner.start();
    await fn(h);
  } finally {
    await h.close();
  }
}

beforeAll(() => {
  outside = join(tempDir('mcp-jobs-hostile-outside-'), 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'outside.json'), JSON.stringify({ message: 'CANARY-outside', kind: 'error', current: 1, total: 2, updatedAt: 'x' }));
  const record = { v: 1, id: 'x', type: 'CANARY-outside', status: 'completed', priority: 0, createdAt: new Date().toISOString(), timeoutMs: 0, attempt: 1, maxAttempts: 1, inputDigest: '', command: ['x'], patchState: 'none' };
  writeFileSync(join(outside, 'record.json'), JSON.stringify(record));
  outsideFiles = snapshot(outside);
});

describe.concurrent('hostile worker files', () => {
  it.each(cases.map((c) => [`${c.file}: ${c.kind}${c.content ? ` ${c.content}` : ''}`, c] as const))('%s', (_name, c) => withHarness(async (h) => {
    const { runner } = h;
    const { id, dir } = await h.submitHostile(c);
    const answers = [
      await timed(() => runner.status(id)),
      await timed(() => runner.list({ limit: 50 })),
      await timed(() => runner.list({ status: 'running' })),
      await timed(() => tailFile(join(dir, 'stdout.log'), 100, 256 * 1024)),
      await timed(() => tailFile(join(dir, 'stderr.log'), 100, 256 * 1024)),
    ];
    for (const answer of answers) {
      expect(answer.ms, answer.text.slice(0, 200)).toBeLessThan(LATENCY_MS);
      expect(answer.text).not.toMatch(LEAKS);
    }
    // Status and list never fail because of a worker file (job.json is not the worker's: reading it may fail, clearly).
    if (c.file !== 'job.json') expect(answers[0]!.ok, answers[0]!.text).toBe(true);
    expect(answers[1]!.ok && answers[2]!.ok, answers[1]!.text + answers[2]!.text).toBe(true);
    const view = answers[0]!.ok ? (JSON.parse(answers[0]!.text) as JobStatusView) : undefined;
    if (view?.progress) {
      expect(Number.isFinite(view.progress.current) && Number.isFinite(view.progress.total)).toBe(true);
      expect(view.progress.current).toBeGreaterThanOrEqual(0);
      if (view.progress.total > 0) expect(view.progress.current).toBeLessThanOrEqual(view.progress.total);
    }
    await h.otherJobRuns();

    const end = await h.finish(id, dir);
    c.expect(end);
    expect(JSON.stringify(end)).not.toMatch(LEAKS);
    if (end.status === 'completed' && c.file !== 'job.json') expect(await runner.result(id)).toEqual({ status: 'completed', result: { ok: true } });
    if (c.file === 'job.json') {
      expect(lstatSync(join(dir, 'job.json')).isFile()).toBe(true);
      expect(existsSync(join(dir, 'job.json.corrupt'))).toBe(true);
    }
    expect(snapshot(outside)).toEqual(outsideFiles);
  }));

  it('a job folder replaced by a symlink: nothing is read or written through it, the server answers, others run', () => withHarness(async (h) => {
    const { runner } = h;
    const { id, dir } = await h.submitHostile({ file: 'note.txt', kind: 'not-json', end: 'exit0', expect: completed });
    const pid = (await runner.status(id)).pid!;
    const moved = join(outside, '..', id);
    renameSync(dir, moved);
    symlinkSync(moved, dir);
    const before = snapshot(moved);

    const status = await timed(() => runner.status(id));
    expect(status.ms).toBeLessThan(LATENCY_MS);
    expect(status.ok).toBe(false);
    expect(status.text).toMatch(/symbolic link/);
    const cancel = await timed(() => runner.cancel(id));
    expect(cancel.ok).toBe(false);
    expect(cancel.text).toMatch(/symbolic link/);
    const list = await timed(() => runner.list());
    expect(list.ok && list.ms < LATENCY_MS).toBe(true);
    expect(list.text).not.toContain(id);

    writeFileSync(join(moved, 'release'), '');
    await waitFor(() => !existsSync(`/proc/${pid}`), 'the worker to exit');
    await runner.reconcile();
    await h.otherJobRuns();
    await runner.reconcile();
    const after = snapshot(moved);
    after.delete('release');
    expect(after).toEqual(before);
  }));
});

describe.concurrent('hostile worker files through the MCP server', () => {
  const mcpCases: Case[] = [
    { file: 'results.json', kind: 'fifo', end: 'exit0', expect: failed('invalid_result', /results\.json/) },
    { file: 'results.json', kind: 'sparse', end: 'exit0', expect: failed('invalid_result', /over the .* limit/) },
    { file: 'progress.json', kind: 'schema', content: '{"current":1e308,"total":1e-300,"updatedAt":"x"}', end: 'results', expect: completed },
    { file: 'stdout.log', kind: 'fifo', end: 'results', expect: completed },
    { file: 'stdout.log', kind: 'symlink-out', end: 'results', expect: completed },
  ];
  it.each(mcpCases.map((c) => [`${c.file}: ${c.kind}`, c] as const))('%s', (_name, c) => withHarness(async (h) => {
    const conn: Connected = await connectInProcess(h.runner);
    try {
      const { id, dir } = await h.submitHostile(c);
      for (const [tool, args] of [
        ['get_job_status', { job_id: id }],
        ['list_jobs', {}],
        ['get_job_logs', { job_id: id }],
        ['get_job_results', { job_id: id }],
      ] as const) {
        const answer = await timed(() => call(conn.client, tool, args));
        expect(answer.ms, tool).toBeLessThan(LATENCY_MS);
        expect(answer.ok, `${tool}: ${answer.text}`).toBe(true);
        expect(answer.text).not.toMatch(LEAKS);
        const result = JSON.parse(answer.text) as Parameters<typeof textOf>[0];
        if (tool !== 'get_job_logs') expect(result.isError ?? false, `${tool}: ${textOf(result)}`).toBe(false);
      }
      await h.otherJobRuns();
      const end = await h.finish(id, dir);
      c.expect(end);
      const results = await call(conn.client, 'get_job_results', { job_id: id });
      expect(textOf(results)).not.toMatch(LEAKS);
      if (end.status === 'failed') expect(textOf(results)).toContain('invalid_result');
    } finally {
      await conn.close();
    }
  }));
});
