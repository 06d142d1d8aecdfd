/** State field names are the only part of a state path that comes from input: nothing but a plain name passes. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore, assertField } from '../../src/store/state-store.js';
import { tempDir } from '../helpers.js';

const BAD_FIELDS = ['a/b', 'runs/../../escape', 'x/', 'a\\b', '../x', '.hidden', '', 'a b', 'a\u0000b', 'é', 'x'.repeat(65), 'a:b'];

describe('state field names', () => {
  it.each(BAD_FIELDS)('rejects %j before building any path', async (field) => {
    const root = join(tempDir(), 'state');
    const state = new StateStore(root);
    await state.init();
    expect(() => assertField(field)).toThrow(/Expected a state field name/);
    expect(() => state.path(field)).toThrow(/Expected a state field name/);
    await expect(state.get(field)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(state.apply(field, 'job-a', new Date(0).toISOString(), () => ({ value: 1 }))).rejects.toMatchObject({ code: 'invalid_input' });
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(join(root, '..', 'escape.json'))).toBe(false);
  });

  it('accepts plain names: a letter, then letters, digits, _ . -', async () => {
    const state = new StateStore(tempDir());
    for (const field of ['a', 'runs', 'Designs_v2.1-final', `a${'x'.repeat(63)}`]) expect(assertField(field)).toBe(field);
    expect(await state.apply('runs.v2', 'job-a', new Date(0).toISOString(), () => ({ value: [1] }))).toBe('applied');
    expect(await state.get('runs.v2')).toEqual([1]);
  });
});
