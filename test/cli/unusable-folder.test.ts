/**
 * Defect 13: a jobs or state folder that cannot be created or used. The
 * server (both `dist/server.js` and `mcp-jobs serve`) says so on stderr,
 * names the folder, writes nothing to stdout and exits non-zero at once,
 * while its stdin is still open (no spin, no hang).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, tempDir } from '../helpers.js';
import { MAIN } from './run-cli.js';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs argv with stdin left open (a client that waits), killed after `deadlineMs` if it has not exited. */
function runWithOpenStdin(argv: string[], cwd: string, deadlineMs = 10_000): Promise<Ended> {
  const started = Date.now();
  const env = { ...process.env };
  for (const name of ['MCP_JOBS_DIR', 'MCP_JOBS_STATE_DIR', 'MCP_JOBS_CONFIG']) delete env[name];
  const child = spawn(process.execPath, argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const SERVER = join(DIST, 'server.js');

describe('an unusable jobs or state folder', () => {
  const cwd = tempDir();
  const aFile = join(cwd, 'a-file');
  writeFileSync(aFile, 'not a folder\n');
  mkdirSync(join(cwd, 'state'));

  const cases: [string, string[], RegExp][] = [
    ['a jobs folder under /proc', ['--jobs-dir', '/proc/nope/jobs'], /jobs folder `\/proc\/nope\/jobs`.*cannot create `\/proc\/nope`/],
    ['a jobs folder under a regular file', ['--jobs-dir', join(aFile, 'jobs')], /jobs folder `.*a-file\/jobs`.*`.*a-file` is not a folder/],
    ['a state folder under /proc', ['--jobs-dir', join(cwd, 'jobs'), '--state-dir', '/proc/nope/state'], /state folder `\/proc\/nope\/state`.*cannot create `\/proc\/nope`/],
  ];
  for (const [what, args, message] of cases) {
    for (const [entry, argv] of [
      ['dist/server.js', [SERVER, ...args]],
      ['mcp-jobs serve', [MAIN, 'serve', ...args]],
    ] as const) {
      it(`${entry}: ${what} is a clear error on stderr and a non-zero exit`, async () => {
        const ended = await runWithOpenStdin([...argv], cwd);
        expect(ended.signal, `still running after 10 s; stderr: ${ended.stderr}`).toBeNull();
        expect(ended.code).not.toBe(0);
        expect(ended.stdout).toBe('');
        expect(ended.stderr).toMatch(message);
        expect(ended.stderr.trim().split('\n')).toHaveLength(1);
      });
    }
  }
});
