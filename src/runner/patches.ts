/**
 * State patches: what a completed job's result does to its state field.
 *
 * - `replace`: the field becomes the value, unless a job that finished later
 *   already replaced it (replay order never regresses state).
 * - `merge`: shallow merge of an object into the field's object.
 * - `append`: the field is an array; the value is appended.
 * - named handlers: `registerStatePatch(name, fn)`; `fn(current, result, job)`
 *   returns the new value.
 *
 * Exactly-once is the state store's business (the applied set lives in the
 * same file as the value); this module only computes the next value.
 */
import { JobsError, describeValue } from '../errors.js';
import type { PatchStep, StateFile } from '../store/state-store.js';
import type { JobPatch, JobRecord, StatePatch, StatePatchHandler } from '../types.js';

export class PatchError extends Error {
  override readonly name = 'PatchError';
}

/** The part of `value` at JSON pointer `pointer` (RFC 6901). */
export function resolvePointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let node = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < node.length) node = node[Number(key)];
    else if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, key)) node = (node as Record<string, unknown>)[key];
    else throw new PatchError(`JSON pointer \`${pointer}\` does not resolve in the result (no \`${key}\`)`);
  }
  return node;
}

/** The state field a job's patch writes. */
export function patchField(patch: JobPatch): string {
  return patch.kind === 'declarative' ? patch.patch.field : patch.field;
}

/** Orders finishes: time first, then job id, so every replay agrees. */
export function finishedLater(a: { finishedAt: string; jobId: string }, b: { finishedAt: string; jobId: string }): boolean {
  return a.finishedAt > b.finishedAt || (a.finishedAt === b.finishedAt && a.jobId > b.jobId);
}

export function declarativeStep(patch: StatePatch, result: unknown, job: { id: string; finishedAt: string }, current: StateFile): PatchStep {
  const value = patch.pointer === undefined ? result : resolvePointer(result, patch.pointer);
  switch (patch.mode) {
    case 'replace': {
      const mine = { jobId: job.id, finishedAt: job.finishedAt };
      if (current.lastReplace && finishedLater(current.lastReplace, mine)) return { keep: true };
      return { value, lastReplace: mine };
    }
    case 'merge': {
      const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
      if (!isObject(value)) throw new PatchError('merge needs an object result (or pointer to one)');
      if (current.value !== undefined && !isObject(current.value)) throw new PatchError(`merge needs the field \`${current.field}\` to hold an object`);
      return { value: { ...(current.value as object | undefined), ...(value as object) } };
    }
    case 'append': {
      if (current.value !== undefined && !Array.isArray(current.value)) throw new PatchError(`append needs the field \`${current.field}\` to hold an array`);
      return { value: [...((current.value as unknown[] | undefined) ?? []), value] };
    }
  }
}

/** Named patch handlers, registered in code. */
export class PatchHandlers {
  private readonly handlers = new Map<string, StatePatchHandler>();

  /**
   * Adds a handler. Handlers are synchronous: they run under the state field's
   * lock, between reading the field and writing it, so an `async` function is
   * refused here (its Promise would be stored as the value).
   */
  register(name: string, handler: StatePatchHandler): void {
    if (!/^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/.test(name)) throw new JobsError('invalid_option', `Expected a patch handler name like \`addDesign\`, got \`${name}\``);
    if (typeof handler !== 'function') throw new JobsError('invalid_option', `Expected the state patch handler \`${name}\` to be a function, got ${describeValue(handler)}`);
    if (ASYNC_FUNCTIONS.has(handler.constructor?.name)) {
      throw new JobsError('invalid_option', `State patch handler \`${name}\` is an async function; handlers must be synchronous (they run under the state field's lock and return the new value): do async work in the wrapper and put what it finds in the result`);
    }
    this.handlers.set(name, handler);
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  /** The handler's next value; anything it throws or returns that is not JSON is a `PatchError` of this job alone. */
  step(name: string, result: unknown, job: JobRecord, current: StateFile): PatchStep {
    const handler = this.handlers.get(name);
    if (!handler) throw new PatchError(`no state patch handler named \`${name}\` is registered`);
    let value: unknown;
    try {
      value = handler(current.value, result, job);
    } catch (error) {
      throw new PatchError(`state patch handler \`${name}\` failed: ${brief(error)}`);
    }
    if (isThenable(value)) {
      value.then(undefined, () => {}); // never an unhandled rejection
      throw new PatchError(`state patch handler \`${name}\` returned a Promise; handlers must be synchronous and return the new value`);
    }
    checkJson(name, value);
    return { value };
  }
}

const ASYNC_FUNCTIONS = new Set(['AsyncFunction', 'AsyncGeneratorFunction']);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The value must survive the state file's JSON (undefined clears the field). */
function checkJson(name: string, value: unknown): void {
  if (value === undefined) return;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new PatchError(`state patch handler \`${name}\` returned a value that is not JSON (${brief(error)})`);
  }
  if (text === undefined) throw new PatchError(`state patch handler \`${name}\` returned a value that is not JSON (a ${typeof value})`);
}

/** A thrown value as one short line (a handler's message is code's own, but may be long). */
function brief(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
