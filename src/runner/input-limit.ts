/**
 * The input size limit, checked at submit on the text that would become
 * `input.json`: an input over `maxInputBytes` is refused before anything is
 * created, with a message naming the size and the limit. Large data belongs
 * in a file the wrapper reads, named in the input. An input nested too
 * deeply for JSON.stringify (or holding a BigInt) is refused the same way.
 */
import { JobsError } from '../errors.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** `512 bytes`, `4 KiB`, `1.5 MiB`: whole units when exact. */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${(bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= KIB) return bytes % KIB === 0 ? `${bytes / KIB} KiB` : `${(bytes / KIB).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The text of `input.json` for a validated input: refused if it cannot be serialized or is over `maxBytes`. */
export function serializeInput(typeName: string, input: unknown, maxBytes: number): string {
  let text: string;
  try {
    text = `${JSON.stringify(input, null, 2)}\n`;
  } catch (error) {
    const reason = error instanceof RangeError ? 'is nested too deeply to serialize' : `cannot be serialized as JSON (${(error as Error).message})`;
    throw new JobsError('invalid_input', `The input of \`${typeName}\` ${reason}`);
  }
  checkInputSize(typeName, text, maxBytes);
  return text;
}

export function checkInputSize(typeName: string, inputText: string, maxBytes: number): void {
  const size = Buffer.byteLength(inputText);
  if (size <= maxBytes) return;
  throw new JobsError(
    'invalid_input',
    `The input of \`${typeName}\` is ${formatBytes(size)} as JSON; the limit is ${formatBytes(maxBytes)} (\`maxInputBytes\`). Put large data in a file and pass its path`,
  );
}
