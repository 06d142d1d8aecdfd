/**
 * The exact messages and small branches of the store and the patch code
 * (safe-read.ts, atomic.ts, ensure-dir.ts, state-store.ts, paths.ts,
 * schemas.ts, runner/patches.ts, runner/input-limit.ts), which the sampled
 * mutation run (BENCHMARKS.md, "Mutation testing") found no test pinned: a
 * message emptied, a regex widened, a bound moved by one survived. Each
 * assertion here is exact (`toBe` / `toEqual`), so a string replaced by ""
 * fails it; each was seen to fail with its mutant applied by hand. Real files
 * in temp folders; the only concurrency (ensureDir racing itself or a writer)
 * asserts what holds whichever call wins.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobsError } from '../../src/errors.js';
import { PatchError, PatchHandlers, declarativeStep, finishedLater, patchField, resolvePointer } from '../../src/runner/patches.js';
import { checkInputSize, formatBytes as formatInputBytes, serializeInput } from '../../src/runner/input-limit.js';
import { formatIssues, tempPathFor, writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from '../../src/store/atomic.js';
import { ensureDir } from '../../src/store/ensure-dir.js';
import { ACTIVE_DIR, DISPATCH_LOCK, JOB_FILES, STAGING_DIR, jobFile } from '../../src/store/paths.js';
import { formatBytes, formatFileIssues, parseJsonText, readBytes, readJsonFile, readRegularText } from '../../src/store/safe-read.js';
import { statePatchSchema } from '../../src/store/schemas.js';
import { FIELD_PATTERN, StateStore, assertField, emptyFile, type StateFile } from '../../src/store/state-store.js';
import type { JobRecord } from '../../src/types.js';
import { tempDir } from '../helpers.js';

/** What a call throws (or rejects with), to compare whole. */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

const failure = (reason: string, message: string) => ({ ok: false, reason, message });

describe('safe-read.ts: sizes, kinds and JSON errors in messages', () => {
  it('formatBytes switches unit exactly at 1 KiB, 1 MiB and 1 GiB', () => {
    const cases: [number, string][] = [
      [0, '0 bytes'],
      [1023, '1023 bytes'],
      [1024, '1.0 KiB'],
      [1536, '1.5 KiB'],
      [1024 ** 2 - 1, '1024.0 KiB'],
      [1024 ** 2, '1.0 MiB'],
      [1024 ** 3 - 1, '1024.0 MiB'],
      [1024 ** 3, '1.0 GiB'],
      [3.5 * 1024 ** 3, '3.5 GiB'],
    ];
    expect(cases.map(([bytes]) => formatBytes(bytes))).toEqual(cases.map(([, text]) => text));
  });

  it('a file over a limit with no option named says so without the option part', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.json'), '[1,2,3,4]');
    expect(await readJsonFile(join(dir, 'x.json'), undefined, { maxBytes: 6 })).toEqual(failure('too_large', 'x.json is 9 bytes, over the 6 bytes limit; not read'));
    expect(await readJsonFile(join(dir, 'x.json'), undefined, { maxBytes: 6, option: 'maxX' })).toEqual(failure('too_large', 'x.json is 9 bytes, over the 6 bytes limit (`maxX`); not read'));
  });

  it('names a missing file, a file under a file, a socket and a device, each in its own words', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain'), '');
    expect(await readJsonFile(join(dir, 'none.json'))).toEqual(failure('missing', 'none.json does not exist'));
    expect(await readJsonFile(join(dir, 'plain', 'x.json'))).toEqual(failure('unsafe', 'x.json: its folder is not a directory'));
    expect(readRegularText('/dev/null')).toEqual(failure('unsafe', 'null is a device, not a regular file; not read'));
    expect(readRegularText('/dev/null', undefined, 'results.json')).toEqual(failure('unsafe', 'results.json is a device, not a regular file; not read'));
    const server = createServer();
    const socket = join(dir, 's.json');
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(await readJsonFile(socket)).toEqual(failure('unsafe', 's.json is not a regular file (a socket or device); not read'));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an open error it has no words for is thrown as it is (here ENAMETOOLONG)', async () => {
    const error = await thrown(() => readJsonFile(join(tempDir(), `${'n'.repeat(300)}.json`)));
    expect(error).toMatchObject({ code: 'ENAMETOOLONG' });
    expect(error).not.toBeInstanceOf(JobsError);
  });

  it('readBytes reads from a position, and stops at the end of a shorter file', () => {
    const path = join(tempDir(), 'b.bin');
    writeFileSync(path, '0123456789');
    const fd = openSync(path, 'r');
    try {
      expect(readBytes(fd, 4, 3).toString()).toBe('3456');
      expect(readBytes(fd, 100).toString()).toBe('0123456789');
      expect(readBytes(fd, 100, 8).toString()).toBe('89');
    } finally {
      closeSync(fd);
    }
  });

  it('JSON errors: a position of several digits, an early end, a bad character; each with the length', () => {
    expect(parseJsonText('{"aaaaaaaaaa": 1} x', 'x.json')).toEqual(failure('torn', 'x.json is not valid JSON (at position 18 of 19)'));
    expect(parseJsonText(`{"a":1,${' '.repeat(120)}}`, 'x.json')).toEqual(failure('torn', 'x.json is not valid JSON (at position 127 of 128)'));
    expect(parseJsonText('{"a": ', 'x.json')).toEqual(failure('torn', 'x.json is not valid JSON (it ends early, after 6 characters)'));
    expect(parseJsonText('SECRET', 'x.json')).toEqual(failure('torn', 'x.json is not valid JSON (unexpected character; 6 characters)'));
  });

  it('parses without a parser to the raw value, with one to its data', () => {
    expect(parseJsonText('{"a":1}', 'x.json')).toEqual({ ok: true, value: { a: 1 }, text: '{"a":1}' });
    const schema = z.object({ a: z.number() }).transform((v) => v.a * 2);
    expect(parseJsonText('{"a":1}', 'x.json', schema)).toEqual({ ok: true, value: 2, text: '{"a":1}' });
    expect(parseJsonText('{"a":"1"}', 'x.json', schema)).toEqual(failure('invalid', 'x.json does not match its schema: a: Invalid input: expected number, received string'));
  });

  it('formatFileIssues: plain keys and indexes joined with ".", other keys as [key], unknown keys unnamed, 5 issues, 200 characters each', () => {
    const plain = ['a', '_x', 'A9_z', 'k'.repeat(32)];
    const odd = ['k'.repeat(33), '9x', 'x-y', '-x', 'a b', '', Symbol('s')];
    const issues = [
      { path: [...plain, 0, 12], message: 'm1' },
      ...odd.map((key) => ({ path: ['top', key], message: 'odd' })),
    ];
    expect(formatFileIssues(issues.slice(0, 1))).toBe(`a._x.A9_z.${'k'.repeat(32)}.0.12: m1`);
    expect(formatFileIssues(issues.slice(1, 5))).toBe('top.[key]: odd; top.[key]: odd; top.[key]: odd; top.[key]: odd');
    expect(formatFileIssues(issues.slice(5))).toBe('top.[key]: odd; top.[key]: odd; top.[key]: odd');
    expect(formatFileIssues([{ path: [], message: 'whole' }, { path: ['x'], code: 'unrecognized_keys', message: 'Unrecognized key: "SECRET"' }])).toBe('whole; x: unrecognized keys');
    expect(formatFileIssues([{ path: [], code: 'unrecognized_keys', message: 'Unrecognized key: "SECRET"' }])).toBe('unrecognized keys');
    expect(formatFileIssues([{ path: ['a'], message: 'm'.repeat(300) }])).toBe(`a: ${'m'.repeat(200)}`);
    expect(formatFileIssues(Array.from({ length: 7 }, (_, i) => ({ path: [i], message: `m${i}` })))).toBe('0: m0; 1: m1; 2: m2; 3: m3; 4: m4');
  });
});

describe('atomic.ts: formatIssues and the temp file', () => {
  it('joins a path with ".", cuts each part to 40, the path to 200 and the message to 200 characters, at most 5 issues', () => {
    const cut = (c: string, n: number) => `${c.repeat(n - 3)}...`;
    expect(formatIssues([{ path: ['steps', 0, 'name'], message: 'Too small' }])).toBe('steps.0.name: Too small');
    expect(formatIssues([{ path: [], message: 'whole input' }])).toBe('whole input');
    expect(formatIssues([{ path: ['p'.repeat(40), 'q'.repeat(41)], message: 'm' }])).toBe(`${'p'.repeat(40)}.${cut('q', 40)}: m`);
    expect(formatIssues([{ path: ['k'], message: 'm'.repeat(200) }])).toBe(`k: ${'m'.repeat(200)}`);
    expect(formatIssues([{ path: ['k'], message: 'm'.repeat(201) }])).toBe(`k: ${cut('m', 200)}`);
    // 5 parts of 40 and 4 dots: 204 characters, cut to 197 and `...`.
    const long = Array.from({ length: 5 }, () => 'x'.repeat(40));
    expect(formatIssues([{ path: long, message: 'm' }])).toBe(`${long.join('.').slice(0, 197)}...: m`);
    const exactly200 = ['x'.repeat(40), 'x'.repeat(40), 'x'.repeat(40), 'x'.repeat(40), 'x'.repeat(36)];
    expect(formatIssues([{ path: exactly200, message: 'm' }])).toBe(`${exactly200.join('.')}: m`);
    expect(formatIssues(Array.from({ length: 6 }, (_, i) => ({ path: [`f${i}`], message: 'bad' })))).toBe('f0: bad; f1: bad; f2: bad; f3: bad; f4: bad');
  });

  it('a temp name is hidden, in the target\'s folder, names this pid and a counter that goes up by one', () => {
    const names = [tempPathFor('/some/dir/x.json'), tempPathFor('/some/dir/x.json')];
    const pattern = new RegExp(`^/some/dir/\\.x\\.json\\.${process.pid}\\.(\\d+)\\.[0-9a-z]{1,6}\\.tmp$`);
    for (const name of names) expect(name).toMatch(pattern);
    const counters = names.map((name) => Number(pattern.exec(name)?.[1]));
    expect(counters[1]).toBe(counters[0]! + 1);
  });

  it('writes pretty JSON with a final newline', async () => {
    const path = join(tempDir(), 'x.json');
    await writeJsonAtomic(path, { a: [1] });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });

  it('a rename that fails (the target is a folder) throws and leaves no temp file, sync and async', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'x.json'));
    writeFileSync(join(dir, 'x.json', 'inside'), '');
    await expect(writeFileAtomic(join(dir, 'x.json'), 'a')).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(() => writeFileAtomicSync(join(dir, 'x.json'), 'a')).toThrow(expect.objectContaining({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) }));
    expect(readdirSync(dir)).toEqual(['x.json']);
  });
});

describe('ensure-dir.ts', () => {
  it('makes every missing folder with the mode given (default: what the umask lets through of 0777)', async () => {
    const root = tempDir();
    await ensureDir(join(root, 'a', 'b', 'c'), 0o700);
    expect(['a', 'a/b', 'a/b/c'].map((p) => (statSync(join(root, p)).mode & 0o777).toString(8))).toEqual(['700', '700', '700']);
    await ensureDir(join(root, 'd'));
    const umask = process.umask();
    expect((statSync(join(root, 'd')).mode & 0o777).toString(8)).toBe((0o777 & ~umask).toString(8));
    await ensureDir(join(root, 'a', 'b', 'c')); // already there: nothing to do
  });

  it('refuses a file in the way, naming it: the path itself or a folder above it', async () => {
    const root = tempDir();
    const file = join(root, 'file');
    writeFileSync(file, '');
    for (const path of [file, join(file, 'sub'), join(file, 'sub', 'deeper')]) {
      const error = await thrown(() => ensureDir(path));
      expect(error).toBeInstanceOf(JobsError);
      expect(error).toMatchObject({ code: 'storage', message: `\`${file}\` is not a folder` });
    }
  });

  it('a stat error other than "missing" is a storage error naming the folder and the code', async () => {
    const root = tempDir();
    const long = join(root, 'n'.repeat(300));
    expect(await thrown(() => ensureDir(join(long, 'x')))).toMatchObject({ code: 'storage', message: `cannot use \`${join(long, 'x')}\` (ENAMETOOLONG)` });
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    const error = await thrown(() => ensureDir(join(root, 'loop-a', 'x')));
    expect(error).toMatchObject({ code: 'storage', message: `cannot use \`${join(root, 'loop-a', 'x')}\` (ELOOP)`, cause: expect.objectContaining({ code: 'ELOOP' }) });
  });

  it('a folder that cannot be made ends with a storage error (no endless retry in /proc)', async () => {
    expect(await thrown(() => ensureDir('/proc/mcp-jobs-nope/x'))).toMatchObject({ code: 'storage', message: 'cannot create `/proc/mcp-jobs-nope` (ENOENT)' });
  });

  it('EEXIST from something that is not a folder is refused: a dangling link', async () => {
    const root = tempDir();
    symlinkSync(join(root, 'nowhere'), join(root, 'link'));
    const error = await thrown(() => ensureDir(join(root, 'link', 'sub')));
    expect(error).toBeInstanceOf(JobsError);
    expect(error).toMatchObject({ code: 'storage', message: `cannot create \`${join(root, 'link')}\` (EEXIST)` });
  });

  it('EEXIST from a folder another call made meanwhile is fine: many calls on one deep path all succeed', async () => {
    for (let round = 0; round < 5; round++) {
      const path = join(tempDir(), ...Array.from({ length: 8 }, (_, i) => `d${i}`));
      await Promise.all(Array.from({ length: 8 }, () => ensureDir(path)));
      expect(statSync(path).isDirectory()).toBe(true);
    }
  });

  it('a file made meanwhile where a folder is wanted is refused, whichever comes first', async () => {
    for (let round = 0; round < 10; round++) {
      const path = join(tempDir(), 'x');
      const [made] = await Promise.allSettled([ensureDir(path), writeFile(path, '')]);
      expect(made.status).toBe('rejected');
      const reason = (made as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(JobsError);
      expect([`\`${path}\` is not a folder`, `cannot create \`${path}\` (EEXIST)`]).toContain((reason as Error).message);
    }
  });
});

describe('state-store.ts', () => {
  it('names the field pattern and what it got; a non-string is refused even if it prints as a good name', () => {
    expect(() => assertField('a/b')).toThrow(new JobsError('invalid_input', `Expected a state field name matching ${FIELD_PATTERN}, got \`a/b\` (string)`));
    expect(String(FIELD_PATTERN)).toBe('/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/');
    expect(() => assertField(['abc'])).toThrow('Expected a state field name matching /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, got `["abc"]` (array)');
    expect(emptyFile('f')).toEqual({ v: 1, field: 'f', value: undefined, applied: {}, updatedAt: '1970-01-01T00:00:00.000Z' });
  });

  it('lists fields: .json files with a field name, sorted', async () => {
    const dir = tempDir();
    for (const name of ['zeta.json', 'b.json', 'a.json', 'M.json', 'notes.txt', '.hidden.json', '1x.json', 'runs.json.corrupt-1', 'json']) writeFileSync(join(dir, name), '1');
    mkdirSync(join(dir, 'a.json.lock'));
    expect(await new StateStore(dir).fields()).toEqual(['M', 'a', 'b', 'zeta']);
  });

  it('a damaged field: the exact message, the same in `damaged`, the other fields load', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.json'), '[1]');
    writeFileSync(join(dir, 'runs.json'), '{"v": 1, "value": [tor');
    const state = new StateStore(dir);
    expect(await state.init()).toEqual(['good', 'runs']);
    const aside = readdirSync(dir).find((name) => name.startsWith('runs.json.corrupt-'));
    expect(aside).toMatch(/^runs\.json\.corrupt-\d+$/);
    expect(Object.fromEntries(state.damaged)).toEqual({ runs: `runs.json is not valid JSON (unexpected character; 22 characters); moved to ${join(dir, aside!)}` });
    expect(await state.get('good')).toEqual([1]);
    const other = new StateStore(tempDir());
    writeFileSync(other.path('runs'), '{"a": ');
    const error = await thrown(() => other.load('runs'));
    const second = join(other.root, readdirSync(other.root)[0]!);
    expect(error).toBeInstanceOf(JobsError);
    expect(error).toMatchObject({
      code: 'storage',
      message: `state field \`runs\`: runs.json is not valid JSON (it ends early, after 6 characters) (moved to ${second}; it is rebuilt from the jobs that built it)`,
    });
  });

  it('init rethrows an error that is not `storage` (a path over PATH_MAX: ENAMETOOLONG)', async () => {
    // A state folder of 4040 characters (usable) whose field file's path is over 4095: the file is made
    // while the last folder's name is short, then that folder is renamed long (a name is at most 255).
    const base = tempDir();
    const parts: string[] = [];
    while (join(base, ...parts).length < 3790) parts.push('p'.repeat(200));
    const parent = join(base, ...parts);
    mkdirSync(parent, { recursive: true });
    const short = join(parent, 's');
    const long = join(parent, 's'.repeat(4040 - parent.length - 1));
    mkdirSync(short);
    writeFileSync(join(short, `${'f'.repeat(64)}.json`), '1');
    renameSync(short, long);
    try {
      expect(long.length).toBe(4040);
      const error = await thrown(() => new StateStore(long).init());
      expect(error).toMatchObject({ code: 'ENAMETOOLONG' });
      expect(error).not.toBeInstanceOf(JobsError);
    } finally {
      renameSync(long, short); // so the test's cleanup can remove it
    }
  });

  it('apply stamps updatedAt and keeps lastReplace; write replaces a field whole', async () => {
    const state = new StateStore(tempDir());
    await state.init();
    const before = Date.now();
    expect(await state.apply('f', 'job-a', '2026-01-01T00:00:00.000Z', () => ({ value: 1, lastReplace: { jobId: 'job-a', finishedAt: '2026-01-01T00:00:00.000Z' } }))).toBe('applied');
    const file = await state.load('f');
    expect(Date.parse(file.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(file).toMatchObject({ v: 1, field: 'f', value: 1, applied: { 'job-a': '2026-01-01T00:00:00.000Z' }, lastReplace: { jobId: 'job-a', finishedAt: '2026-01-01T00:00:00.000Z' } });
    const whole: StateFile = { v: 1, field: 'f', value: ['w'], applied: { x: 'y' }, updatedAt: '2026-02-02T00:00:00.000Z' };
    await state.write(whole);
    expect(await state.load('f')).toEqual(whole);
  });
});

describe('patches.ts: pointers, modes, and named handlers', () => {
  const job = { id: 'job-b', finishedAt: '2026-01-01T00:00:01.000Z' };
  const current = (value: unknown, field = 'f'): StateFile => ({ ...emptyFile(field), value });
  const record = { v: 1, id: 'job-b', type: 't', status: 'completed', priority: 0, createdAt: job.finishedAt, finishedAt: job.finishedAt, timeoutMs: 0, attempt: 1, maxAttempts: 1, inputDigest: 'd', command: ['x'], patchState: 'pending' } satisfies JobRecord;

  it('a pointer that does not resolve names itself and the key; indexes are decimal and in range, inherited keys and array lengths are not keys', () => {
    const doc = { list: [{ x: 1 }, 'second'], nil: null, '~1': 'tilde-one', 'a/b/c': 3 };
    expect(resolvePointer(doc, '/~01')).toBe('tilde-one');
    expect(resolvePointer(doc, '/a~1b~1c')).toBe(3);
    expect(resolvePointer(doc, '/list/1')).toBe('second');
    for (const [pointer, key] of [['/list/2', '2'], ['/list/01', '01'], ['/list/-1', '-1'], ['/list/1e0', '1e0'], ['/list/length', 'length'], ['/toString', 'toString'], ['/nil/x', 'x'], ['/list/0/x/y', 'y']]) {
      const error = (() => {
        try {
          return resolvePointer(doc, pointer!);
        } catch (e) {
          return e;
        }
      })();
      expect(error, pointer).toBeInstanceOf(PatchError);
      expect((error as Error).message).toBe(`JSON pointer \`${pointer}\` does not resolve in the result (no \`${key}\`)`);
    }
  });

  it('merge and append refuse the wrong shapes in words; replace records who replaced', () => {
    const step = (mode: 'merge' | 'append' | 'replace', result: unknown, value: unknown, pointer?: string) => declarativeStep({ field: 'f', mode, pointer }, result, job, current(value));
    for (const result of [null, [1], 5]) expect(() => step('merge', result, undefined)).toThrow(new PatchError('merge needs an object result (or pointer to one)'));
    expect(() => step('merge', { a: 1 }, [1])).toThrow(new PatchError('merge needs the field `f` to hold an object'));
    expect(() => step('merge', { a: 1 }, null)).toThrow(new PatchError('merge needs the field `f` to hold an object'));
    expect(step('merge', { b: 2 }, undefined)).toEqual({ value: { b: 2 } });
    expect(step('merge', { r: { b: 2 } }, { a: 1, b: 1 }, '/r')).toEqual({ value: { a: 1, b: 2 } });
    expect(() => step('append', 1, { a: 1 })).toThrow(new PatchError('append needs the field `f` to hold an array'));
    expect(step('append', 2, undefined)).toEqual({ value: [2] });
    expect(step('replace', 'v', 'old')).toEqual({ value: 'v', lastReplace: { jobId: 'job-b', finishedAt: job.finishedAt } });
  });

  it('orders finishes by time, then job id; the same finish is not later', () => {
    const at = (finishedAt: string, jobId: string) => ({ finishedAt, jobId });
    expect(finishedLater(at('2026-01-02', 'a'), at('2026-01-01', 'b'))).toBe(true);
    expect(finishedLater(at('2026-01-01', 'b'), at('2026-01-02', 'a'))).toBe(false);
    expect(finishedLater(at('2026-01-01', 'b'), at('2026-01-01', 'a'))).toBe(true);
    expect(finishedLater(at('2026-01-01', 'a'), at('2026-01-01', 'b'))).toBe(false);
    expect(finishedLater(at('2026-01-01', 'a'), at('2026-01-01', 'a'))).toBe(false);
  });

  it('the field of a declarative patch and of a named one', () => {
    expect(patchField({ kind: 'declarative', patch: { field: 'd', mode: 'append' } })).toBe('d');
    expect(patchField({ kind: 'named', name: 'h', field: 'n' })).toBe('n');
  });

  it('registration refuses a bad name, a non-function and async functions, each in words', () => {
    const handlers = new PatchHandlers();
    const ok = (name: string) => handlers.register(name, (v) => v);
    ok('a');
    ok(`A${'x'.repeat(127)}`);
    ok('a.b:c-d_e9');
    for (const name of ['', '1bad', '-x', 'x y', 'x/y', `A${'x'.repeat(128)}`]) {
      expect(() => ok(name), name).toThrow(new JobsError('invalid_option', `Expected a patch handler name like \`addDesign\`, got \`${name}\``));
    }
    expect(() => handlers.register('h', 5 as never)).toThrow(new JobsError('invalid_option', 'Expected the state patch handler `h` to be a function, got `5` (number)'));
    const asyncMessage = (name: string) => `State patch handler \`${name}\` is an async function; handlers must be synchronous (they run under the state field's lock and return the new value): do async work in the wrapper and put what it finds in the result`;
    expect(() => handlers.register('later', async (v) => v)).toThrow(new JobsError('invalid_option', asyncMessage('later')));
    expect(() => handlers.register('gen', async function* () {} as never)).toThrow(new JobsError('invalid_option', asyncMessage('gen')));
    expect(() => handlers.register('later', async (v) => v)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    // A function without a prototype chain has no `constructor`: still a function, registered.
    const bare = Object.setPrototypeOf((v: unknown) => v, null) as (v: unknown) => unknown;
    handlers.register('bare', bare);
    expect(['a', `A${'x'.repeat(127)}`, 'a.b:c-d_e9', 'bare', 'later', 'gen', '1bad'].map((n) => handlers.has(n))).toEqual([true, true, true, true, false, false, false]);
  });

  it('step: an unknown name, a throw, a Promise and a value that is not JSON are PatchErrors, in words', () => {
    const handlers = new PatchHandlers();
    const step = (name: string) => handlers.step(name, { r: 1 }, record, current(1));
    const fails = (name: string, message: string) => {
      expect(() => step(name), name).toThrow(new PatchError(message));
      expect(() => step(name), name).toThrow(PatchError);
    };
    fails('nobody', 'no state patch handler named `nobody` is registered');
    handlers.register('sum', (value, result, job) => [value, result, (job as JobRecord).id]);
    expect(step('sum')).toEqual({ value: [1, { r: 1 }, 'job-b'] });
    handlers.register('boom', () => {
      throw new RangeError('handler bug');
    });
    fails('boom', 'state patch handler `boom` failed: RangeError: handler bug');
    handlers.register('str', () => {
      throw 'a string';
    });
    fails('str', 'state patch handler `str` failed: `a string` (string)');
    handlers.register('long', () => {
      throw new Error('e'.repeat(600));
    });
    fails('long', `state patch handler \`long\` failed: Error: ${'e'.repeat(497 - 'Error: '.length)}...`);
    handlers.register('just500', () => {
      throw new Error('e'.repeat(500 - 'Error: '.length));
    });
    fails('just500', `state patch handler \`just500\` failed: Error: ${'e'.repeat(493)}`);
    const promised = (name: string) => `state patch handler \`${name}\` returned a Promise; handlers must be synchronous and return the new value`;
    handlers.register('promise', () => Promise.resolve(1));
    fails('promise', promised('promise'));
    // Rejected: caught here, so no unhandled rejection fails the run.
    handlers.register('rejects', () => Promise.reject(new Error('later')));
    fails('rejects', promised('rejects'));
    handlers.register('thenFn', () => Object.assign(() => 1, { then: () => {} }));
    fails('thenFn', promised('thenFn'));
    handlers.register('bigint', () => 10n);
    fails('bigint', 'state patch handler `bigint` returned a value that is not JSON (TypeError: Do not know how to serialize a BigInt)');
    handlers.register('fn', () => () => 1);
    fails('fn', 'state patch handler `fn` returned a value that is not JSON (a function)');
    handlers.register('sym', () => Symbol('s'));
    fails('sym', 'state patch handler `sym` returned a value that is not JSON (a symbol)');
    handlers.register('clear', () => undefined);
    expect(step('clear')).toEqual({ value: undefined });
    handlers.register('nil', () => null);
    expect(step('nil')).toEqual({ value: null });
    handlers.register('thenData', () => ({ then: 'not a function' }));
    expect(step('thenData')).toEqual({ value: { then: 'not a function' } });
  });
});

describe('input-limit.ts', () => {
  it('formats sizes in whole units when exact, one decimal otherwise', () => {
    const cases: [number, string][] = [
      [0, '0 bytes'],
      [1023, '1023 bytes'],
      [1024, '1 KiB'],
      [1536, '1.5 KiB'],
      [4096, '4 KiB'],
      [1025, '1.0 KiB'],
      [1024 * 1024 - 1, '1024.0 KiB'],
      [1024 * 1024 + 1, '1.0 MiB'],
      [1024 * 1024, '1 MiB'],
      [1.5 * 1024 * 1024, '1.5 MiB'],
      [3 * 1024 * 1024, '3 MiB'],
    ];
    expect(cases.map(([bytes]) => formatInputBytes(bytes))).toEqual(cases.map(([, text]) => text));
  });

  it('the limit is in UTF-8 bytes and inclusive; over it the message names size, limit and option', () => {
    const text = 'é'.repeat(50); // 100 bytes
    expect(() => checkInputSize('t', text, 100)).not.toThrow();
    expect(() => checkInputSize('t', text, 99)).toThrow(
      new JobsError('invalid_input', 'The input of `t` is 100 bytes as JSON; the limit is 99 bytes (`maxInputBytes`). Put large data in a file and pass its path'),
    );
    expect(() => checkInputSize('t', text, 99)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('serializes pretty with a final newline; what cannot be serialized is refused in words', () => {
    expect(serializeInput('t', { a: [1] }, 1000)).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(() => serializeInput('t', { a: 1 }, 5)).toThrow('The input of `t` is 13 bytes as JSON; the limit is 5 bytes (`maxInputBytes`). Put large data in a file and pass its path');
    expect(() => serializeInput('t', { a: 10n }, 1000)).toThrow(new JobsError('invalid_input', 'The input of `t` cannot be serialized as JSON (Do not know how to serialize a BigInt)'));
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => serializeInput('t', deep, 1000)).toThrow(new JobsError('invalid_input', 'The input of `t` is nested too deeply to serialize'));
    expect(() => serializeInput('t', deep, 1000)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('paths.ts and schemas.ts: protocol names and schema messages', () => {
  it('the file names of a job folder (docs/protocol.md)', () => {
    expect(JOB_FILES).toEqual({
      record: 'job.json',
      input: 'input.json',
      progress: 'progress.json',
      results: 'results.json',
      error: 'error.json',
      stdout: 'stdout.log',
      stderr: 'stderr.log',
      workerLock: 'worker.lock',
      recordLock: 'job.json.lock',
      attempts: 'attempts',
    });
    expect([ACTIVE_DIR, STAGING_DIR, DISPATCH_LOCK]).toEqual(['.active', '.staging', '.dispatch.lock']);
    expect(jobFile('/j/id', 'results')).toBe('/j/id/results.json');
  });

  it('a state patch names what a field and a pointer look like', () => {
    const issues = (value: unknown) => {
      const parsed = statePatchSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(issues({ field: '1x', mode: 'replace', pointer: 'a' })).toEqual(['field: a field name: a letter, then up to 63 of A-Z a-z 0-9 _ . -', 'pointer: a JSON pointer like /a/b/0']);
    for (const pointer of ['/a~2', '/a~', 'x/a']) expect(issues({ field: 'f', mode: 'merge', pointer }), pointer).toEqual(['pointer: a JSON pointer like /a/b/0']);
    for (const pointer of ['', '/', '/a~0b/~1/0', '//x']) expect(issues({ field: 'f', mode: 'merge', pointer }), pointer).toEqual([]);
    expect(issues({ field: `a${'x'.repeat(64)}`, mode: 'append' })).toEqual(['field: a field name: a letter, then up to 63 of A-Z a-z 0-9 _ . -']);
    expect(issues({ field: `a${'x'.repeat(63)}`, mode: 'append' })).toEqual([]);
  });
});
