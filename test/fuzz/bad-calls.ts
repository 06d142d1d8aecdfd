/**
 * fast-check generators of JSON-RPC messages that must each be refused: every
 * one is invalid by construction (a valid call would rightly succeed, so none
 * is generated). Kinds: start-tool arguments with one field broken (wrong
 * type, missing, extra or `__proto__` key, extreme number, huge string, deep
 * nesting), job tools with bad or unknown ids (path-like, NUL, unicode, huge),
 * bad state fields, unknown tools, task methods and resource URIs with bad
 * ids, and messages that are not valid JSON-RPC at all.
 */
import fc from 'fast-check';

export type Message = Record<string, unknown>;

const JOB_ID = /^[a-z0-9-]{16,64}$/;
const FIELD = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const TOOLS = new Set(['simulate', 'get_job_status', 'get_job_results', 'list_jobs', 'cancel_job', 'get_job_logs', 'wait_for_job', 'get_state', 'health']);

/** Strings that hurt: path-like, NUL, control and unicode characters, huge. */
const nasty = fc.oneof(
  fc.constantFrom('../x', '../../etc/passwd', '/etc/passwd', 'a/b', '..', '.', '', ' ', '\u0000', 'x\u0000y', '.active', '.staging', 'CON', '\u202e', '💥'.repeat(40), 'ａｂｃ', '%2e%2e%2f', 'job\\..\\x'),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 100, max: 20_000 }).map((n) => `${'../'.repeat(n)}etc`),
);

/** Values of every JSON type (and a few JS-only ones), shallow or deep. */
const anyValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, '', '5', [], {}, [[[]]]),
  nasty,
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 200, max: 5_000 }).map(deep),
);

/** An object nested `depth` levels deep (shown by fast-check as `deep(n)`: its printer would overflow the stack). */
export function deep(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  Object.defineProperty(value, fc.toStringMethod, { value: () => `deep(${depth})`, enumerable: false });
  return value;
}

const notNumber = anyValue.filter((v) => typeof v !== 'number');
const notString = anyValue.filter((v) => typeof v !== 'string');
const idLike = nasty.filter((s) => !JOB_ID.test(s));
/** A job id argument that is not a job of this server: bad shape, bad type, or well-formed but unknown. */
const jobIdArg = fc.oneof(idLike, notString, fc.stringMatching(JOB_ID));

const validSimulate = { steps: 1, step_ms: 0 };
const simulateBreakage: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ steps: anyValue.filter((v) => !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1_000_000)) }),
  fc.record({ step_ms: fc.oneof(fc.constantFrom(-1, 600_001, 0.5, 1e308), notNumber) }),
  fc.record({ seed: fc.oneof(fc.integer({ min: 257, max: 100_000 }).map((n) => 's'.repeat(n)), notString) }),
  fc.record({ fail_at_step: fc.oneof(fc.constantFrom(0, -5, 1.5), notNumber) }),
  fc.record({ result_kb: fc.constantFrom(-1, 65_537, 0.25, 'x', null) }),
  fc.record({ priority: fc.oneof(fc.constantFrom(1001, -1001, 0.5, 1e308), notNumber) }),
  fc.record({ timeout_s: fc.oneof(fc.constantFrom(-1, 30 * 86_400 + 1, 1e308), notNumber) }),
  fc.record({ state_patch: fc.oneof(anyValue.filter((v) => v !== null), fc.record({ field: idLike.filter((s) => !FIELD.test(s)), mode: fc.constant('replace') }), fc.record({ field: fc.constant('f'), mode: nasty.filter((m) => !['replace', 'merge', 'append'].includes(m)) })) }),
  fc.tuple(nasty.filter((key) => !(key in validSimulate) && !['fail_at_step', 'result_kb', 'seed', 'priority', 'timeout_s', 'state_patch'].includes(key)), anyValue).map(([key, value]) => ({ [key]: value })),
);

const simulateCall = fc.oneof(
  simulateBreakage.map((broken) => ({ ...validSimulate, ...broken })),
  fc.constantFrom('steps', 'step_ms').map((missing) => Object.fromEntries(Object.entries(validSimulate).filter(([key]) => key !== missing))),
  fc.constant(JSON.parse('{"steps":1,"step_ms":0,"__proto__":{"polluted":true}}') as Record<string, unknown>),
  fc.constant(JSON.parse('{"steps":1,"step_ms":0,"state_patch":{"field":"f","mode":"append","__proto__":{}}}') as Record<string, unknown>),
).map((args) => ({ name: 'simulate', arguments: args }));

const jobToolCall = fc.oneof(
  fc.record({ name: fc.constantFrom('get_job_status', 'get_job_results', 'cancel_job', 'get_job_logs', 'wait_for_job'), arguments: fc.record({ job_id: jobIdArg }) }),
  fc.constantFrom('get_job_status', 'cancel_job').map((name) => ({ name, arguments: {} })),
  fc.record({ name: fc.constant('wait_for_job'), arguments: fc.record({ job_id: fc.stringMatching(JOB_ID), timeout_s: fc.oneof(fc.constantFrom(-1, 51, 1e308), notNumber) }) }),
  fc.record({ name: fc.constant('get_job_logs'), arguments: fc.record({ job_id: jobIdArg, stream: nasty, tail_lines: anyValue }) }),
  fc.record({ name: fc.constant('get_state'), arguments: fc.record({ field: fc.oneof(nasty.filter((s) => !FIELD.test(s)), notString) }) }),
  fc.record({
    name: fc.constant('list_jobs'),
    arguments: fc.oneof(
      fc.record({ status: anyValue.filter((v) => !['queued', 'running', 'completed', 'failed', 'cancelled'].includes(v as string)) }),
      fc.record({ limit: fc.oneof(fc.constantFrom(0, 101, 1.5, -1), notNumber) }),
      fc.record({ cursor: fc.oneof(fc.integer({ min: 201, max: 50_000 }).map((n) => 'c'.repeat(n)), notString) }),
      fc.record({ type: fc.oneof(fc.integer({ min: 65, max: 10_000 }).map((n) => 't'.repeat(n)), notString) }),
    ),
  }),
  fc.record({ name: fc.constantFrom(...TOOLS), arguments: fc.oneof(fc.constantFrom([], 'x', 5, true), fc.array(anyValue, { maxLength: 3 })) }),
);

const unknownTool = fc.record({ name: fc.oneof(nasty, fc.constantFrom('SIMULATE', ' simulate', 'simulate\u0000', '../simulate', '__proto__', 'constructor')).filter((n) => !TOOLS.has(n)), arguments: fc.constant({}) });

let nextId = 1;
const request = (method: string, params: unknown): Message => ({ jsonrpc: '2.0', id: `fuzz-${nextId++}`, method, params });

/** A request that is valid JSON-RPC but must be refused by the server. */
export const badRequest: fc.Arbitrary<Message> = fc.oneof(
  { weight: 4, arbitrary: simulateCall.map((params) => request('tools/call', params)) },
  { weight: 4, arbitrary: jobToolCall.map((params) => request('tools/call', params)) },
  { weight: 1, arbitrary: unknownTool.map((params) => request('tools/call', params)) },
  { weight: 1, arbitrary: simulateCall.map((params) => request('tools/call', { ...params, task: { ttl: 60_000 } })) },
  { weight: 1, arbitrary: fc.record({ method: fc.constantFrom('tasks/get', 'tasks/result', 'tasks/cancel'), taskId: jobIdArg }).map(({ method, taskId }) => request(method, { taskId })) },
  { weight: 1, arbitrary: fc.oneof(idLike.map((id) => `job://${id}/results`), nasty.filter((s) => !FIELD.test(s)).map((f) => `state://${f}`), nasty).map((uri) => request('resources/read', { uri })) },
  { weight: 1, arbitrary: fc.oneof(nasty, fc.constantFrom('tools/calls', 'Tools/call', 'rpc.discover')).map((method) => request(method, {})) },
);

/** A message that is not valid JSON-RPC (each still has a usable id, or none at all). */
export const badMessage: fc.Arbitrary<Message | unknown> = fc.oneof(
  fc.record({ method: fc.constantFrom('tools/call', 'ping', 'tasks/get', 'initialize'), params: fc.constantFrom([], 'x', 5, null, true, [1, 2]) }).map(({ method, params }) => request(method, params)),
  fc.record({ id: fc.constantFrom({}, [], true, null, Number.POSITIVE_INFINITY, { a: 1 }), method: fc.constant('ping') }).map((m) => ({ jsonrpc: '2.0', ...m })),
  fc.record({ jsonrpc: fc.constantFrom('1.0', 2, null, '2.0 '), method: fc.constant('ping') }).map((m) => ({ ...m, id: `fuzz-${nextId++}` })),
  fc.constantFrom(5, 'x', [], [1], null, true),
  fc.record({ method: fc.constant('ping'), extra: anyValue }).map((m) => ({ jsonrpc: '2.0', id: `fuzz-${nextId++}`, ...m })),
  fc.constant(null).map(() => ({ jsonrpc: '2.0', id: `fuzz-${nextId++}` })),
);
