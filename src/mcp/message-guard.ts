/**
 * The message guard wraps every transport our McpServer connects to
 * (server-factory.ts), whatever carries the bytes:
 *
 * - in: a message that is not valid JSON-RPC (params `[]`, `"x"`, `5` or
 *   `null`, a bad `id`, a missing `method`, not an object at all) is answered
 *   with -32600 / -32602 for its id (id null when it has none we can use)
 *   instead of being dropped silently by the SDK. A malformed notification or
 *   response is logged and dropped: JSON-RPC never answers those.
 * - out: error text is capped (a JSON-RPC error's message at
 *   `MAX_ERROR_MESSAGE` characters, each text of an `isError` result at
 *   `MAX_ERROR_RESULT_TEXT`), so no reply echoes a 10 MB input.
 *
 * Valid messages pass through unchanged (own `__proto__` keys included:
 * the start tools reject them by name).
 */
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { clipText } from '../errors.js';
import { log } from '../log.js';

export const MAX_ERROR_MESSAGE = 2_000;
export const MAX_ERROR_RESULT_TEXT = 16_000;
const MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);

export function rpcErrorMessage(id: string | number | null, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message: clipText(message, MAX_ERROR_MESSAGE) } } as unknown as JSONRPCMessage;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);
const usableId = (id: unknown): id is string | number => typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

type Verdict = { reply: JSONRPCMessage } | { drop: string } | undefined;

/** What to do with an incoming message: undefined = hand it on. */
export function checkIncoming(message: unknown): Verdict {
  if (JSONRPCMessageSchema.safeParse(message).success) return undefined;
  if (!isObject(message)) return { reply: rpcErrorMessage(null, -32600, `Invalid Request: expected a JSON-RPC 2.0 message (an object), got ${kindOf(message)}`) };
  const id = usableId(message.id) ? message.id : null;
  const isRequest = 'id' in message;
  if (typeof message.method !== 'string') {
    if (('result' in message || 'error' in message) && !('method' in message)) return { drop: 'a malformed response' };
    return { reply: rpcErrorMessage(id, -32600, 'Invalid Request: `method` must be a string') };
  }
  if (!isRequest) return { drop: `a malformed notification (${clipText(message.method, 60)})` };
  const problem =
    message.jsonrpc !== '2.0'
      ? '`jsonrpc` must be "2.0"'
      : id === null
        ? `\`id\` must be a string or a number, got ${kindOf(message.id)}`
        : 'params' in message && !isObject(message.params)
          ? `\`params\` must be an object, got ${kindOf(message.params)}`
          : unknownMember(message);
  const code = problem.startsWith('`params`') ? -32602 : -32600;
  return { reply: rpcErrorMessage(id, code, `${code === -32602 ? 'Invalid params' : 'Invalid Request'}: ${problem}`) };
}

function unknownMember(message: Record<string, unknown>): string {
  const extra = Object.keys(message).find((key) => !MEMBERS.has(key));
  return extra === undefined ? 'not a valid JSON-RPC request' : `unknown member \`${clipText(extra, 60)}\``;
}

/** The outgoing message with its error text capped. */
export function capOutgoing(message: JSONRPCMessage): JSONRPCMessage {
  if ('error' in message && isObject(message.error) && typeof message.error.message === 'string' && message.error.message.length > MAX_ERROR_MESSAGE) {
    const { data: _data, ...error } = message.error;
    return { ...message, error: { ...error, message: clipText(message.error.message, MAX_ERROR_MESSAGE) } };
  }
  if ('result' in message && isObject(message.result) && message.result.isError === true && Array.isArray(message.result.content)) {
    const content = (message.result.content as unknown[]).map((item) =>
      isObject(item) && item.type === 'text' && typeof item.text === 'string' && item.text.length > MAX_ERROR_RESULT_TEXT ? { ...item, text: clipText(item.text, MAX_ERROR_RESULT_TEXT) } : item,
    );
    return { ...message, result: { ...message.result, content } } as JSONRPCMessage;
  }
  return message;
}

/** `inner` with the guard in front of it (see the module comment). */
export function guardTransport(inner: Transport): Transport {
  let handler: Transport['onmessage'];
  const guarded: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: (message: JSONRPCMessage, options?: TransportSendOptions) => inner.send(capOutgoing(message), options),
    get sessionId() {
      return inner.sessionId;
    },
    get onclose() {
      return inner.onclose;
    },
    set onclose(fn) {
      inner.onclose = fn;
    },
    get onerror() {
      return inner.onerror;
    },
    set onerror(fn) {
      inner.onerror = fn;
    },
    get onmessage() {
      return handler;
    },
    set onmessage(fn) {
      handler = fn;
      inner.onmessage = fn === undefined ? undefined : (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
        const verdict = checkIncoming(message);
        if (verdict === undefined) return fn(message, extra);
        if ('drop' in verdict) return log.warn(`ignored ${verdict.drop}`);
        inner.send(verdict.reply).catch((error: Error) => inner.onerror?.(error));
      };
    },
  };
  if (inner.setProtocolVersion) guarded.setProtocolVersion = (version: string) => inner.setProtocolVersion?.(version);
  return guarded;
}
