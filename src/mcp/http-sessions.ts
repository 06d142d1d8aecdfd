/**
 * Streamable HTTP sessions: one SDK transport and one McpServer per session,
 * each bound to the principal that opened it (its bearer token's). A request
 * for a session presenting another principal is answered as for an unknown
 * session. Sessions end on DELETE, on server close, or after `idleMs` without
 * a request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { log } from '../log.js';
import type { JobManager } from '../runner/job-manager.js';
import { createJobsMcpServer, type JobsMcpServer, type JobsMcpServerOptions } from './server-factory.js';

export interface Session {
  readonly id: string;
  readonly principal: string | undefined;
  readonly transport: StreamableHTTPServerTransport;
  readonly jobs: JobsMcpServer;
  lastSeen: number;
}

export type AuthedRequest = IncomingMessage & { auth?: AuthInfo };

export class SessionTable {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly runner: JobManager,
    private readonly serverOptions: JobsMcpServerOptions,
    readonly maxSessions: number,
    idleMs: number,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(idleMs), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session `id` as `principal` may use it; undefined for unknown ids and other principals' sessions alike. */
  get(id: string, principal: string | undefined): Session | undefined {
    const session = this.sessions.get(id);
    if (!session || session.principal !== principal) return undefined;
    session.lastSeen = Date.now();
    return session;
  }

  /** Opens a session for an initialize request and lets its transport answer it. */
  async open(req: AuthedRequest, res: ServerResponse, body: unknown, principal: string | undefined): Promise<void> {
    const jobs = createJobsMcpServer(this.runner, { ...this.serverOptions, ...(principal === undefined ? {} : { owner: principal }) });
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { id, principal, transport, jobs, lastSeen: Date.now() };
        this.sessions.set(id, session);
        log.info(`HTTP session ${id} opened${principal === undefined ? '' : ` for ${principal}`}`);
      },
    });
    transport.onclose = () => {
      if (session) this.sessions.delete(session.id);
      void jobs.close();
    };
    await jobs.server.connect(transport);
    await transport.handleRequest(req, res, body);
    if (!session) await jobs.close(); // the initialize request was refused: nothing to keep
  }

  private closeIdle(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const session of this.sessions.values()) {
      if (session.lastSeen < cutoff) {
        log.info(`HTTP session ${session.id} closed after ${Math.round(idleMs / 1000)} s idle`);
        this.sessions.delete(session.id);
        void session.jobs.close();
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((session) => session.jobs.close()));
  }
}
