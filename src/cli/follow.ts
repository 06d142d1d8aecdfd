/**
 * Following a job to its end (`run`, `watch`): a live progress bar on a
 * terminal, plain progress lines elsewhere (at most one a second), or JSON
 * lines with `--json` when asked. Reads go through `manager.status()`, which
 * also settles a job that ended unnoticed; progress and end events from the
 * manager's watcher wake the loop early.
 */
import type { JobManager } from '../runner/job-manager.js';
import { isTerminal, type JobProgress, type JobRecord, type JobStatusView } from '../types.js';
import { columns, drawLive, endLive, isInteractive, paint, print, printJsonLine } from './output.js';
import { percentText, plainLine, renderBar } from './progress-bar.js';

export interface FollowOptions {
  /** `lines`: one JSON line per change (watch --json); `quiet`: nothing (run --json). */
  mode: 'human' | 'lines' | 'quiet';
  /** Stop following (not the job) when aborted; resolves with the job as it stands. */
  signal?: AbortSignal;
}

const TICK_MS = { live: 100, plain: 250 };
const PLAIN_EVERY_MS = 1_000;

export async function follow(manager: JobManager, id: string, options: FollowOptions): Promise<JobStatusView> {
  const live = options.mode === 'human' && isInteractive();
  let wake: (() => void) | undefined;
  const poke = (event: { id: string } | JobRecord) => event.id === id && wake?.();
  const onProgress = (event: { id: string; progress: JobProgress }) => poke(event);
  const events = ['job:completed', 'job:failed', 'job:cancelled', 'job:started', 'job:retry'] as const;
  manager.on('job:progress', onProgress);
  for (const name of events) manager.on(name, poke);
  options.signal?.addEventListener('abort', () => wake?.(), { once: true });
  const render = renderer(manager, options.mode, live);
  try {
    for (;;) {
      const view = await manager.status(id);
      await render(view);
      if (isTerminal(view.status) || options.signal?.aborted) return view;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, live ? TICK_MS.live : TICK_MS.plain);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    manager.off('job:progress', onProgress);
    for (const name of events) manager.off(name, poke);
    if (live) endLive();
  }
}

/** What to show for each poll. */
function renderer(manager: JobManager, mode: FollowOptions['mode'], live: boolean): (view: JobStatusView) => Promise<void> {
  let lastKey = '';
  let lastPlainAt = 0;
  let slots = '';
  let slotsAt = 0;
  return async (view) => {
    if (mode === 'quiet') return;
    if (view.status === 'queued' && Date.now() - slotsAt > 1_000) {
      const health = await manager.health();
      slots = `${health.running} running, cap ${health.maxConcurrent}`;
      slotsAt = Date.now();
    }
    const key = `${view.status}|${view.attempt}|${view.progress?.current}|${view.progress?.total}|${view.progress?.message}`;
    if (mode === 'lines') {
      if (key !== lastKey) printJsonLine({ event: 'progress', id: view.id, status: view.status, attempt: view.attempt, progress: view.progress ?? null });
      lastKey = key;
      return;
    }
    const snapshot = { progress: view.progress, startedAt: view.startedAt };
    if (live) {
      if (view.status === 'queued') drawLive(`${paint('blue', 'queued')}  waiting for a free slot (${slots})${view.notBefore ? `, retry not before ${view.notBefore}` : ''}`);
      else if (view.status === 'running') drawLive(renderBar(snapshot, columns()));
      return;
    }
    if (isTerminal(view.status)) return;
    const now = Date.now();
    const changedState = key.split('|').slice(0, 2).join('|') !== lastKey.split('|').slice(0, 2).join('|');
    if (key !== lastKey && (changedState || now - lastPlainAt >= PLAIN_EVERY_MS || percentText(view.progress) === '100%')) {
      if (view.status === 'queued') print(`queued: waiting for a free slot (${slots})`);
      else print(view.progress ? plainLine(snapshot) : `running (attempt ${view.attempt}${view.pid ? `, pid ${view.pid}` : ''})`);
      lastKey = key;
      lastPlainAt = now;
    }
  };
}
