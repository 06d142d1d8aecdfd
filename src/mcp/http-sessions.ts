/**
 * Streamable HTTP sessions: one SDK transport and one McpServer per session,
 * each bound to the principal that opened it (its bearer token's). A request
 * for a session presenting another principal is answered as for an unknown
 * session. Sessions end on DELETE, on server close, or after `idleMs` without
 * a request in flight.
 *
 * Caps (session-limits.ts): each principal may hold `maxPerPrincipal`
 * sessions (without tokens every client is one principal). A principal at
 * its cap that opens another loses its own least recently used idle session;
 * a busy one (a request in flight) is never evicted, and when all are busy
 * the new one is refused. `maxSessions` over all principals is a backstop.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { log } from '../log.js';
import type { JobManager } from '../runner/job-manager.js';
import { createJobsMcpServer, type JobsMcpServer, type JobsMcpServerOptions } from './server-factory.js';
import type { SessionLimits } from './session-limits.js';

export interface Session {
  readonly id: string;
  readonly principal: string | undefined;
  readonly transport: StreamableHTTPServerTransport;
  readonly jobs: JobsMcpServer;
  lastSeen: number;
  /** Requests of this session being answered (a busy session is never evicted or expired). */
  inFlight: number;
}

export type AuthedRequest = IncomingMessage & { auth?: AuthInfo };

/** Why a new session was refused: `status` 429 (this principal's sessions are all busy) or 503 (the server's cap). */
export interface Refusal {
  status: 429 | 503;
  message: string;
}

const who = (principal: string | undefined) => (principal === undefined ? 'this server (no tokens: one principal)' : `principal \`${principal}\``);

export class SessionTable {
  private readonly sessions = new Map<string, Session>();
  /** Initialize requests being answered, per principal: they count against the caps. */
  private readonly opening = new Map<string | undefined, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly runner: JobManager,
    private readonly serverOptions: JobsMcpServerOptions,
    readonly limits: SessionLimits,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(), Math.min(Math.max(limits.idleMs / 2, 250), 30_000));
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

  /** Lets the session's transport answer; a POST or DELETE keeps the session busy until its response ends. */
  async handle(session: Session, req: AuthedRequest, res: ServerResponse, body: unknown): Promise<void> {
    if (req.method === 'GET') return session.transport.handleRequest(req, res, body);
    session.inFlight++;
    res.once('close', () => {
      session.inFlight--;
      session.lastSeen = Date.now();
    });
    return session.transport.handleRequest(req, res, body);
  }

  /** Makes room for a new session of `principal` (evicting its least recently used idle one at its cap), or says why not. */
  admit(principal: string | undefined): Refusal | undefined {
    const own = [...this.sessions.values()].filter((session) => session.principal === principal);
    const opening = this.opening.get(principal) ?? 0;
    if (own.length + opening >= this.limits.maxPerPrincipal) {
      const idle = own.filter((session) => session.inFlight === 0).sort((a, b) => a.lastSeen - b.lastSeen)[0];
      if (!idle) {
        return { status: 429, message: `Too many sessions: ${who(principal)} has ${this.limits.maxPerPrincipal} sessions (the cap) and all are busy; end one (DELETE /mcp) or retry when a request has finished` };
      }
      this.evict(idle, `${who(principal)} is at its cap of ${this.limits.maxPerPrincipal}`);
    }
    if (this.sessions.size + this.openingTotal() >= this.limits.maxSessions) {
      return { status: 503, message: `Too many sessions on this server (${this.limits.maxSessions}); retry later` };
    }
    return undefined;
  }

  /** Opens a session for an initialize request and lets its transport answer it. Call `admit` first. */
  async open(req: AuthedRequest, res: ServerResponse, body: unknown, principal: string | undefined): Promise<void> {
    this.opening.set(principal, (this.opening.get(principal) ?? 0) + 1);
    try {
      await this.openSession(req, res, body, principal);
    } finally {
      const left = (this.opening.get(principal) ?? 1) - 1;
      if (left > 0) this.opening.set(principal, left);
      else this.opening.delete(principal);
    }
  }

  private async openSession(req: AuthedRequest, res: ServerResponse, body: unknown, principal: string | undefined): Promise<void> {
    const jobs = createJobsMcpServer(this.runner, { ...this.serverOptions, ...(principal === undefined ? {} : { owner: principal }) });
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { id, principal, transport, jobs, lastSeen: Date.now(), inFlight: 0 };
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

  private openingTotal(): number {
    let total = 0;
    for (const count of this.opening.values()) total += count;
    return total;
  }

  private evict(session: Session, why: string): void {
    log.info(`HTTP session ${session.id} closed: ${why}`);
    this.sessions.delete(session.id);
    void session.jobs.close();
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.limits.idleMs;
    for (const session of this.sessions.values()) {
      if (session.inFlight === 0 && session.lastSeen < cutoff) this.evict(session, `idle for ${Math.round(this.limits.idleMs / 1000)} s`);
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((session) => session.jobs.close()));
  }
}
