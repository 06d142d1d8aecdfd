/**
 * The input size limit, checked at submit on the text that would become
 * `input.json`: an input over `maxInputBytes` is refused before anything is
 * created, with a message naming the size and the limit. Large data belongs
 * in a file the wrapper reads, named in the input.
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

export function checkInputSize(typeName: string, inputText: string, maxBytes: number): void {
  const size = Buffer.byteLength(inputText, 'utf8');
  if (size <= maxBytes) return;
  throw new JobsError(
    'invalid_input',
    `The input of \`${typeName}\` is ${formatBytes(size)} as JSON; the limit is ${formatBytes(maxBytes)} (\`maxInputBytes\`). Put large data in a file and pass its path`,
  );
}
