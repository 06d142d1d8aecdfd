/**
 * The end of the soak, read straight from the files: every job folder in
 * exactly one terminal state that matches what happened to it; every
 * acknowledged job present; each completed `append` job in the state file
 * exactly once; no marker, temp file or staging folder left behind.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isJobId } from '../../src/ids.js';
import type { JobRecord } from '../../src/types.js';
import type { Ledger } from './ledger.js';
import { APPEND_FIELD, REPLACE_FIELD, expectedOf, type Expected } from './mix.js';

export interface Verdict {
  folders: number;
  outcomes: Record<string, number>;
  /** Acknowledged jobs with no folder, or not terminal at the end (`queued`/`running` forever). */
  lost: string[];
  /** Of those: queued with no `.active` marker (the signature of issue 8's defect 1). */
  lostUnindexed: string[];
  /** Terminal, but not as what happened to them says. */
  wrong: string[];
  appends: { expected: number; absorbed: number; values: number; duplicates: number; missing: number; extra: number };
  replaceMissing: number;
  leftovers: { markers: string[]; tmp: string[]; staging: string[] };
  /** Worker-lock folders left in job folders (information: SIGKILLed workers leave theirs). */
  staleWorkerLocks: number;
}

const readJson = <T>(path: string): T | undefined => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined);

function walkTmp(dir: string, found: string[] = []): string[] {
  for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walkTmp(path, found);
    else if (entry.name.endsWith('.tmp')) found.push(path);
  }
  return found;
}

const matches = (r: JobRecord, e: Expected) => r.status === e.status && (e.status !== 'failed' || r.error?.kind === e.kind);
const show = (e: Expected) => (e.status === 'failed' ? `failed ${e.kind}` : e.status);

export function verify(jobsDir: string, stateDir: string, ledger: Ledger): Verdict {
  const ids = readdirSync(jobsDir).filter(isJobId);
  const markers = existsSync(join(jobsDir, '.active')) ? readdirSync(join(jobsDir, '.active')) : [];
  const v: Verdict = {
    folders: ids.length, outcomes: {}, lost: [], lostUnindexed: [], wrong: [],
    appends: { expected: 0, absorbed: 0, values: 0, duplicates: 0, missing: 0, extra: 0 }, replaceMissing: 0,
    leftovers: { markers, tmp: walkTmp(jobsDir).concat(walkTmp(stateDir)), staging: existsSync(join(jobsDir, '.staging')) ? readdirSync(join(jobsDir, '.staging')) : [] },
    staleWorkerLocks: 0,
  };
  const appendChecksums: string[] = [];
  const appendIds = new Set<string>();
  const replaceIds: string[] = [];
  for (const id of ids) {
    let record: JobRecord;
    let seed: string;
    try {
      record = readJson<JobRecord>(join(jobsDir, id, 'job.json'))!;
      seed = readJson<{ seed: string }>(join(jobsDir, id, 'input.json'))?.seed ?? '';
    } catch (error) {
      v.wrong.push(`${id}: unreadable job.json or input.json: ${(error as Error).message}`);
      continue;
    }
    const spec = ledger.specs.get(seed) ?? ledger.acked.get(id)?.spec;
    if (existsSync(join(jobsDir, id, 'worker.lock'))) v.staleWorkerLocks += 1;
    const outcome = record.status === 'failed' ? `failed ${record.error?.kind}` : record.status;
    v.outcomes[outcome] = (v.outcomes[outcome] ?? 0) + 1;
    if (record.status === 'queued' || record.status === 'running') {
      v.lost.push(`${id} (${seed}): still ${record.status}${markers.includes(id) ? '' : ', no .active marker'}`);
      if (record.status === 'queued' && !markers.includes(id)) v.lostUnindexed.push(id);
      continue;
    }
    if (!spec) {
      v.wrong.push(`${id}: seed ${seed} is no spec of this soak`);
      continue;
    }
    const expected = ledger.killed.get(id) ?? expectedOf(spec.kind);
    if (!matches(record, expected)) v.wrong.push(`${id} (${seed}, ${spec.kind}${ledger.killed.has(id) ? ', worker killed' : ''}): ${outcome}, expected ${show(expected)}: ${record.error?.message ?? ''}`);
    if (record.status === 'completed' && spec.patch !== 'none') {
      if (record.patchState !== 'applied') v.wrong.push(`${id} (${seed}): completed with patchState ${record.patchState} ${record.patchError ?? ''}`);
      let checksum: string;
      try {
        checksum = readJson<{ checksum: string }>(join(jobsDir, id, 'results.json'))!.checksum;
      } catch (error) {
        v.wrong.push(`${id} (${seed}): completed, results.json unreadable: ${(error as Error).message}`);
        continue;
      }
      if (spec.patch === 'append') {
        appendIds.add(id);
        appendChecksums.push(checksum);
      } else replaceIds.push(id);
    }
  }
  for (const acked of ledger.acked.keys()) if (!ids.includes(acked)) v.lost.push(`${acked}: acknowledged, no job folder`);

  const soak = readJson<{ value: string[]; applied: Record<string, string> }>(join(stateDir, `${APPEND_FIELD}.json`));
  const absorbed = Object.keys(soak?.applied ?? {});
  const values = soak?.value ?? [];
  const remaining = [...values];
  for (const checksum of appendChecksums) {
    const at = remaining.indexOf(checksum);
    if (at >= 0) remaining.splice(at, 1);
  }
  v.appends = {
    expected: appendIds.size,
    absorbed: absorbed.length,
    values: values.length,
    duplicates: values.length - new Set(values).size,
    missing: [...appendIds].filter((id) => !soak?.applied[id]).length,
    extra: absorbed.filter((id) => !appendIds.has(id)).length + remaining.length,
  };
  const latest = readJson<{ applied: Record<string, string> }>(join(stateDir, `${REPLACE_FIELD}.json`));
  v.replaceMissing = replaceIds.filter((id) => !latest?.applied[id]).length;
  return v;
}
