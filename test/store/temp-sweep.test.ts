/**
 * Temp files of writers killed mid-write are swept (issue 8, soak: "no marker
 * or temp file left"): a job's folder when it leaves the index, the state
 * folder at start. A live writer's temp file is never touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../src/store/state-store.js';
import { sweepDeadTemps, tempWriterPid } from '../../src/store/temp-sweep.js';
import { tempDir, waitFor } from '../helpers.js';
import { makeManager } from '../runner/setup.js';

const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('temp files of dead writers', () => {
  it('reads the writer pid from both runtimes\' temp names, and nothing else', () => {
    expect(tempWriterPid('.job.json.1234.5.abc123.tmp')).toBe(1234);
    expect(tempWriterPid('.results.json.4321.0a1b2c.tmp')).toBe(4321);
    expect(tempWriterPid('.results.json.4321.123456.tmp')).toBe(4321);
    for (const name of ['job.json', '.job.json.tmp', 'results.json.12.tmp', '.notes.txt.12.3.ab.tmp', '.x.json.abc.1.2.tmp']) expect(tempWriterPid(name)).toBeUndefined();
  });

  it('a finished job leaves the index without the temp files of its dead writers; a live writer\'s stays', async () => {
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const m = await makeManager();
      const { jobId } = await m.submit('timed', { ms: 400 });
      await waitFor(async () => (await m.status(jobId)).status === 'running', 'the job to run');
      const dir = m.store.dir(jobId);
      const dead = `.results.json.${deadPid()}.1.abc123.tmp`;
      const alive = `.progress.json.${live.pid}.2.def456.tmp`;
      writeFileSync(join(dir, dead), '{"half": ');
      writeFileSync(join(dir, alive), '{"cur');
      expect((await m.wait(jobId, 10_000)).status).toBe('completed');
      await waitFor(() => !existsSync(join(m.options.jobsDir, '.active', jobId)), 'the job to leave the index');
      expect(existsSync(join(dir, dead)), 'a dead writer\'s temp file is swept').toBe(false);
      expect(existsSync(join(dir, alive)), 'a live writer\'s temp file stays').toBe(true);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('the state folder is swept at start', async () => {
    const dir = join(tempDir(), 'state');
    mkdirSync(dir);
    const dead = `.runs.json.${deadPid()}.7.zz9.tmp`;
    writeFileSync(join(dir, dead), '{"v');
    await new StateStore(dir).init();
    expect(existsSync(join(dir, dead))).toBe(false);
    expect(sweepDeadTemps(dir)).toEqual([]);
  });

  it('only files are swept: a folder or a link under a dead writer\'s temp name stays, as does a missing folder', () => {
    const dir = tempDir();
    const pid = deadPid();
    const folder = `.job.json.${pid}.1.aa.tmp`;
    const link = `.job.json.${pid}.2.bb.tmp`;
    const file = `.job.json.${pid}.3.cc.tmp`;
    mkdirSync(join(dir, folder));
    writeFileSync(join(dir, 'target'), 'kept');
    symlinkSync('target', join(dir, link));
    writeFileSync(join(dir, file), '{');
    expect(sweepDeadTemps(dir)).toEqual([file]);
    expect(lstatSync(join(dir, folder)).isDirectory()).toBe(true);
    expect(lstatSync(join(dir, link)).isSymbolicLink()).toBe(true);
    expect(sweepDeadTemps(join(dir, 'missing'))).toEqual([]);
  });
});
