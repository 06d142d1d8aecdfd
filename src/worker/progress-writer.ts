/**
 * Throttled, atomic writes of progress.json. At most one write in flight; the
 * latest report always lands (a trailing write after the throttle window), and
 * `flush()` writes the last report before the result is written.
 */
import { writeJsonAtomic } from '../store/atomic.js';

export interface ProgressReport {
  current: number;
  total: number;
  message?: string;
}

export class ProgressWriter {
  private latest: ProgressReport | undefined;
  private written: ProgressReport | undefined;
  private lastWriteAt = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly throttleMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  report(progress: ProgressReport): void {
    this.latest = progress;
    if (this.inFlight || this.timer) return;
    const wait = this.lastWriteAt + this.throttleMs - Date.now();
    if (wait <= 0) void this.writeLatest();
    else this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeLatest();
    }, wait);
  }

  /** Waits for any write in flight, then writes the latest report if it is not on disk yet. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.inFlight;
    if (this.latest && this.latest !== this.written) await this.writeLatest();
  }

  private async writeLatest(): Promise<void> {
    const progress = this.latest;
    if (!progress) return;
    this.lastWriteAt = Date.now();
    this.written = progress;
    const body = { current: progress.current, total: progress.total, ...(progress.message === undefined ? {} : { message: progress.message }), updatedAt: new Date().toISOString() };
    this.inFlight = writeJsonAtomic(this.path, body).catch((error: Error) => this.onError(error));
    await this.inFlight;
    this.inFlight = undefined;
    if (this.latest && this.latest !== this.written && !this.timer) this.report(this.latest);
  }
}
