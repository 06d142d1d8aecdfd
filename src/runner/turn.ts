/**
 * `letLoopTurn()`: resolves after one turn of the event loop (setImmediate).
 *
 * Most of what the runner's public calls do is synchronous file I/O from the
 * page cache, so a promise they return can resolve without the event loop ever
 * turning. A caller polling in a loop (`while (!done(await runner.status(id)))`)
 * would then starve everything else: dispatch, timers, exit events, signal
 * handlers. Every public async call of JobManager awaits this first. Cost:
 * a few µs per call (see docs/design-notes.md, "Event-loop fairness").
 */
export function letLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
