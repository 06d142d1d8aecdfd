/**
 * What a job holds in the server process is given back once the job is done with: a worker whose logs could
 * not both be opened leaves no descriptor open on the one that did open, and a job that ran or was stopped
 * leaves nothing open in its folder. Read from /proc/self/fd: what the kernel says this process holds.
 * And a `wait` hears of an end that another process wrote (its 500 ms status poll), not only of its own events.
 */
import { readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { makeManager } from './setup.js';

/** The paths this process has open under `dir`. */
function openUnder(dir: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${dir}/`)) open.push(target);
    } catch {
      // closed between the listing and the readlink
    }
  }
  return open;
}

describe.runIf(process.platform === 'linux')('descriptors of a job (launcher.ts)', () => {
  it.each(['stdout.log', 'stderr.log'])('a %s that cannot be opened fails the spawn and leaves the other log closed', async (planted) => {
    const dir = tempDir();
    const outside = join(dir, 'outside.log');
    writeFileSync(outside, '');
    const submitter = await makeManager({ dispatch: false }, dir);
    const { jobId } = await submitter.submit('timed', { ms: 1 });
    const jobDir = submitter.store.dir(jobId);
    symlinkSync(outside, join(jobDir, planted));
    await submitter.close();

    const dispatcher = await makeManager({}, dir);
    const view = await dispatcher.wait(jobId, 10_000);
    expect(view).toMatchObject({ status: 'failed', error: { kind: 'spawn' } });
    expect(openUnder(jobDir)).toEqual([]);
  });

  it('a job that ran, and one that was stopped, leave nothing open in their folders', async () => {
    const m = await makeManager();
    const { jobId: done } = await m.submit('timed', { ms: 1 });
    const { jobId: stopped } = await m.submit('forever', {});
    expect(await m.wait(done, 10_000)).toMatchObject({ status: 'completed' });
    await m.cancel(stopped);
    expect(await m.wait(stopped, 10_000)).toMatchObject({ status: 'cancelled' });
    expect(openUnder(m.store.dir(done))).toEqual([]);
    expect(openUnder(m.store.dir(stopped))).toEqual([]);
  });
});

describe('wait (job-manager.ts)', () => {
  it('ends when another manager on the folder cancels the job, which sends this one no event', async () => {
    const dir = tempDir();
    const waiting = await makeManager({ dispatch: false }, dir);
    const { jobId } = await waiting.submit('forever', {});
    const answer = waiting.wait(jobId, 60_000);
    const other = await makeManager({ dispatch: false }, dir);
    await other.cancel(jobId);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'no answer in 10 s'>((resolve) => (timer = setTimeout(() => resolve('no answer in 10 s'), 10_000)));
    const view = await Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
    expect(view).toMatchObject({ status: 'cancelled' });
  });
});
