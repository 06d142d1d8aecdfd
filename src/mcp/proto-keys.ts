/**
 * Own `__proto__` keys in call arguments. `JSON.parse` makes `"__proto__"` an
 * ordinary own property, but zod (and any object spread or assignment) drops
 * it or turns it into a prototype: a key the caller sent would vanish
 * silently. Start tools reject it like any unknown key, at any depth.
 */
const MAX_NODES = 1_000_000;

/** Where the first own `__proto__` key in `value` is: the path of the object holding it (`''` at the top, `a.b`), or undefined. Iterative: deep nesting cannot overflow the stack. */
export function protoKeyPath(value: unknown): string | undefined {
  const stack: { node: unknown; path: string }[] = [{ node: value, path: '' }];
  for (let seen = 0; stack.length && seen < MAX_NODES; seen++) {
    const { node, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    const keys = Object.keys(node);
    if (!Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, '__proto__')) return path;
    for (const key of keys) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push({ node: child, path: path ? `${path}.${key.length > 40 ? `${key.slice(0, 37)}...` : key}` : key });
    }
  }
  return undefined;
}
