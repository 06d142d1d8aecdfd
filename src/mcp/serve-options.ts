/**
 * The server's command-line options (commander 14), shared by `dist/server.js`
 * and `mcp-jobs serve` so that both start the same server:
 *
 *     addServeOptions(command).action((opts) => serve(serveOptionsFrom(opts)));
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { JobsError } from '../errors.js';
import type { ServeOptions } from './serve.js';
import { SESSION_DEFAULTS } from './session-limits.js';

export const DEFAULT_PORT = 8765;
export const DEFAULT_HOST = '127.0.0.1';

/** What commander parses from the options below (camelCase keys). */
export interface ParsedServeOptions {
  jobsDir?: string;
  stateDir?: string;
  maxConcurrent?: number;
  allowCommand?: string[];
  http?: boolean;
  port?: number;
  host?: string;
  authTokens?: string;
  config?: string;
  allowedHost?: string[];
  allowedOrigin?: string[];
  maxSessions?: number;
  maxSessionsPerPrincipal?: number;
  sessionIdleS?: number;
}

function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got \`${value}\`.`);
    }
    return n;
  };
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function addServeOptions(command: Command): Command {
  return command
    .addOption(new Option('--jobs-dir <dir>', 'folder holding the job folders (default: ./jobs)').env('MCP_JOBS_DIR'))
    .addOption(new Option('--state-dir <dir>', 'folder holding the state files (default: ./state)').env('MCP_JOBS_STATE_DIR'))
    .addOption(new Option('--max-concurrent <n>', 'jobs running at once (default: the number of CPUs)').argParser(integer('--max-concurrent', 1, 10_000)))
    .addOption(new Option('--allow-command <program>', 'let `run_command` start this program (repeatable; none: no run_command tool)').argParser(collect))
    .addOption(new Option('--config <file>', 'config file listing your own wrappers (default: ./mcp-jobs.config.json if present)').env('MCP_JOBS_CONFIG'))
    .addOption(new Option('--http', 'serve Streamable HTTP at /mcp instead of stdio'))
    .addOption(new Option('--port <port>', `HTTP port (0: any free port) (default: ${DEFAULT_PORT})`).argParser(integer('--port', 0, 65_535)))
    .addOption(new Option('--host <host>', `HTTP address to bind (default: ${DEFAULT_HOST})`))
    .addOption(new Option('--auth-tokens <file>', 'HTTP bearer tokens: a JSON file {"<token>": "<principal>"}; each principal sees only its own jobs'))
    .addOption(new Option('--allowed-host <host:port>', 'another Host header value to accept over HTTP, e.g. behind a proxy (repeatable)').argParser(collect))
    .addOption(new Option('--allowed-origin <origin>', 'another browser Origin to accept over HTTP (repeatable)').argParser(collect))
    .addOption(new Option('--max-sessions-per-principal <n>', `HTTP sessions one principal may hold; at the cap its least recently used idle one is closed (default: ${SESSION_DEFAULTS.maxPerPrincipal})`).argParser(integer('--max-sessions-per-principal', 1, 1_000_000)))
    .addOption(new Option('--max-sessions <n>', `HTTP sessions over all principals (default: ${SESSION_DEFAULTS.maxSessions})`).argParser(integer('--max-sessions', 1, 1_000_000)))
    .addOption(new Option('--session-idle-s <seconds>', `close an HTTP session after this long without a request (default: ${SESSION_DEFAULTS.idleMs / 1000})`).argParser(integer('--session-idle-s', 1, 7 * 86_400)));
}

/** ServeOptions from parsed options; HTTP-only options without `--http` are refused. */
export function serveOptionsFrom(opts: ParsedServeOptions): ServeOptions {
  const httpOnly = (['port', 'host', 'authTokens', 'allowedHost', 'allowedOrigin', 'maxSessions', 'maxSessionsPerPrincipal', 'sessionIdleS'] as const).filter((key) => opts[key] !== undefined);
  if (!opts.http && httpOnly.length) {
    const flags = httpOnly.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new JobsError('invalid_option', `${flags.join(', ')} ${flags.length > 1 ? 'apply' : 'applies'} to HTTP only; add --http`);
  }
  const options: ServeOptions = {};
  if (opts.jobsDir !== undefined) options.jobsDir = opts.jobsDir;
  if (opts.stateDir !== undefined) options.stateDir = opts.stateDir;
  if (opts.maxConcurrent !== undefined) options.maxConcurrent = opts.maxConcurrent;
  if (opts.allowCommand?.length) options.allowCommands = opts.allowCommand;
  if (opts.config !== undefined) options.config = opts.config;
  if (opts.http) {
    options.http = {
      port: opts.port ?? DEFAULT_PORT,
      host: opts.host ?? DEFAULT_HOST,
      ...(opts.authTokens === undefined ? {} : { authTokensFile: opts.authTokens }),
      ...(opts.allowedHost?.length ? { allowedHosts: opts.allowedHost } : {}),
      ...(opts.allowedOrigin?.length ? { allowedOrigins: opts.allowedOrigin } : {}),
      ...(opts.maxSessions === undefined ? {} : { maxSessions: opts.maxSessions }),
      ...(opts.maxSessionsPerPrincipal === undefined ? {} : { maxSessionsPerPrincipal: opts.maxSessionsPerPrincipal }),
      ...(opts.sessionIdleS === undefined ? {} : { sessionIdleMs: opts.sessionIdleS * 1000 }),
    };
  }
  return options;
}
