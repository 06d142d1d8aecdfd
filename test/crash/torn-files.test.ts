/**
 * Torn files (issue 3, item 9): a truncated job.json, results.json or
 * state/<field>.json — damage outside our atomic writes — is reported and
 * handled, and never crashes startup. Each case first completes a batch of
 * other jobs, plants the damage, starts a new manager process, and checks that
 * it starts, how it reports the damaged job, and that the other jobs and their
 * state are untouched.
 */
import { existsSync, readFileSync, readdirSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChild, type ChildEvent, type CrashPoint } from './child.js';
import { APPEND, jobSet } from './converged.js';
import { folders, jobIds, readJob, readJobs, readResult, readState, type Folders } from './folders.js';
import { tempDir } from '../helpers.js';

/** Cuts a file to half its length, as a crash of a non-atomic writer would leave it. */
function tear(path: string): void {
  truncateSync(path, Math.floor(statSync(path).size / 2));
}

interface Planted {
  f: Folders;
  others: string[];
  victim: string;
}

/** Four jobs (two append to `runs`, two replace `latest`) completed and applied. */
async function completedBatch(): Promise<Folders> {
  const f = folders(tempDir('mcp-jobs-torn-'));
  await runChild({ ...f, jobs: jobSet('others', 4, 2, 20), expectJobs: 4 });
  return f;
}

/** Four jobs completed and applied, then one more job stopped at `point` (its id is the victim). */
async function setUp(point: CrashPoint): Promise<Planted> {
  const f = await completedBatch();
  const others = jobIds(f.jobsDir);
  await runChild({ ...f, jobs: [{ input: { steps: 2, step_ms: 20, seed: `victim-${Math.random()}` }, statePatch: { ...APPEND } }] }, point);
  const victim = jobIds(f.jobsDir).find((id) => !others.includes(id))!;
  return { f, others, victim };
}

/** Starts a manager on the damaged folders; it must start, settle and exit cleanly. */
async function restart(f: Folders, extra = 0, unreadable = 0): Promise<{ queries: Map<string, ChildEvent>; events: ChildEvent[]; stderr: string }> {
  const ids = jobIds(f.jobsDir);
  const child = await runChild({ ...f, jobs: jobSet('after', extra, 2, 20), expectJobs: ids.length + extra - unreadable, query: ids });
  expect(child.named('fatal')).toEqual([]);
  return { queries: new Map(child.named('query').map((e) => [e.id!, e])), events: child.events, stderr: child.stderr };
}

/** The other jobs stay completed and applied, their values in `runs` exactly once. */
function expectOthersIntact(p: Planted, queries: Map<string, ChildEvent>): void {
  for (const id of p.others) {
    expect(readJob(p.f.jobsDir, id)).toMatchObject({ status: 'completed', patchState: 'applied' });
    expect(queries.get(id)?.status).toMatchObject({ status: 'completed' });
  }
  const runs = readState(p.f.stateDir, 'runs')!;
  for (const r of p.others.map((id) => readJob(p.f.jobsDir, id)).filter((r) => r.patch?.kind === 'declarative' && r.patch.patch.field === 'runs')) {
    expect((runs.value as string[]).filter((v) => v === readResult(p.f.jobsDir, r.id).checksum)).toHaveLength(1);
  }
}

describe('torn files never crash startup', () => {
  it('a truncated job.json of a queued job: set aside as job.json.corrupt, the job reported failed (lost)', async () => {
    const p = await setUp('after-submit');
    tear(join(p.f.jobsDir, p.victim, 'job.json'));
    const { queries, stderr } = await restart(p.f, 1);
    expect(existsSync(join(p.f.jobsDir, p.victim, 'job.json.corrupt'))).toBe(true);
    const status = queries.get(p.victim)!.status as { status: string; error: { kind: string; message: string } };
    expect(status).toMatchObject({ status: 'failed', error: { kind: 'lost' } });
    expect(status.error.message).toMatch(/job\.json was unreadable/);
    expect(stderr).toContain(`job ${p.victim}: job.json is not valid JSON`);
    expectOthersIntact(p, queries);
  }, 40_000);

  it('a truncated job.json of a completed job with its patch pending: completed, the patch reported as not applied', async () => {
    const p = await setUp('before-patch');
    tear(join(p.f.jobsDir, p.victim, 'job.json'));
    const { queries } = await restart(p.f);
    const status = queries.get(p.victim)!.status as { status: string; patchState: string; patchError: string };
    expect(status).toMatchObject({ status: 'completed', patchState: 'skipped' });
    expect(status.patchError).toMatch(/job\.json was unreadable/);
    expect(queries.get(p.victim)!.result).toEqual({ status: 'completed', result: readResult(p.f.jobsDir, p.victim) });
    expectOthersIntact(p, queries);
  }, 40_000);

  it('a truncated job.json of a finished job (not in the index): startup ignores it, status() reports a storage error', async () => {
    const p = await setUp('after-submit'); // the victim here is just a queued job that will run normally
    const torn = p.others[0]!;
    tear(join(p.f.jobsDir, torn, 'job.json'));
    const { queries } = await restart(p.f, 0, 1);
    expect(queries.get(torn)!.status).toMatchObject({ code: 'storage', message: expect.stringMatching(/job\.json is not valid JSON/) });
    expect(queries.get(p.victim)!.status).toMatchObject({ status: 'completed', patchState: 'applied' });
    p.others = p.others.slice(1);
    expectOthersIntact(p, queries);
  }, 40_000);

  it('a truncated results.json of a job whose worker ended while no manager ran: failed (invalid_result), not a crash', async () => {
    const p = await setUp('before-settle');
    tear(join(p.f.jobsDir, p.victim, 'results.json'));
    const { queries } = await restart(p.f, 1);
    const status = queries.get(p.victim)!.status as { status: string; error: { kind: string; message: string } };
    expect(status).toMatchObject({ status: 'failed', error: { kind: 'invalid_result' } });
    expect(status.error.message).toMatch(/results\.json is not valid JSON/);
    expectOthersIntact(p, queries);
  }, 40_000);

  it('a truncated results.json of a completed job with its patch pending: patch reported as an error, result() reports storage', async () => {
    const p = await setUp('before-patch');
    tear(join(p.f.jobsDir, p.victim, 'results.json'));
    const { queries, stderr } = await restart(p.f, 1);
    const status = queries.get(p.victim)!.status as { status: string; patchState: string; patchError: string };
    expect(status).toMatchObject({ status: 'completed', patchState: 'error' });
    expect(status.patchError).toMatch(/results\.json/);
    expect(queries.get(p.victim)!.result).toMatchObject({ code: 'storage' });
    expect(stderr).toContain(`job ${p.victim}: state patch not applied`);
    expect(readState(p.f.stateDir, 'runs')!.applied[p.victim]).toBeUndefined();
    expectOthersIntact(p, queries);
  }, 40_000);

  it('a truncated state/runs.json: startup goes on, the file is moved aside and kept, the manager knows, new patches land', async () => {
    const f = await completedBatch();
    const latest = readFileSync(join(f.stateDir, 'latest.json'), 'utf8');
    tear(join(f.stateDir, 'runs.json'));
    const child = await runChild({ ...f, jobs: jobSet('after', 1, 2, 20), expectJobs: 5 });
    expect(Object.keys(child.named('ready')[0]!.damagedState as object)).toEqual(['runs']);
    expect(readdirSync(f.stateDir).filter((n) => n.startsWith('runs.json.corrupt-'))).toHaveLength(1);
    const newest = jobIds(f.jobsDir).at(-1)!;
    expect(readJob(f.jobsDir, newest)).toMatchObject({ status: 'completed', patchState: 'applied' });
    expect(readState(f.stateDir, 'runs')!.value).toContain(readResult(f.jobsDir, newest).checksum);
    expect(readFileSync(join(f.stateDir, 'latest.json'), 'utf8')).toBe(latest); // the other field is untouched
  }, 40_000);

  // Regression guards for three gaps found here and fixed in 47cb1ce: a damaged field was not logged, start-up set aside
  // only the first damaged field, and nothing rebuilt a damaged field although its error message said so.
  it('a truncated state field is reported on the log (stderr), like a torn job.json', async () => {
    const f = await completedBatch();
    tear(join(f.stateDir, 'runs.json'));
    const child = await runChild({ ...f, expectJobs: 4 });
    expect(child.stderr).toMatch(/runs\.json/);
  }, 40_000);

  it('two truncated state fields: both set aside at startup', async () => {
    const f = await completedBatch();
    tear(join(f.stateDir, 'latest.json'));
    tear(join(f.stateDir, 'runs.json'));
    const child = await runChild({ ...f, expectJobs: 4 });
    expect(Object.keys(child.named('ready')[0]!.damagedState as object).sort()).toEqual(['latest', 'runs']);
  }, 40_000);

  it('a truncated state/runs.json is rebuilt from the jobs it had absorbed (each exactly once, plus new ones)', async () => {
    const f = await completedBatch();
    const before = readState(f.stateDir, 'runs')!;
    tear(join(f.stateDir, 'runs.json'));
    await runChild({ ...f, jobs: jobSet('after', 1, 2, 20), expectJobs: 5 });
    const runs = readState(f.stateDir, 'runs')!;
    const appenders = readJobs(f.jobsDir).filter((r) => r.patch?.kind === 'declarative' && r.patch.patch.field === 'runs');
    expect(Object.keys(runs.applied).sort()).toEqual(appenders.map((r) => r.id).sort());
    expect([...(runs.value as string[])].sort()).toEqual([...(before.value as string[]), readResult(f.jobsDir, appenders.at(-1)!.id).checksum].sort());
  }, 40_000);
});
