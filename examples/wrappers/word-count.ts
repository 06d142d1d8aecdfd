/**
 * word_count: an example wrapper added through the config file, not in `src/`.
 * Counts lines, words and the most frequent words of a text, in chunks of
 * lines, with progress and cancellation between chunks.
 *
 * In your own project import from the package: `import { defineWrapper } from 'mcp-jobs/wrapper'` (the light entry point: it keeps the runner out of your worker's start-up).
 * Register it with `{ "wrappers": ["./dist/examples/wrappers/word-count.js"] }`
 * in mcp-jobs.config.json; run it by hand with
 * `node dist/examples/wrappers/word-count.js --job-dir <dir>`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineWrapper } from '../../src/worker/define-wrapper.js';

export default defineWrapper(import.meta, {
  name: 'word_count',
  description: 'Count the lines and words of a text and list its most frequent words.',
  input: (z) =>
    z.strictObject({
      text: z.string().max(10_000_000).describe('the text to count'),
      top: z.number().int().min(0).max(100).default(5).describe('how many of the most frequent words to return'),
      lines_per_step: z.number().int().min(1).default(1000).describe('lines counted between progress reports'),
      step_ms: z.number().int().min(0).max(60_000).default(0).describe('pause after each step (to watch progress)'),
    }),
  timeoutMs: 60_000,
  async run(input, ctx) {
    const lines = input.text.split('\n');
    const counts = new Map<string, number>();
    let words = 0;
    for (let start = 0; start < lines.length; start += input.lines_per_step) {
      ctx.signal.throwIfAborted();
      for (const line of lines.slice(start, start + input.lines_per_step)) {
        for (const word of line.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []) {
          words += 1;
          counts.set(word, (counts.get(word) ?? 0) + 1);
        }
      }
      const done = Math.min(start + input.lines_per_step, lines.length);
      ctx.progress(done, lines.length, `${done}/${lines.length} lines`);
      if (input.step_ms > 0) await sleep(input.step_ms, undefined, { signal: ctx.signal });
    }
    const top = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, input.top)
      .map(([word, count]) => ({ word, count }));
    return { lines: lines.length, words, unique_words: counts.size, top };
  },
});
