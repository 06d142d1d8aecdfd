/**
 * `serve(options)`: the whole server from options — the runner, then MCP over
 * stdio (default) or Streamable HTTP. `dist/server.js` and `mcp-jobs serve`
 * both call it with `serveOptionsFrom(...)`, so both start the same server.
 *
 * `close()` stops the transports, the watcher and the timers and releases the
 * runner's locks; detached workers keep running and are reconciled at the
 * next start. With `handleSignals` (default), SIGINT/SIGTERM (and, on stdio,
 * the client going away) close the server and exit 0 within 2 s.
 */
import { createJobRunner, type CreateJobRunnerOptions } from '../index.js';
import { log } from '../log.js';
import type { JobManager } from '../runner/job-manager.js';
import { TokenTable } from './auth.js';
import { serveHttp, type HttpHandle } from './http.js';
import type { JobsMcpServerOptions } from './server-factory.js';
import { installShutdown } from './shutdown.js';
import { serveStdio } from './stdio.js';
import { startTaskExpiry } from './task-expiry.js';

export interface ServeOptions {
  /** Root of the job folders (default `./jobs`, env `MCP_JOBS_DIR`). */
  jobsDir?: string;
  /** Root of the state files (default `./state`, env `MCP_JOBS_STATE_DIR`). */
  stateDir?: string;
  maxConcurrent?: number;
  /** Programs `run_command` may start; empty or absent: no `run_command` tool. */
  allowCommands?: string[];
  /**
   * Config file listing your own wrapper modules (passed to `createJobRunner`);
   * false: none. Default: `$MCP_JOBS_CONFIG`, else `./mcp-jobs.config.json` when it exists.
   */
  config?: string | false;
  /** Serve Streamable HTTP instead of stdio. */
  http?: {
    port: number;
    host: string;
    /** JSON file `{ "<token>": "<principal>" }`; with it every request needs a bearer token. */
    authTokensFile?: string;
    allowedHosts?: string[];
    allowedOrigins?: string[];
    /** Session caps and idle expiry (see session-limits.ts for the defaults). */
    maxSessions?: number;
    maxSessionsPerPrincipal?: number;
    sessionIdleMs?: number;
  };
  /** Close and exit 0 on SIGINT/SIGTERM (and when the stdio client goes). Default true. */
  handleSignals?: boolean;
  /** Tool and task settings: `pollIntervalMs`, `maxResultBytes`, ttl bounds. */
  server?: Omit<JobsMcpServerOptions, 'owner' | 'listTasks'>;
  /** Any other runner option (scan interval, retention, ...). */
  runner?: Omit<CreateJobRunnerOptions, 'jobsDir' | 'stateDir' | 'maxConcurrent' | 'allowCommands'>;
}

export interface RunningServer extends AsyncDisposable {
  readonly runner: JobManager;
  readonly transport: 'stdio' | 'http';
  /** The HTTP endpoint, when serving HTTP. */
  readonly http?: { url: string; host: string; port: number };
  /** Resolves once the server has stopped (close(), a signal, or the stdio client leaving). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const tokens = options.http?.authTokensFile ? await TokenTable.load(options.http.authTokensFile) : undefined;
  const runnerOptions: CreateJobRunnerOptions = {
    ...options.runner,
    ...(options.jobsDir === undefined ? {} : { jobsDir: options.jobsDir }),
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    ...(options.maxConcurrent === undefined ? {} : { maxConcurrent: options.maxConcurrent }),
    ...(options.allowCommands?.length ? { allowCommands: options.allowCommands } : {}),
    ...(options.config === undefined ? {} : { config: options.config }),
  };
  const runner = await createJobRunner(runnerOptions);
  const stopExpiry = startTaskExpiry(runner);
  const types = runner.registry.list().map((type) => type.name);
  log.info(`jobs in ${runner.options.jobsDir}, state in ${runner.options.stateDir}; job types: ${types.join(', ')}`);

  let transport: { close(): Promise<void>; closed?: Promise<void> };
  let http: HttpHandle | undefined;
  try {
    if (options.http) {
      http = await serveHttp(runner, { ...options.http, ...(tokens ? { tokens } : {}), server: options.server ?? {} });
      transport = http;
      process.stderr.write(`mcp-jobs: listening on ${http.url}${tokens ? ` (${tokens.size} token(s))` : ''}\n`);
    } else {
      transport = await serveStdio(runner, options.server ?? {});
    }
  } catch (error) {
    stopExpiry();
    await runner.close();
    throw error;
  }

  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.resolve().then(async () => {
      stopExpiry();
      await transport.close().catch((error: Error) => log.warn(`closing the transport: ${error.message}`));
      await runner.close();
      markClosed();
    });
    return closing;
  };

  const running: RunningServer = {
    runner,
    transport: http ? 'http' : 'stdio',
    ...(http ? { http: { url: http.url, host: http.host, port: http.port } } : {}),
    closed,
    close,
    [Symbol.asyncDispose]: close,
  };
  // The stdio client going away ends the server (and, when it owns the process, the process).
  const shutdown = options.handleSignals === false ? undefined : installShutdown(running);
  void transport.closed?.then(() => {
    if (closing) return;
    if (shutdown) shutdown.stop('the client has gone');
    else void close();
  });
  return running;
}
