/** Property: no string, however built, gets a path outside the jobs folder (issue 8, property tests). */
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertJobId, isJobId, newJobId } from '../../src/ids.js';
import { JobStore } from '../../src/store/job-store.js';
import { JobsError } from '../../src/errors.js';

const root = resolve('/tmp/mcp-jobs-property-root/jobs');
const store = new JobStore(root);

/** Strings that look like what an attacker would try: path pieces, dots, NULs, unicode, long runs. */
const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('a', '0', '-', '.', '/', '\\', '\u0000', '%', '2', 'e', 'f', ':', '~'), maxLength: 70 }),
  fc.array(fc.constantFrom('..', '.', '', 'etc', 'passwd', 'a'.repeat(16), '%2e%2e', '\u2215', 'x'), { maxLength: 8 }).map((parts) => parts.join('/')),
  fc.uuid().map((u) => `../${u}`),
  fc.uuid().map((u) => `0mwq8vcdk-${u}/..`),
);

describe('job id validation (property)', () => {
  it('every string either is refused with invalid_id or names a folder directly inside the jobs root', () => {
    fc.assert(
      fc.property(hostile, (candidate) => {
        let dir: string;
        try {
          dir = store.dir(candidate);
        } catch (error) {
          expect(error).toBeInstanceOf(JobsError);
          expect((error as JobsError).code).toBe('invalid_id');
          expect(isJobId(candidate)).toBe(false);
          return;
        }
        expect(isJobId(candidate)).toBe(true);
        expect(dir).toBe(join(root, candidate));
        expect(resolve(dir).startsWith(root + sep)).toBe(true);
        expect(resolve(dir, '..')).toBe(root);
        expect(candidate.includes('/') || candidate.includes('.') || candidate.includes('\u0000')).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('every generated id is valid and round-trips through assertJobId', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), (now) => {
        const id = newJobId(now);
        expect(assertJobId(id)).toBe(id);
      }),
      { numRuns: 2000 },
    );
  });
});
