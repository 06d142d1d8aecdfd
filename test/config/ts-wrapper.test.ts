/** A TypeScript wrapper added through the config (not in src/): registered, then run end to end as a real detached process. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/index.js';
import { tempDir, waitFor } from '../helpers.js';
import { WORD_COUNT, closeAfter, rel, writeConfig } from './setup.js';

describe('a TypeScript wrapper from the config', () => {
  it('appears in registry.list(), runs with progress, and its configured state patch is applied once', async () => {
    const dir = tempDir();
    const config = writeConfig(join(dir, 'project'), {
      wrappers: [{ module: rel(join(dir, 'project'), WORD_COUNT), statePatch: { field: 'word_totals', mode: 'append', pointer: '/words' } }],
    });
    const m = closeAfter(await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config }));

    const type = m.registry.list().find((t) => t.name === 'word_count');
    expect(type).toMatchObject({ description: expect.stringContaining('Count the lines and words'), command: [process.execPath, WORD_COUNT], timeoutMs: 60_000 });
    expect(m.registry.list().map((t) => t.name)).toEqual(['simulate', 'word_count']);

    const seen: number[] = [];
    m.on('job:progress', ({ progress }) => seen.push(progress.current));
    const text = Array.from({ length: 40 }, (_, i) => `line ${i} the cat and the dog`).join('\n');
    const { jobId } = await m.submit('word_count', { text, top: 2, lines_per_step: 10, step_ms: 150 });
    const done = await m.wait(jobId, 15_000);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ current: 40, total: 40, message: '40/40 lines' });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(await m.result(jobId)).toEqual({
      status: 'completed',
      result: { lines: 40, words: 280, unique_words: 45, top: [{ word: 'the', count: 80 }, { word: 'and', count: 40 }] },
    });
    await waitFor(async () => (await m.status(jobId)).patchState === 'applied', 'the state patch');
    expect(await m.state.get('word_totals')).toEqual([280]);
    await m.reconcile(); // a replay changes nothing
    expect(await m.state.get('word_totals')).toEqual([280]);
    expect(existsSync(join(m.store.dir(jobId), 'worker.lock'))).toBe(false);
  });

  it('refuses input its schema rejects at submit, naming the field', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { wrappers: [rel(dir, WORD_COUNT)] });
    const m = closeAfter(await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config }));
    await expect(m.submit('word_count', { text: 'x', top: 500 })).rejects.toThrow(/Invalid input for `word_count`: top: /);
    expect((await m.list()).jobs).toEqual([]);
  });

  it('createJobRunner fails with the config error and leaves no half-registered runner behind', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { wrappers: [rel(dir, WORD_COUNT), { module: './gone.js' }] });
    await expect(createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config })).rejects.toThrow(
      `Config ${config}: wrappers[1] (module ./gone.js): module not found`,
    );
    expect(existsSync(join(dir, 'jobs'))).toBe(false); // failed before start: no folders created
  });
});
