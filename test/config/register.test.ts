/** Registering a config's job types: where the file is looked for, and all or nothing. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, locateConfig } from '../../src/config/load-config.js';
import { registerConfiguredTypes } from '../../src/config/register.js';
import { registerBuiltinTypes } from '../../src/runner/builtins.js';
import { tempDir } from '../helpers.js';
import { WORD_COUNT, bareManager, rel, writeConfig, writeWrapperModule } from './setup.js';

const names = (m: ReturnType<typeof bareManager>) => m.registry.list().map((t) => t.name);

describe('locating the config file', () => {
  it('takes an explicit path, $MCP_JOBS_CONFIG, else ./mcp-jobs.config.json if present; false reads none', () => {
    expect(locateConfig('conf/x.json', '/work')).toEqual({ path: '/work/conf/x.json', explicit: true });
    expect(locateConfig(undefined, '/work', { MCP_JOBS_CONFIG: '/etc/jobs.json' })).toEqual({ path: '/etc/jobs.json', explicit: true });
    expect(locateConfig(undefined, '/work', {})).toEqual({ path: join('/work', CONFIG_FILE_NAME), explicit: false });
    expect(locateConfig(false, '/work', { MCP_JOBS_CONFIG: '/etc/jobs.json' })).toBeUndefined();
    expect(() => locateConfig('' as string, '/work')).toThrow('Expected `config` to be a path to a config file or false');
  });
});

describe('registering configured job types', () => {
  it('is fine without a config file in the working folder: nothing added', async () => {
    const m = bareManager();
    await registerBuiltinTypes(m);
    expect(await registerConfiguredTypes(m, undefined, tempDir())).toBeUndefined();
    expect(names(m)).toEqual(['simulate']);
  });

  it('reads ./mcp-jobs.config.json from the working folder, and not when config is false', async () => {
    const cwd = tempDir();
    writeConfig(cwd, { wrappers: [rel(cwd, WORD_COUNT)] });
    const m = bareManager();
    expect((await registerConfiguredTypes(m, undefined, cwd))?.path).toBe(join(cwd, CONFIG_FILE_NAME));
    expect(names(m)).toEqual(['word_count']);
    const off = bareManager();
    expect(await registerConfiguredTypes(off, false, cwd)).toBeUndefined();
    expect(names(off)).toEqual([]);
  });

  it('fails for an explicit config path that does not exist', async () => {
    const cwd = tempDir();
    await expect(registerConfiguredTypes(bareManager(), 'missing.json', cwd)).rejects.toThrow(`Config ${join(cwd, 'missing.json')}: the file does not exist`);
  });

  it('registers nothing when any entry is bad, however late', async () => {
    const dir = tempDir();
    writeWrapperModule(dir, 'good.js', 'good');
    const path = writeConfig(dir, { wrappers: ['./good.js', rel(dir, WORD_COUNT), './missing.js'] });
    const m = bareManager();
    await registerBuiltinTypes(m);
    await expect(registerConfiguredTypes(m, path)).rejects.toThrow('wrappers[2] (module ./missing.js): module not found');
    expect(names(m)).toEqual(['simulate']);
  });

  it('refuses a name that is already registered (a built-in), registering none of the file', async () => {
    const dir = tempDir();
    writeWrapperModule(dir, 'mine.js', 'simulate');
    const path = writeConfig(dir, { wrappers: [rel(dir, WORD_COUNT), './mine.js'] });
    const m = bareManager();
    await registerBuiltinTypes(m);
    const before = m.registry.get('simulate');
    await expect(registerConfiguredTypes(m, path)).rejects.toThrow(`Config ${path}: job type \`simulate\` is already registered`);
    expect(names(m)).toEqual(['simulate']);
    expect(m.registry.get('simulate')).toBe(before);
  });
});
