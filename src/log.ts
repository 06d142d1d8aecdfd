/**
 * The server's logger. Writes to stderr, never stdout (stdout is the MCP
 * protocol channel on the stdio server). The MCP layer adds a sink that
 * forwards records as logging notifications.
 */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export type LogSink = (level: LogLevel, message: string) => void;

const order: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

const sinks = new Set<LogSink>();
let threshold: LogLevel = (process.env.MCP_JOBS_LOG_LEVEL as LogLevel | undefined) ?? 'warning';
if (!(threshold in order)) threshold = 'warning';

function emit(level: LogLevel, message: string): void {
  for (const sink of sinks) {
    try {
      sink(level, message);
    } catch {
      // a broken sink must not break the caller
    }
  }
  if (order[level] >= order[threshold]) process.stderr.write(`[mcp-jobs] ${level}: ${message}\n`);
}

export const log = {
  debug: (message: string) => emit('debug', message),
  info: (message: string) => emit('info', message),
  warn: (message: string) => emit('warning', message),
  error: (message: string) => emit('error', message),
  setLevel(level: LogLevel): void {
    threshold = level;
  },
  addSink(sink: LogSink): () => void {
    sinks.add(sink);
    return () => sinks.delete(sink);
  },
};
