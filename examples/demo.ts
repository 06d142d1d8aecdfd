/**
 * `npm run demo`: the pattern in under a minute, with the real server.
 *
 *   1. start `node dist/server.js` in a temp folder and connect an MCP client over stdio
 *   2. submit jobs: each call returns a job_id at once; one carries a state patch
 *   3. watch progress, then kill the server with SIGKILL mid-job
 *   4. the detached workers keep going; start the server again
 *   5. the jobs complete, and the state patch is applied exactly once (also after one more restart)
 *
 * Exits 0 when all of it held, 1 otherwise. `--keep` keeps the temp folder.
 */
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const DIST = fileURLToPath(new URL('..', import.meta.url)); // dist/
const SERVER = join(DIST, 'server.js');
const WORD_COUNT = join(DIST, 'examples', 'wrappers', 'word-count.js');
const PATCH = { field: 'runs', mode: 'append', pointer: '/checksum' } as const;

const started = Date.now();
process.stdout.on('error', () => {}); // a closed pipe (`npm run demo | head`) must not stop the demo before it tidies up
const say = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Structured = Record<string, unknown>;
interface Server {
  client: Client;
  pid: number;
}

async function startServer(dir: string, n: number): Promise<Server> {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER],
    cwd: dir, // the server reads ./mcp-jobs.config.json from here
    env: { ...env, MCP_JOBS_DIR: join(dir, 'jobs'), MCP_JOBS_STATE_DIR: join(dir, 'state') },
    stderr: 'pipe',
  });
  const log = createWriteStream(join(dir, `server-${n}.log`));
  transport.stderr?.pipe(log);
  const client = new Client({ name: 'mcp-jobs-demo', version: '1.0.0' });
  await client.connect(transport);
  return { client, pid: transport.pid! };
}

async function call(server: Server, name: string, args: Structured = {}): Promise<Structured> {
  const result = await server.client.callTool({ name, arguments: args });
  const structured = (result.structuredContent ?? undefined) as Structured | undefined;
  if (result.isError && !structured) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return structured ?? (JSON.parse((result.content as { text: string }[])[0]!.text) as Structured);
}

function progressLine(status: Structured): string {
  const p = status.progress as { current: number; total: number; percentage: number | null } | null;
  return `${String(status.status).padEnd(9)} ${p ? `${String(p.percentage ?? 0).padStart(5)}% (${p.current}/${p.total})` : '       -'}`;
}

/** Polls get_job_status and prints a line per round, until `done(statuses)` or `rounds` rounds. */
async function showProgress(server: Server, jobs: Map<string, string>, rounds: number, everyMs: number, done: (s: Structured[]) => boolean): Promise<Structured[]> {
  let last: Structured[] = [];
  for (let i = 0; i < rounds; i++) {
    last = await Promise.all([...jobs.keys()].map((id) => call(server, 'get_job_status', { job_id: id })));
    say(`progress: ${last.map((s) => `${jobs.get(String(s.job_id))} ${progressLine(s)}`).join(' | ')}`);
    if (done(last)) break;
    await sleep(everyMs);
  }
  return last;
}

const allFinished = (statuses: Structured[]) => statuses.every((s) => !['queued', 'running'].includes(String(s.status)));
const currentOf = (status: Structured | undefined) => (status?.progress as { current?: number } | null | undefined)?.current ?? 0;

/** What the job folder says, read straight from disk (no server involved). */
function onDisk(dir: string, id: string): { pid?: number; progress?: string; status: string } {
  const job = JSON.parse(readFileSync(join(dir, 'jobs', id, 'job.json'), 'utf8')) as { pid?: number; status: string };
  const file = join(dir, 'jobs', id, 'progress.json');
  const progress = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { current: number; total: number }) : undefined;
  return { status: job.status, ...(job.pid ? { pid: job.pid } : {}), ...(progress ? { progress: `${progress.current}/${progress.total}` } : {}) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function main(dir: string): Promise<boolean> {
  writeFileSync(join(dir, 'mcp-jobs.config.json'), JSON.stringify({ wrappers: [WORD_COUNT] }, null, 2));
  say(`temp folder ${dir} (a config file there adds the word_count wrapper)`);

  let server = await startServer(dir, 1);
  say(`server 1 started (pid ${server.pid}); tools: ${(await server.client.listTools()).tools.map((t) => t.name).join(', ')}`);

  const jobs = new Map<string, string>();
  const submit = async (label: string, tool: string, args: Structured) => {
    const t0 = performance.now();
    const reply = await call(server, tool, args);
    jobs.set(String(reply.job_id), label);
    say(`${label}: ${tool} returned job_id ${String(reply.job_id)} (${String(reply.status)}) in ${Math.round(performance.now() - t0)} ms`);
    return String(reply.job_id);
  };
  const patched = await submit('A', 'simulate', { steps: 30, step_ms: 200, seed: 'demo-a', state_patch: PATCH });
  await submit('B', 'simulate', { steps: 12, step_ms: 200, seed: 'demo-b' });
  const text = Array.from({ length: 240 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog`).join('\n');
  await submit('C', 'word_count', { text, top: 3, lines_per_step: 12, step_ms: 150 });
  say(`A carries a state patch: append its /checksum to state field "${PATCH.field}"`);

  // Kill the server once A is a few steps in: mid-job, with most of its 30 steps still to go.
  await showProgress(server, jobs, 40, 400, (statuses) => currentOf(statuses.find((s) => s.job_id === patched)) >= 4);
  process.kill(server.pid, 'SIGKILL');
  await server.client.close().catch(() => {});
  say(`server 1 killed with SIGKILL mid-job`);

  const before = new Map([...jobs.keys()].map((id) => [id, onDisk(dir, id)]));
  await sleep(1500);
  for (const [id, label] of jobs) {
    const was = before.get(id)!;
    const now = onDisk(dir, id);
    const worker = was.pid ? `worker pid ${was.pid} ${alive(was.pid) ? 'still running' : 'exited'}` : `${was.status}, no worker yet (waiting for a free slot)`;
    say(`no server: ${label} ${worker}, progress.json ${was.progress ?? '-'} -> ${now.progress ?? '-'}`);
  }

  server = await startServer(dir, 2);
  say(`server 2 started (pid ${server.pid}): it settles jobs that ended while no server ran, follows the running ones, starts the queued`);
  const final = await showProgress(server, jobs, 80, 500, allFinished);
  const results = await Promise.all(final.map((s) => call(server, 'get_job_results', { job_id: s.job_id })));
  for (const r of results) say(`result of ${jobs.get(String(r.job_id))}: ${String(r.status)} ${JSON.stringify(r.result ?? r.error)}`);

  const checksum = (results.find((r) => r.job_id === patched)?.result as { checksum?: string } | undefined)?.checksum;
  const state = await call(server, 'get_state', { field: PATCH.field });
  say(`get_state("${PATCH.field}") = ${JSON.stringify(state.value)}`);
  await server.client.close();
  say('server 2 stopped; starting server 3 to show a replay changes nothing');
  server = await startServer(dir, 3);
  const again = await call(server, 'get_state', { field: PATCH.field });
  await server.client.close();
  const file = JSON.parse(readFileSync(join(dir, 'state', `${PATCH.field}.json`), 'utf8')) as { applied: Record<string, string> };
  say(`state/${PATCH.field}.json records the jobs it absorbed: ${JSON.stringify(Object.keys(file.applied))}`);

  const values = again.value as unknown[];
  const ok =
    final.every((s) => s.status === 'completed') &&
    checksum !== undefined &&
    Array.isArray(values) &&
    values.filter((v) => v === checksum).length === 1 &&
    values.length === 1 &&
    JSON.stringify(state.value) === JSON.stringify(again.value) &&
    Object.keys(file.applied).filter((id) => id === patched).length === 1;
  if (ok) say(`OK: all jobs completed across a SIGKILL; the state patch was applied exactly once (checksum ${checksum})`);
  else say(`FAILED: expected every job completed and "${PATCH.field}" = ["${checksum}"] once; see the server logs in ${dir}`);
  return ok;
}

const dir = mkdtempSync(join(tmpdir(), 'mcp-jobs-demo-'));
const keep = process.argv.includes('--keep');
let ok = false;
try {
  ok = await main(dir);
} catch (error) {
  say(`FAILED: ${(error as Error).stack ?? String(error)}`);
  for (const n of [1, 2, 3]) {
    const log = join(dir, `server-${n}.log`);
    if (existsSync(log)) console.error(`--- server ${n} stderr ---\n${readFileSync(log, 'utf8')}`);
  }
} finally {
  // Stop any worker still running (each is its own process group), then tidy up.
  for (const id of existsSync(join(dir, 'jobs')) ? readdirSync(join(dir, 'jobs')).filter((n) => !n.startsWith('.')) : []) {
    try {
      const { pid, status } = onDisk(dir, id);
      if (pid && status === 'running' && alive(pid)) process.kill(-pid, 'SIGKILL');
    } catch {
      // not a job folder, or already gone
    }
  }
  if (keep) say(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
