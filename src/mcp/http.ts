/**
 * The Streamable HTTP server (`--http`), on node:http:
 *
 *   POST/GET/DELETE /mcp   the MCP endpoint (the SDK's transport, with sessions)
 *   GET /healthz           health JSON (no token needed; Host-checked like everything)
 *
 * Every request first passes the DNS-rebinding check (host-check.ts). With a
 * tokens file, /mcp needs `Authorization: Bearer <token>` (401 otherwise) and
 * each session is bound to the token's principal, with a session cap per
 * principal (http-sessions.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';
import type { JobManager } from '../runner/job-manager.js';
import type { TokenTable } from './auth.js';
import { healthReport } from './health.js';
import { hostPolicy, refuseForeignHost, type HostPolicy } from './host-check.js';
import { SessionTable, type AuthedRequest } from './http-sessions.js';
import { checkIncoming } from './message-guard.js';
import { sessionLimits } from './session-limits.js';
import type { JobsMcpServerOptions } from './server-factory.js';

export interface HttpServeOptions {
  port: number;
  host: string;
  tokens?: TokenTable;
  /** Extra `host:port` values accepted in `Host` (behind a proxy). */
  allowedHosts?: string[];
  /** Extra origins accepted exactly. */
  allowedOrigins?: string[];
  /** Sessions over all principals, a backstop (default 1,000). */
  maxSessions?: number;
  /** Sessions one principal may hold; at the cap its least recently used idle one is closed (default 16). */
  maxSessionsPerPrincipal?: number;
  /** A session with no request in flight for this long is closed (default 10 minutes). */
  sessionIdleMs?: number;
  server?: JobsMcpServerOptions;
}

export interface HttpHandle {
  url: string;
  host: string;
  port: number;
  sessions(): number;
  close(): Promise<void>;
}

export const MCP_PATH = '/mcp';
const MAX_BODY = 4 * 1024 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, -32000, `Request body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, -32700, `Parse error: ${(error as Error).message}`);
  }
}

export async function serveHttp(runner: JobManager, options: HttpServeOptions): Promise<HttpHandle> {
  const { tokens } = options;
  const sessions = new SessionTable(runner, { ...options.server, listTasks: tokens !== undefined }, sessionLimits(options));
  // Known once listening (the port may be 0 until then).
  const bound: { policy?: HostPolicy } = {};

  const handle = async (req: AuthedRequest, res: ServerResponse) => {
    if (!bound.policy) return sendJson(res, 503, rpcError(-32000, 'Starting up'));
    const refusal = refuseForeignHost(req.headers, bound.policy);
    if (refusal) return sendJson(res, 403, rpcError(-32000, refusal));
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'use GET' }, { allow: 'GET' });
      return sendJson(res, 200, await healthReport(runner));
    }
    if (path !== MCP_PATH) return sendJson(res, 404, { error: `not found; the MCP endpoint is ${MCP_PATH}` });

    let principal: string | undefined;
    if (tokens) {
      principal = tokens.principalFor(req.headers.authorization);
      if (principal === undefined) return sendJson(res, 401, rpcError(-32001, 'Unauthorized: send Authorization: Bearer <token>'), { 'www-authenticate': 'Bearer realm="mcp-jobs"' });
      req.auth = { token: '(redacted)', clientId: principal, scopes: [] }; // handlers see the principal, never the secret
    }
    const body = req.method === 'POST' ? await readJsonBody(req) : undefined;
    // A request that is not valid JSON-RPC gets the same answer as on stdio (the SDK's would be -32700 without its id).
    const verdict = body === undefined || Array.isArray(body) ? undefined : checkIncoming(body);
    if (verdict && 'reply' in verdict) return sendJson(res, 400, verdict.reply);
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId, principal);
      if (!session) return sendJson(res, 404, rpcError(-32001, 'Session not found'));
      return sessions.handle(session, req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) return sendJson(res, 400, rpcError(-32000, 'Bad Request: no valid session id; start with an initialize request'));
    const full = sessions.admit(principal);
    if (full) return sendJson(res, full.status, rpcError(-32000, full.message), full.status === 429 ? { 'retry-after': '5' } : {});
    return sessions.open(req, res, body, principal);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(res, error.status, rpcError(error.code, error.message));
      log.error(`HTTP ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendJson(res, 500, rpcError(-32603, 'Internal server error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  bound.policy = hostPolicy(options.host, port, options.allowedHosts, options.allowedOrigins);
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  if (!tokens && !/^(127\.|localhost$|::1$)/.test(options.host)) {
    log.warn(`HTTP on ${options.host} without --auth-tokens: anyone who can reach this port can run and see jobs`);
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}${MCP_PATH}`,
    host: options.host,
    port,
    sessions: () => sessions.size,
    close() {
      closing ??= Promise.resolve().then(async () => {
        await sessions.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      });
      return closing;
    },
  };
}
