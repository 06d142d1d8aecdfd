/** The config file: reading, checking, resolving paths and building job types, with real files and modules. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config/register.js';
import { tempDir } from '../helpers.js';
import { PRIME_SCHEMA, PRIME_SIEVE, WORD_COUNT, rel, writeConfig, writeWrapperModule } from './setup.js';

const sieveEntry = (dir: string) => ({
  name: 'prime_sieve',
  description: 'primes',
  command: ['python3', rel(dir, PRIME_SIEVE)],
  inputSchema: rel(dir, PRIME_SCHEMA),
});

describe('config loader', () => {
  it('loads a module, a module with overrides and a command wrapper, resolving paths against the config file', async () => {
    const dir = tempDir();
    const mine = writeWrapperModule(dir, 'wrappers/echo.js', 'echo');
    const path = writeConfig(join(dir, 'conf'), {
      $schema: 'ignored',
      wrappers: [
        rel(join(dir, 'conf'), WORD_COUNT),
        { module: '../wrappers/echo.js', timeoutMs: 0, maxAttempts: 3, description: 'echo, configured', statePatch: { field: 'echoes', mode: 'append', pointer: '/echoed' } },
        { ...sieveEntry(join(dir, 'conf')), timeoutMs: 600_000, allowStatePatchOverride: true },
      ],
    });
    const loaded = await loadConfig(path);
    expect(loaded?.path).toBe(path);
    const [words, echo, sieve] = loaded!.types;
    expect(words).toMatchObject({ name: 'word_count', command: [process.execPath, WORD_COUNT], timeoutMs: 60_000, maxAttempts: 1 });
    expect(echo).toMatchObject({
      name: 'echo',
      description: 'echo, configured',
      command: [process.execPath, mine],
      timeoutMs: 0,
      maxAttempts: 3,
      statePatch: { field: 'echoes', mode: 'append', pointer: '/echoed' },
    });
    expect(echo!.schema.safeParse({ value: 'x' }).success).toBe(true);
    expect(sieve).toMatchObject({ name: 'prime_sieve', command: ['python3', PRIME_SIEVE], timeoutMs: 600_000, allowStatePatchOverride: true, maxAttempts: 1 });
    // The JSON Schema became a zod schema that validates, applies defaults and turns back into JSON Schema.
    expect(sieve!.schema.parse({ limit: 100 })).toEqual({ limit: 100, segment_size: 1_000_000, tail: 5, step_ms: 0 });
    expect(sieve!.schema.safeParse({ limit: 1 }).success).toBe(false);
    expect(sieve!.schema.safeParse({ limit: 100, extra: true }).success).toBe(false);
    expect(z.toJSONSchema(sieve!.schema, { io: 'input' })).toMatchObject({ type: 'object', required: ['limit'] });
  });

  it('takes an inline input schema', async () => {
    const dir = tempDir();
    const path = writeConfig(dir, {
      wrappers: [{ ...sieveEntry(dir), inputSchema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } }],
    });
    const [type] = (await loadConfig(path))!.types;
    expect(type!.schema.safeParse({ n: 2 }).success).toBe(true);
    expect(type!.schema.safeParse({ n: 'two' }).success).toBe(false);
  });

  it('names the config file and the entry when a module is missing', async () => {
    const dir = tempDir();
    const path = writeConfig(dir, { wrappers: ['./dist/nope.js'] });
    await expect(loadConfig(path)).rejects.toThrow(`Config ${path}: wrappers[0] (module ./dist/nope.js): module not found: ${join(dir, 'dist', 'nope.js')}`);
  });

  it('refuses a module that is not a wrapper, a .ts module, and one that throws on import', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.mjs'), 'export default 42;\n');
    writeFileSync(join(dir, 'source.ts'), 'export default 1;\n');
    writeFileSync(join(dir, 'broken.mjs'), 'throw new Error("boom at import");\n');
    await expect(loadConfig(writeConfig(dir, { wrappers: ['./plain.mjs'] }))).rejects.toThrow(/wrappers\[0\] \(module \.\/plain\.mjs\): module .*plain\.mjs does not export a wrapper as default/);
    await expect(loadConfig(writeConfig(dir, { wrappers: ['./source.ts'] }))).rejects.toThrow(/is not a \.js or \.mjs file \(compile it/);
    await expect(loadConfig(writeConfig(dir, { wrappers: ['./broken.mjs'] }))).rejects.toThrow(/importing .*broken\.mjs failed: boom at import/);
  });

  it('reports a file that is not JSON, not an object, or missing', async () => {
    const dir = tempDir();
    const bad = writeConfig(dir, '{ "wrappers": [ ', 'bad.json');
    await expect(loadConfig(bad)).rejects.toThrow(new RegExp(`^Config ${bad}: not valid JSON: `));
    await expect(loadConfig(writeConfig(dir, '[1]', 'array.json'))).rejects.toThrow(/expected a JSON object like/);
    await expect(loadConfig(join(dir, 'absent.json'))).rejects.toThrow(`Config ${join(dir, 'absent.json')}: the file does not exist`);
    expect(await loadConfig(join(dir, 'absent.json'), false)).toBeUndefined();
  });

  it('names the field and what it must be for a bad value', async () => {
    const dir = tempDir();
    const check = (config: unknown) => loadConfig(writeConfig(dir, config));
    await expect(check({ wrappers: [{ module: rel(dir, WORD_COUNT), timeoutMs: -5 }] })).rejects.toThrow(
      'wrappers[0].timeoutMs: expected a non-negative integer (ms; 0 = none), got `-5` (number)',
    );
    await expect(check({ wrappers: [{ module: rel(dir, WORD_COUNT), statePatch: { field: 'x', mode: 'upsert' } }] })).rejects.toThrow(
      'wrappers[0].statePatch.mode: expected "replace", "merge" or "append", got `upsert` (string)',
    );
    await expect(check({ wrappers: [{ module: rel(dir, WORD_COUNT), maxAttempts: 0 }] })).rejects.toThrow('wrappers[0].maxAttempts: expected an integer from 1 to 100');
    await expect(check({ wrappers: [{ module: rel(dir, WORD_COUNT), timeout: 5 }] })).rejects.toThrow('wrappers[0]: unknown key `timeout`');
    await expect(check({ wrapper: [] })).rejects.toThrow('the config: unknown key `wrapper`');
    await expect(check({ wrappers: {} })).rejects.toThrow('wrappers: expected an array of entries');
    await expect(check({ discover: 3 })).rejects.toThrow('discover: expected a folder path or an array of folder paths, got `3` (number)');
    await expect(check({ wrappers: [{ ...sieveEntry(dir), name: 'Bad-Name' }] })).rejects.toThrow('wrappers[0].name: expected a job type name');
    const { description: _d, ...noDescription } = sieveEntry(dir);
    await expect(check({ wrappers: [noDescription] })).rejects.toThrow('wrappers[0].description: missing, expected a non-empty string');
    await expect(check({ wrappers: [{ module: 'a.js', command: ['x'] }] })).rejects.toThrow('wrappers[0]: give exactly one of `module`');
    await expect(check({ wrappers: [7] })).rejects.toThrow('wrappers[0]: expected a module path');
  });

  it('checks command wrappers: program on PATH, script present, object JSON Schema that zod can convert', async () => {
    const dir = tempDir();
    const check = (entry: object) => loadConfig(writeConfig(dir, { wrappers: [{ ...sieveEntry(dir), ...entry }] }));
    await expect(check({ command: ['no-such-program-xyz', 'a'] })).rejects.toThrow('wrappers[0] (command prime_sieve): command[0]: program `no-such-program-xyz` not found on PATH');
    await expect(check({ command: ['python3', './missing.py'] })).rejects.toThrow(`command[1]: file not found: ${join(dir, 'missing.py')}`);
    await expect(check({ command: ['./bin/run'] })).rejects.toThrow(`command[0]: program not found: ${join(dir, 'bin', 'run')}`);
    writeFileSync(join(dir, 'not-executable'), '#!/bin/sh\n');
    await expect(check({ command: ['./not-executable'] })).rejects.toThrow('is not executable');
    await expect(check({ inputSchema: './nope.schema.json' })).rejects.toThrow(`inputSchema: file not found: ${join(dir, 'nope.schema.json')}`);
    await expect(check({ inputSchema: { type: 'array' } })).rejects.toThrow('inputSchema: expected `"type": "object"`');
    await expect(check({ inputSchema: { type: 'object', if: { required: ['a'] } } })).rejects.toThrow(/inputSchema: Conditional schemas/);
  });

  it('discovers every wrapper module in a folder, skipping other files and modules listed explicitly', async () => {
    const dir = tempDir();
    writeWrapperModule(dir, 'wrappers/alpha.js', 'alpha');
    writeWrapperModule(dir, 'wrappers/beta.mjs', 'beta');
    writeFileSync(join(dir, 'wrappers', 'helper.js'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'wrappers', 'notes.txt'), 'not a module\n');
    writeFileSync(join(dir, 'wrappers', 'alpha.js.map'), '{}\n');
    const path = writeConfig(dir, { wrappers: [{ module: './wrappers/alpha.js', timeoutMs: 5 }], discover: './wrappers' });
    const types = (await loadConfig(path))!.types;
    expect(types.map((t) => [t.name, t.timeoutMs])).toEqual([
      ['alpha', 5],
      ['beta', 1234],
    ]);
  });

  it('reports a discovery folder that is missing or holds a broken module', async () => {
    const dir = tempDir();
    await expect(loadConfig(writeConfig(dir, { discover: ['./wrappers', './nowhere'] }))).rejects.toThrow(/discover\[0\]: cannot read the folder .*wrappers/);
    writeWrapperModule(dir, 'wrappers/ok.js', 'ok');
    writeFileSync(join(dir, 'wrappers', 'broken.js'), 'syntax error here(\n');
    await expect(loadConfig(writeConfig(dir, { discover: './wrappers' }))).rejects.toThrow(/discover: importing .*broken\.js failed/);
  });

  it('refuses two entries with the same job type name', async () => {
    const dir = tempDir();
    writeWrapperModule(dir, 'a.js', 'same');
    writeWrapperModule(dir, 'b.js', 'same');
    await expect(loadConfig(writeConfig(dir, { wrappers: ['./a.js', './b.js'] }))).rejects.toThrow(
      'wrappers[1] (module ./b.js): job type `same` is already defined by wrappers[0] (module ./a.js)',
    );
  });
});
