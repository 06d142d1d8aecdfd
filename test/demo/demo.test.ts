/**
 * `npm run demo` (the built examples/demo.js): the real server, a real SDK
 * client over stdio, SIGKILL mid-job, a restart. It must finish within a
 * minute, exit 0 and report the state patch applied exactly once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST } from '../helpers.js';

describe('npm run demo', () => {
  it('completes every job across a SIGKILL of the server and applies the state patch exactly once', async () => {
    const child = spawn(process.execPath, [join(DIST, 'examples', 'demo.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = Date.now();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    const seconds = (Date.now() - started) / 1000;
    expect({ code, tail: stdout.split('\n').slice(-12).join('\n'), stderr: stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(seconds).toBeLessThan(60);
    expect(stdout).toMatch(/server 1 killed with SIGKILL mid-job/);
    expect(stdout).toMatch(/no server: A worker pid \d+ still running, progress\.json \d+\/30 -> \d+\/30/);
    expect(stdout).toMatch(/server 2 started/);
    expect(stdout).toMatch(/OK: all jobs completed across a SIGKILL; the state patch was applied exactly once \(checksum [0-9a-f]{8}\)/);
  }, 70_000);
});
