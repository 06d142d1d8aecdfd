/**
 * The request id of a frame we will not parse in full (it is over the size
 * limit): scans the start of the text for the top-level `"id"` member, so
 * the error reply reaches the request that caused it. Best effort: undefined
 * when the id is not within the scanned prefix or is not a string or number.
 */
const ID_VALUE = /^\s*:\s*("(?:[^"\\\n]|\\.){0,200}"|-?\d{1,20}(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

export function frameId(prefix: string): string | number | undefined {
  const start = prefix.search(/\S/);
  if (start === -1 || prefix[start] !== '{') return undefined;
  let depth = 0;
  for (let i = start; i < prefix.length; i++) {
    const c = prefix[i];
    if (c === '"') {
      const end = stringEnd(prefix, i);
      if (end === -1) return undefined;
      if (depth === 1 && prefix.slice(i, end + 1) === '"id"') {
        const match = ID_VALUE.exec(prefix.slice(end + 1, end + 260));
        if (match) return parseId(match[1]!);
      }
      i = end;
    } else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return undefined;
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`; -1 if it does not close in `text`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function parseId(token: string): string | number | undefined {
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
  } catch {
    return undefined;
  }
}
