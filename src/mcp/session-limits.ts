/**
 * The HTTP session limits, their defaults (one place) and their checks.
 *
 * - `maxPerPrincipal` (default 16): sessions one principal may hold; at the
 *   cap its least recently used idle session makes room for a new one.
 * - `idleMs` (default 10 minutes): a session with no request in flight for
 *   this long is closed (clients open a new one on the 404, as MCP asks).
 * - `maxSessions` (default 1,000): all principals together, a backstop.
 */
import { JobsError, describeValue } from '../errors.js';

export interface SessionLimits {
  maxSessions: number;
  maxPerPrincipal: number;
  idleMs: number;
}

export const SESSION_DEFAULTS: SessionLimits = { maxSessions: 1_000, maxPerPrincipal: 16, idleMs: 10 * 60_000 };

function check(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new JobsError('invalid_option', `Expected \`${name}\` to be an integer from 1 to ${max}, got ${describeValue(value)}`);
  return value;
}

export function sessionLimits(options: { maxSessions?: number; maxSessionsPerPrincipal?: number; sessionIdleMs?: number }): SessionLimits {
  const maxSessions = check('maxSessions', options.maxSessions, SESSION_DEFAULTS.maxSessions, 1_000_000);
  return {
    maxSessions,
    maxPerPrincipal: check('maxSessionsPerPrincipal', options.maxSessionsPerPrincipal, Math.min(SESSION_DEFAULTS.maxPerPrincipal, maxSessions), 1_000_000),
    idleMs: check('sessionIdleMs', options.sessionIdleMs, SESSION_DEFAULTS.idleMs, 7 * 86_400_000),
  };
}
