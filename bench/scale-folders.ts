/**
 * Generates a jobs folder at scale, fast: thousands of finished jobs (not in
 * `.active/`) and a few running ones whose workers are live `sleep` processes,
 * recorded with pid and /proc start time exactly as the launcher records them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime } from '../src/runner/proc.js';
import type { JobRecord } from '../src/types.js';
import { inputTextOf, makeRecord, sha256, writeJobFolder } from './folders.js';
import { distPath } from './lib.js';

export interface Sleeper {
  pid: number;
  startTime: string | undefined;
}

/** `count` detached `sleep` processes standing in for running workers. Kill them with `killQuietly`. */
export function startSleepers(count: number): Sleeper[] {
  return Array.from({ length: count }, () => {
    const child = spawn('sleep', ['3600'], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid!;
    return { pid, startTime: processStartTime(pid) };
  });
}

/**
 * Writes `finished` terminal jobs (85 % completed with results.json, 10 %
 * failed, 5 % cancelled; the last `applied` completed ones carry an applied
 * `append` patch to state field `designs`) and one running job per sleeper.
 */
export function generateJobs(jobsDir: string, stateDir: string, finished: number, sleepers: Sleeper[], applied = 500): void {
  mkdirSync(join(jobsDir, '.active'), { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const command = [process.execPath, distPath('cli-wrappers/simulate.js')];
  const start = Date.now() - finished * 1_000 - 60_000;
  const designs: unknown[] = [];
  const appliedIds: Record<string, string> = {};
  for (let i = 0; i < finished; i++) {
    const created = start + i * 1_000;
    const input = { steps: 10, step_ms: 50, seed: `job-${i}` };
    const inputText = inputTextOf(input);
    const kind = i % 20;
    const status: JobRecord['status'] = kind < 17 ? 'completed' : kind < 19 ? 'failed' : 'cancelled';
    const withPatch = status === 'completed' && i >= finished - applied * 1.25;
    const record = makeRecord(
      {
        command,
        inputDigest: sha256(inputText),
        status,
        startedAt: new Date(created + 20).toISOString(),
        finishedAt: new Date(created + 560).toISOString(),
        pid: 100_000 + i,
        pidStartTime: String(1_000_000 + i),
        exitCode: status === 'completed' ? 0 : 1,
        signal: null,
        ...(status === 'failed' ? { error: { kind: 'error' as const, message: 'simulated failure at step 3 of 10' } } : {}),
        ...(withPatch ? { patch: { kind: 'declarative' as const, patch: { field: 'designs', mode: 'append' as const } }, patchState: 'applied' as const } : {}),
      },
      created,
    );
    const result = status === 'completed' ? { steps: 10, checksum: (i * 2654435761 >>> 0).toString(16).padStart(8, '0') } : undefined;
    writeJobFolder(jobsDir, record, inputText, result);
    if (withPatch) {
      designs.push(result);
      appliedIds[record.id] = record.finishedAt!;
    }
  }
  for (const sleeper of sleepers) {
    const inputText = inputTextOf({ steps: 3_600, step_ms: 1_000 });
    const record = makeRecord({
      command,
      inputDigest: sha256(inputText),
      status: 'running',
      startedAt: new Date().toISOString(),
      timeoutMs: 0,
      pid: sleeper.pid,
      ...(sleeper.startTime ? { pidStartTime: sleeper.startTime } : {}),
    });
    writeJobFolder(jobsDir, record, inputText);
    writeFileSync(join(jobsDir, '.active', record.id), '');
  }
  const stateFile = { v: 1, field: 'designs', value: designs, applied: appliedIds, updatedAt: new Date().toISOString() };
  writeFileSync(join(stateDir, 'designs.json'), `${JSON.stringify(stateFile, null, 2)}\n`);
}
