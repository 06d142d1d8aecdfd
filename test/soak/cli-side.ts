/**
 * A second process on the same folders: the real CLI (`node
 * dist/src/cli/main.js`), alternately `list --json` (read-only, must parse)
 * and `run simulate` (a manager of its own that submits, dispatches, follows
 * its job and settles others'). Each `run` job is acknowledged by the id in
 * its `--json` answer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST } from '../helpers.js';
import type { Ledger } from './ledger.js';

const CLI = join(DIST, 'src', 'cli', 'main.js');

function runCli(args: string[], root: string, ledger: Ledger): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => {
      ledger.killedPids.add(child.pid!);
      ledger.anomaly(`cli ${args[0]} still running after 120 s: SIGKILLed`);
      child.kill('SIGKILL');
    }, 120_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      ledger.processes.set(child.pid!, `cli ${args[0]} (exit ${code ?? signal})`);
      resolve({ code, out, err });
    });
  });
}

export async function cliSide(folders: { root: string; jobsDir: string; stateDir: string }, ledger: Ledger, stopped: () => boolean): Promise<void> {
  const dirs = ['--jobs-dir', folders.jobsDir, '--state-dir', folders.stateDir];
  for (let n = 0; !stopped(); n++) {
    const list = await runCli(['list', '--limit', '100', '--json', ...dirs], folders.root, ledger);
    ledger.count('cli list');
    try {
      if (list.code !== 0) throw new Error(`exit ${list.code}: ${list.err.trim().slice(-300)}`);
      JSON.parse(list.out);
    } catch (error) {
      ledger.anomaly(`cli list: ${(error as Error).message}`);
    }
    if (stopped()) return;
    const seed = `cli-${n}`;
    const input = { steps: 2 + (n % 3), step_ms: 150, seed };
    const spec = { seed, kind: 'short' as const, patch: 'none' as const, args: input };
    ledger.specs.set(seed, spec);
    const run = await runCli(['run', 'simulate', '--input-json', JSON.stringify(input), '--json', ...dirs], folders.root, ledger);
    ledger.count('cli run');
    try {
      const answer = JSON.parse(run.out) as { job_id: string; status: string };
      ledger.acked.set(answer.job_id, { id: answer.job_id, via: 'cli', spec });
      const killed = ledger.killed.get(answer.job_id);
      if ((run.code === 0) !== (answer.status === 'completed') || (!killed && answer.status !== 'completed')) {
        ledger.anomaly(`cli run ${answer.job_id}: exit ${run.code}, ${answer.status}${killed ? ' (worker killed)' : ''}: ${run.err.trim().slice(-300)}`);
      }
    } catch (error) {
      ledger.anomaly(`cli run: exit ${run.code}, ${(error as Error).message}: ${run.err.trim().slice(-300)}`);
    }
  }
}
