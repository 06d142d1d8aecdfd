/**
 * What the soak knows happened, from the outside: which submits were
 * acknowledged (a job id came back), which workers it SIGKILLed and what the
 * files said right after the kill, and every anomaly its readers saw.
 */
import type { Expected, Spec } from './mix.js';

export interface Acked {
  id: string;
  via: 'mcp' | 'cli';
  spec: Spec;
}

export class Ledger {
  readonly acked = new Map<string, Acked>();
  /** Every spec submitted (acknowledged or not), by its unique seed. */
  readonly specs = new Map<string, Spec>();
  /** Submits whose answer never came (the server died first): the job may or may not exist. */
  unacked = 0;
  /** Job id → what it must end as, decided from its files once its killed worker was gone. */
  readonly killed = new Map<string, Expected>();
  /** Pids of every process the soak SIGKILLed (servers and workers). */
  readonly killedPids = new Set<number>();
  /** Every process the soak started, by pid: what it was and how it ended (to explain leftovers). */
  readonly processes = new Map<number, string>();
  /** Anomalies: unexpected errors from live servers, CLI failures, unparsable state reads. */
  readonly anomalies: string[] = [];
  readonly counts: Record<string, number> = {};

  count(what: string, n = 1): void {
    this.counts[what] = (this.counts[what] ?? 0) + n;
  }

  anomaly(message: string): void {
    this.count('anomalies');
    if (this.anomalies.length < 50) this.anomalies.push(message.slice(0, 500));
  }
}
