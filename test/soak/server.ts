/**
 * The soak's connection to the real MCP server (`node dist/server.js` over
 * stdio, a real SDK Client): one server generation at a time. A generation
 * dies by a SIGKILL from the chaos loop or by its own crash point
 * (`MCP_JOBS_CRASH_AT`); the next one is started on the same folders. Calls
 * made while no server is up wait for the next one; calls in flight when it
 * dies reject with `ServerGone`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SERVER } from '../mcp/helpers.js';
import { aliveNotZombie, killQuietly } from './procs.js';

export class ServerGone extends Error {}

interface Generation {
  client: Client;
  pid: number;
  crashAt: string | undefined;
  closed: Promise<void>;
  dead: boolean;
  killedByUs?: boolean;
}

export interface ServerConfig {
  root: string;
  jobsDir: string;
  stateDir: string;
  maxConcurrent: number;
}

export class SoakServer {
  private gen: Generation | undefined;
  private starting: Promise<Generation> | undefined;
  private stopped = false;
  /** Generations started, and how each one ended. */
  readonly started: { pid: number; crashAt: string | undefined }[] = [];
  randomKills = 0;
  /** The crash point of the next generation started (then cleared). */
  nextCrashAt: string | undefined;
  crashPointDeaths = 0;
  stderr = '';

  constructor(private readonly config: ServerConfig) {}

  /** The live generation, starting one if none is up. */
  async up(): Promise<Generation> {
    if (this.stopped) throw new ServerGone('the soak server is stopped');
    if (this.gen && !this.gen.dead) return this.gen;
    const crashAt = this.nextCrashAt;
    this.nextCrashAt = undefined;
    this.starting ??= this.spawn(crashAt).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawn(crashAt: string | undefined): Promise<Generation> {
    const { jobsDir, stateDir, maxConcurrent, root } = this.config;
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', MCP_JOBS_LOG_LEVEL: 'error' };
    if (crashAt) env.MCP_JOBS_CRASH_AT = crashAt;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [SERVER, '--jobs-dir', jobsDir, '--state-dir', stateDir, '--max-concurrent', String(maxConcurrent)],
      cwd: root,
      env,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-20_000)));
    const client = new Client({ name: 'soak', version: '1.0.0' });
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const gen: Generation = { client, pid: 0, crashAt, closed, dead: false };
    client.onclose = () => {
      gen.dead = true;
      markClosed();
    };
    try {
      await client.connect(transport);
    } catch (error) {
      gen.dead = true;
      if (transport.pid) {
        killQuietly(transport.pid);
        this.started.push({ pid: transport.pid, crashAt });
      }
      if (crashAt) this.crashPointDeaths += 1;
      // A crash-point generation may die while starting (a pending patch at its startup scan).
      return this.spawn(undefined).catch(() => {
        throw error;
      });
    }
    gen.pid = transport.pid!;
    this.started.push({ pid: gen.pid, crashAt });
    this.gen = gen;
    void closed.then(() => {
      if (!this.stopped && gen.crashAt && !gen.killedByUs) this.crashPointDeaths += 1;
    });
    return gen;
  }

  /** Calls a tool on the live server; `ServerGone` if the server dies before it answers. */
  async call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
    const gen = await this.up();
    try {
      return (await gen.client.callTool({ name, arguments: args }, CallToolResultSchema, { timeout: 120_000 })) as CallToolResult;
    } catch (error) {
      if (gen.dead || /closed|Connection/i.test((error as Error).message)) throw new ServerGone((error as Error).message);
      throw error;
    }
  }

  /** SIGKILLs the live generation (the chaos loop) and waits until its process is gone. */
  async kill(): Promise<boolean> {
    const gen = this.gen;
    if (!gen || gen.dead) return false;
    gen.killedByUs = true;
    killQuietly(gen.pid);
    await gen.closed;
    while (aliveNotZombie(gen.pid)) await new Promise((r) => setTimeout(r, 10));
    this.randomKills += 1;
    return true;
  }

  /** After the chaos: a generation without a crash point is up (one with a crash point is SIGKILLed, not counted). */
  async cleanGeneration(): Promise<void> {
    this.nextCrashAt = undefined;
    const gen = this.gen;
    if (gen && !gen.dead && gen.crashAt) {
      gen.killedByUs = true;
      killQuietly(gen.pid);
      await gen.closed;
    }
    await this.up();
  }

  /** Closes the client (the server exits when its stdin closes); no more generations. */
  async stop(): Promise<void> {
    this.stopped = true;
    const gen = this.gen;
    if (!gen || gen.dead) return;
    await gen.client.close();
    await gen.closed;
    const deadline = Date.now() + 10_000;
    while (aliveNotZombie(gen.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (aliveNotZombie(gen.pid)) killQuietly(gen.pid);
  }

  get pid(): number | undefined {
    return this.gen && !this.gen.dead ? this.gen.pid : undefined;
  }
}
