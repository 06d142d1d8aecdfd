/**
 * What keeps a worker honest while `run` is in progress:
 *
 * - the process stays alive until `run` settles. Node exits when nothing is
 *   left in its event loop, and a `run` that only awaits `ctx.signal` leaves
 *   nothing (the lock heartbeat is unref'd): it would exit 0 at once with no
 *   result and its lock left behind. A ref'd idle timer holds the loop open.
 * - an unhandled rejection or an uncaught exception raised by the wrapper's
 *   own background work ends the attempt like a throw from `run`: error.json,
 *   lock released, exit 1 (rather than Node's crash with exit 1 and nothing
 *   written).
 */

export interface RunGuard {
  /** Rejects with the first unhandled rejection / uncaught exception while guarded. */
  readonly crashed: Promise<never>;
  stop(): void;
}

/** The largest delay a Node timer accepts (about 24.8 days). */
const IDLE_MS = 2 ** 31 - 1;

export class UnhandledInRun extends Error {
  override readonly name = 'UnhandledInRun';
  constructor(
    readonly source: 'unhandledRejection' | 'uncaughtException',
    readonly reason: unknown,
  ) {
    super(source === 'unhandledRejection' ? 'an unhandled promise rejection in run' : 'an uncaught exception in run');
  }
}

export function guardRun(): RunGuard {
  const keepAlive = setInterval(() => {}, IDLE_MS);
  let fail: (error: UnhandledInRun) => void = () => {};
  const crashed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  crashed.catch(() => {}); // observed by the race in the runtime; never an unhandled rejection itself
  const onRejection = (reason: unknown): void => fail(new UnhandledInRun('unhandledRejection', reason));
  const onException = (error: unknown): void => fail(new UnhandledInRun('uncaughtException', error));
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    crashed,
    stop() {
      clearInterval(keepAlive);
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
