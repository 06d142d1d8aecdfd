/**
 * Durations on the command line and in tables: parse `7d`, `12h`, `30m`,
 * `45s`, `500ms`, `1h30m`, `2w`, `0`; print `950ms`, `12.3s`, `4m05s`, `3h12m`, `2d4h`.
 */
import { CliError } from './exit-codes.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/** Milliseconds of a duration like `7d` or `1h30m`; `0` alone means zero. Throws a usage error naming `option`. */
export function parseDuration(text: string, option = 'duration'): number {
  const value = text.trim();
  if (value === '0') return 0;
  if (!WHOLE.test(value)) {
    throw new CliError(`Expected \`${option}\` to be a duration like 7d, 12h, 30m, 45s or 1h30m, got \`${text}\``);
  }
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  if (!Number.isSafeInteger(Math.round(ms))) throw new CliError(`\`${option}\` is too large: \`${text}\``);
  return Math.ceil(ms); // up: a tiny duration is 1 ms, never 0
}

/** A short human duration: `950ms`, `12.3s`, `4m05s`, `3h12m`, `2d4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.floor(s / 60);
  if (m < 1_440) return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
  const h = Math.floor(m / 60);
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** How long ago an ISO time was: `12s`, `4m05s`, ... (`-` when unknown). */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '-' : formatDuration(Math.max(0, now - at));
}
