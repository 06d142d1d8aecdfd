/**
 * The CLI's output for people: the one module that writes to stdout (ESLint
 * exempts exactly this file). Results and tables go to stdout; errors, hints
 * and notes go to stderr, so `mcp-jobs result <id> > out.json` stays clean.
 *
 * Colours and the live (redrawn) progress line are used only when stdout is a
 * terminal and `NO_COLOR` is not set; anything else gets plain lines.
 */

/** True when stdout is a terminal: live progress bars and redraws. */
export function isInteractive(): boolean {
  return process.stdout.isTTY === true;
}

/** Colours on a terminal unless `NO_COLOR` is set (https://no-color.org). */
export function useColor(): boolean {
  return isInteractive() && !process.env.NO_COLOR;
}

/** Terminal width, for bars and tables (80 when unknown). */
export function columns(): number {
  return process.stdout.columns || 80;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1, dim: 2 } as const;
export type Colour = keyof typeof CODES;

/** `text` in colour when colours are on, as is otherwise. */
export function paint(colour: Colour, text: string): string {
  return useColor() ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/** Visible length of a string that may hold colour codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

let liveLine = false;

function clearLive(): void {
  if (liveLine) {
    process.stdout.write('\r\u001b[2K');
    liveLine = false;
  }
}

/** A line (or lines) to stdout. */
export function print(text = ''): void {
  clearLive();
  process.stdout.write(`${text}\n`);
}

/** Raw text to stdout, as is (log contents). */
export function printRaw(text: string | Uint8Array): void {
  clearLive();
  process.stdout.write(text);
}

/** A value as pretty JSON to stdout (`--json`). */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** One JSON document per line (`--json` with a stream, e.g. `logs -f`). */
export function printJsonLine(value: unknown): void {
  print(JSON.stringify(value));
}

/** A note for people to stderr (hints, what is happening). */
export function note(text: string): void {
  clearLive();
  process.stderr.write(`${text}\n`);
}

/** The one-line error format: `mcp-jobs: <message>` to stderr. */
export function printError(message: string): void {
  clearLive();
  const line = message.replace(/\s*\n\s*/g, ' ').trim();
  process.stderr.write(`${useColorOn(process.stderr) ? `\u001b[31mmcp-jobs:\u001b[0m` : 'mcp-jobs:'} ${line}\n`);
}

function useColorOn(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/**
 * Redraws the live line (a progress bar) in place on a terminal. Does nothing
 * off a terminal: callers print plain lines there instead.
 */
export function drawLive(text: string): void {
  if (!isInteractive()) return;
  process.stdout.write(`\r\u001b[2K${text}`);
  liveLine = true;
}

/** Ends the live line, keeping what it shows. */
export function endLive(): void {
  if (liveLine) {
    process.stdout.write('\n');
    liveLine = false;
  }
}

/** Writes used by commander for help (stdout) and its errors (stderr). */
export const commanderOutput = {
  writeOut: (text: string) => printRaw(text),
  writeErr: (text: string) => {
    clearLive();
    process.stderr.write(text);
  },
};
