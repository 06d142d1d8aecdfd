/**
 * Server logs as MCP logging notifications (`notifications/message`), besides
 * stderr. Never stdout: on stdio that is the protocol channel, and the SDK
 * sends these notifications through the transport as protocol messages.
 * `debug` records are not forwarded unless `MCP_JOBS_LOG_LEVEL=debug`; the
 * client narrows further with `logging/setLevel`. Not used for connections
 * bound to a principal: the records name other principals' jobs.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { log, type LogLevel } from '../log.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

/** Forwards log records to this server's client; returns the function that stops it. */
export function forwardLogs(server: McpServer, sessionId?: () => string | undefined): () => void {
  const floor: LogLevel = process.env.MCP_JOBS_LOG_LEVEL === 'debug' ? 'debug' : 'info';
  let sending = false;
  return log.addSink((level, message) => {
    // `sending` guards against a loop: a failed send must not log into another send.
    if (sending || ORDER[level] < ORDER[floor] || !server.isConnected()) return;
    sending = true;
    try {
      server.server
        .sendLoggingMessage({ level, logger: 'mcp-jobs', data: message }, sessionId?.())
        .catch(() => {});
    } finally {
      sending = false;
    }
  });
}
