/**
 * Throttled, atomic writes of progress.json. A report writes at once when the
 * last write is older than the throttle window; otherwise the latest report is
 * written when the window ends, so the last report always lands. `flush()`
 * writes the latest report before the result is written.
 *
 * Writes are synchronous (one small file, at most one per window): a worker
 * that never starts libuv's thread pool starts faster.
 */
import { writeJsonAtomicSync } from '../store/atomic.js';

export interface ProgressReport {
  current: number;
  total: number;
  message?: string;
}

export class ProgressWriter {
  private latest: ProgressReport | undefined;
  private written: ProgressReport | undefined;
  private lastWriteAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly throttleMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  report(progress: ProgressReport): void {
    this.latest = progress;
    if (this.timer) return;
    const wait = this.lastWriteAt + this.throttleMs - Date.now();
    if (wait <= 0) this.writeLatest();
    else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.writeLatest();
      }, wait);
    }
  }

  /** Writes the latest report if it is not on disk yet. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writeLatest();
  }

  private writeLatest(): void {
    const progress = this.latest;
    if (!progress || progress === this.written) return;
    this.lastWriteAt = Date.now();
    this.written = progress;
    try {
      writeJsonAtomicSync(this.path, { ...progress, updatedAt: new Date().toISOString() });
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
