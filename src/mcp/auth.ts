/**
 * Bearer tokens for the HTTP server (`--auth-tokens <file>`). The file maps
 * each token to the principal it authenticates, as a JSON object:
 *
 *     { "3f9c…64 hex chars…": "alice", "b71e…": "ci-bot" }
 *
 * Tokens are at least 16 characters (use `openssl rand -hex 32`). A request
 * carries `Authorization: Bearer <token>`; jobs it submits are bound to the
 * principal, and only that principal sees them. Lookups compare SHA-256
 * digests in constant time and never stop early.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { JobsError } from '../errors.js';
import { log } from '../log.js';

export const MIN_TOKEN_LENGTH = 16;
const PRINCIPAL = /^[^\s\p{Cc}][^\p{Cc}]{0,127}$/u;

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export class TokenTable {
  private readonly entries: { digest: Buffer; principal: string }[];

  constructor(tokens: Record<string, string>) {
    this.entries = Object.entries(tokens).map(([token, principal]) => ({ digest: digest(token), principal }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal of an `Authorization` header value (`Bearer <token>`), or undefined. */
  principalFor(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]!);
    let found: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.principal;
    }
    return found;
  }

  /** Reads and checks a tokens file; every problem names the file and the entry. */
  static async load(file: string): Promise<TokenTable> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new JobsError('invalid_option', `Cannot read the auth tokens file \`${file}\`: ${(error as Error).message}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new JobsError('invalid_option', `The auth tokens file \`${file}\` is not valid JSON: ${(error as Error).message}`);
    }
    const table = TokenTable.check(value, file);
    const info = await stat(file);
    if (info.mode & 0o004) log.warn(`the auth tokens file ${file} is readable by everyone; chmod 600 it`);
    return table;
  }

  static check(value: unknown, file = 'tokens'): TokenTable {
    const expected = `expected a JSON object mapping each token to its principal, like {"<token>": "alice"}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JobsError('invalid_option', `Auth tokens file \`${file}\`: ${expected}`);
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length) throw new JobsError('invalid_option', `Auth tokens file \`${file}\` holds no tokens: ${expected}`);
    entries.forEach(([token, principal], index) => {
      if (token.length < MIN_TOKEN_LENGTH) {
        throw new JobsError('invalid_option', `Auth tokens file \`${file}\`: token #${index + 1} has ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} (e.g. \`openssl rand -hex 32\`)`);
      }
      if (typeof principal !== 'string' || !PRINCIPAL.test(principal)) {
        throw new JobsError('invalid_option', `Auth tokens file \`${file}\`: the principal of token #${index + 1} must be a name of 1-128 printable characters, got ${JSON.stringify(principal)}`);
      }
    });
    return new TokenTable(value as Record<string, string>);
  }
}
