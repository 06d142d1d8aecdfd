/**
 * The message guard's two rules, on plain values: which incoming messages
 * are answered (and how) or dropped, and how outgoing error text is capped.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { capOutgoing, checkIncoming, MAX_ERROR_MESSAGE, MAX_ERROR_RESULT_TEXT } from '../../src/mcp/message-guard.js';

const replyOf = (message: unknown) => {
  const verdict = checkIncoming(message);
  return verdict && 'reply' in verdict ? (verdict.reply as unknown as { id: unknown; error: { code: number; message: string } }) : verdict;
};

describe('checkIncoming', () => {
  it('hands valid requests, notifications and responses on', () => {
    expect(checkIncoming({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBeUndefined();
    expect(checkIncoming({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBeUndefined();
    expect(checkIncoming({ jsonrpc: '2.0', id: 'a', result: {} })).toBeUndefined();
  });

  it('answers bad requests for their id', () => {
    expect(replyOf({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: [] })).toMatchObject({ id: 3, error: { code: -32602, message: 'Invalid params: `params` must be an object, got an array' } });
    expect(replyOf({ jsonrpc: '2.0', id: 'x', method: 'ping', params: null })).toMatchObject({ id: 'x', error: { code: -32602 } });
    expect(replyOf({ jsonrpc: '1.0', id: 4, method: 'ping' })).toMatchObject({ id: 4, error: { code: -32600, message: 'Invalid Request: `jsonrpc` must be "2.0"' } });
    expect(replyOf({ jsonrpc: '2.0', id: 5, method: 'ping', extra: 1 })).toMatchObject({ id: 5, error: { message: 'Invalid Request: unknown member `extra`' } });
    expect(replyOf({ jsonrpc: '2.0', id: 6 })).toMatchObject({ id: 6, error: { message: 'Invalid Request: `method` must be a string' } });
  });

  it('answers with id null when the id is not usable, or there is no object', () => {
    expect(replyOf({ jsonrpc: '2.0', id: {}, method: 'ping' })).toMatchObject({ id: null, error: { code: -32600, message: 'Invalid Request: `id` must be a string or a number, got object' } });
    expect(replyOf({ jsonrpc: '2.0', id: null, method: 'ping' })).toMatchObject({ id: null, error: { code: -32600 } });
    for (const value of [5, 'x', [], null]) expect(replyOf(value)).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('drops malformed notifications and responses (JSON-RPC never answers them)', () => {
    expect(checkIncoming({ jsonrpc: '2.0', method: 'notifications/x', params: 5 })).toHaveProperty('drop');
    expect(checkIncoming({ jsonrpc: '2.0', id: 1, result: 5 })).toHaveProperty('drop');
  });
});

describe('capOutgoing', () => {
  it('caps a JSON-RPC error message and drops its data', () => {
    const out = capOutgoing({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'x'.repeat(1e6), data: 'y'.repeat(1e6) } } as JSONRPCMessage) as unknown as { error: { message: string; data?: unknown } };
    expect(out.error.message).toHaveLength(MAX_ERROR_MESSAGE);
    expect(out.error.message.endsWith('...')).toBe(true);
    expect(out.error).not.toHaveProperty('data');
  });

  it('caps each text of an isError result, and leaves successful results alone', () => {
    const big = 'z'.repeat(100_000);
    const error = capOutgoing({ jsonrpc: '2.0', id: 1, result: { isError: true, content: [{ type: 'text', text: big }, { type: 'text', text: 'short' }] } } as JSONRPCMessage) as unknown as { result: { content: { text: string }[] } };
    expect(error.result.content.map((item) => item.text.length)).toEqual([MAX_ERROR_RESULT_TEXT, 5]);
    const ok = { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: big }] } } as JSONRPCMessage;
    expect(capOutgoing(ok)).toBe(ok);
  });
});
