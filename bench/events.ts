/** Timestamps of job events per job id, taken in the listener (so a late waiter still gets the exact instant). */
import type { JobManager, JobRecord } from '../src/index.js';
import { now } from './lib.js';

type Outcome = { at: number; record: JobRecord; event: string };

export class EventClock {
  private readonly seen = new Map<string, Outcome[]>();
  private readonly waiters = new Map<string, { event: string; resolve(o: Outcome): void }[]>();

  constructor(manager: JobManager) {
    for (const event of ['job:started', 'job:completed', 'job:failed', 'job:cancelled', 'job:retry'] as const) {
      manager.on(event, (record) => this.mark(event, record));
    }
    manager.on('job:progress', ({ id }) => this.mark('job:progress', { id } as JobRecord));
  }

  private mark(event: string, record: JobRecord): void {
    const outcome = { at: now(), record, event };
    const list = this.seen.get(record.id) ?? [];
    list.push(outcome);
    this.seen.set(record.id, list);
    const waiting = this.waiters.get(record.id) ?? [];
    for (const w of waiting.filter((w) => w.event === event || (w.event === 'end' && isEnd(event)))) w.resolve(outcome);
    this.waiters.set(record.id, waiting.filter((w) => !(w.event === event || (w.event === 'end' && isEnd(event)))));
  }

  /** When `event` happened (or happens) for job `id`; `end` is the first terminal event. */
  wait(id: string, event: string, timeoutMs = 20_000): Promise<Outcome> {
    const done = this.seen.get(id)?.find((o) => o.event === event || (event === 'end' && isEnd(o.event)));
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench: no ${event} for job ${id} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(id) ?? [];
      list.push({ event, resolve: (o) => (clearTimeout(timer), resolve(o)) });
      this.waiters.set(id, list);
    });
  }

  /** Has `event` happened for job `id`? */
  has(id: string, event: string): boolean {
    return this.seen.get(id)?.some((o) => o.event === event) ?? false;
  }

  /** Waits for the job's terminal event and rejects unless it is `job:completed`. */
  async completed(id: string, timeoutMs = 20_000): Promise<Outcome> {
    const end = await this.wait(id, 'end', timeoutMs);
    if (end.event !== 'job:completed') throw new Error(`bench: job ${id} ended with ${end.event}: ${JSON.stringify(end.record.error)}`);
    return end;
  }

  forget(id: string): void {
    this.seen.delete(id);
  }
}

const isEnd = (event: string) => event === 'job:completed' || event === 'job:failed' || event === 'job:cancelled';
