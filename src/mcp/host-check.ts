/**
 * DNS-rebinding protection for the HTTP server, checked on every request
 * before anything else (the MCP endpoint and /healthz alike).
 *
 * - `Host` must name this server: the bound host and port exactly, or, on a
 *   loopback bind, `localhost` / `127.0.0.1` / `[::1]` with that port. A
 *   wildcard bind (0.0.0.0, ::) accepts the machine's interface addresses and
 *   hostname. `allowedHosts` adds `host:port` values (e.g. behind a proxy).
 * - `Origin`, when a browser sends one, must be a page of an allowed host
 *   name (any port), or one of `allowedOrigins` exactly.
 *
 * A page on evil.example whose name was rebound to 127.0.0.1 sends
 * `Host: evil.example:<port>` and is refused with 403.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export interface HostPolicy {
  /** Lowercased `host:port` values accepted in `Host`. */
  hosts: Set<string>;
  /** Lowercased host names (no port) whose pages may call us. */
  hostnames: Set<string>;
  /** Extra origins accepted exactly (`https://app.example`). */
  origins: Set<string>;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const bracket = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

export function hostPolicy(bindHost: string, port: number, extraHosts: string[] = [], extraOrigins: string[] = []): HostPolicy {
  const names = new Set<string>();
  const host = bindHost.toLowerCase();
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    LOOPBACK.forEach((name) => names.add(name));
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const address of list ?? []) names.add(bracket(address.address.toLowerCase()));
  } else {
    names.add(bracket(host));
    if (isLoopback(host)) LOOPBACK.forEach((name) => names.add(name));
  }
  const hosts = new Set([...names].map((name) => `${name}:${port}`));
  for (const extra of extraHosts) {
    const value = extra.toLowerCase();
    hosts.add(value);
    names.add(value.replace(/:\d+$/, ''));
  }
  return { hosts, hostnames: names, origins: new Set(extraOrigins.map((origin) => origin.toLowerCase().replace(/\/$/, ''))) };
}

/** Why a request is refused, or undefined when its Host and Origin are acceptable. */
export function refuseForeignHost(headers: IncomingHttpHeaders, policy: HostPolicy): string | undefined {
  const host = headers.host?.toLowerCase();
  if (!host || !policy.hosts.has(host)) return `Invalid Host header: ${headers.host ?? '(none)'}`;
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const normalized = origin.toLowerCase();
  if (policy.origins.has(normalized)) return undefined;
  let url: URL;
  try {
    url = new URL(normalized);
  } catch {
    return `Invalid Origin header: ${origin}`;
  }
  const okScheme = url.protocol === 'http:' || url.protocol === 'https:';
  if (!okScheme || !policy.hostnames.has(url.hostname)) return `Invalid Origin header: ${origin}`;
  return undefined;
}
