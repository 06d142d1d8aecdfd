/**
 * Graceful shutdown of a server process (seed 000): SIGINT / SIGTERM, or the
 * stdio client going away, close the transports and the runner (watcher,
 * timers, locks) and exit 0 — within 2 s even if something hangs. Detached
 * workers are not touched: they finish on their own and the next start
 * reconciles them.
 *
 * An exception nobody caught is logged and the server keeps serving: one
 * faulty handler must not take every client's jobs view down with it.
 */
import { log } from '../log.js';

/** Hard deadline for a graceful close before the process exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 1_500;

export interface Closable {
  close(): Promise<void>;
}

export interface ShutdownHooks {
  /** Close and exit 0 now (e.g. the stdio client has gone). */
  stop(reason: string): void;
  /** Removes the signal and error handlers. */
  uninstall(): void;
}

export function installShutdown(server: Closable, exit: (code: number) => void = (code) => process.exit(code)): ShutdownHooks {
  let exiting = false;
  const stop = (reason: string) => {
    if (exiting) return;
    exiting = true;
    log.info(`${reason}: shutting down (workers keep running)`);
    const deadline = setTimeout(() => {
      log.warn(`shutdown took over ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    server
      .close()
      .catch((error: Error) => log.error(`while closing: ${error.message}`))
      .finally(() => {
        clearTimeout(deadline);
        exit(0);
      });
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  const onRejection = (reason: unknown) => log.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  const onException = (error: Error) => log.error(`uncaught exception: ${error.stack ?? error.message}`);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    stop,
    uninstall() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
